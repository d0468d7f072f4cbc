import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ApplicationDownlinkRequest, EventBus, LogCode } from '@lns/event-bus';
import { DeviceRegistry } from '../registry/device-registry';
import { SessionStore } from '../session/session-store';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { DeviceQueueService } from './device-queue.service';
import { QueueError } from './queue-item';

/** The `log` code that tells an application why its downlink was refused, by the field at fault. */
const REFUSAL_CODE: Record<string, LogCode> = { data: 'DOWNLINK_PAYLOAD_SIZE', fCntDown: 'DOWNLINK_F_CNT' };

/**
 * Downlinks asked for over MQTT (`…/command/down`, turned into 'application.downlink' bus
 * events by libs/application): enqueued like the REST ones, but only into a device of the
 * application that asked. With no HTTP answer to carry a refusal, the application learns it
 * from a `log` event (level ERROR) naming the field.
 */
@Injectable()
export class ApplicationDownlinkListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('DeviceQueue');
  private off: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly queue: DeviceQueueService,
    private readonly registry: DeviceRegistry,
    private readonly sessions: SessionStore,
    private readonly publisher: ApplicationPublisher,
  ) {}

  onModuleInit(): void {
    this.off = this.bus.on('application.downlink', (req) => this.handle(req));
  }

  onModuleDestroy(): void {
    this.off?.();
  }

  async handle(req: ApplicationDownlinkRequest): Promise<void> {
    const devEui = typeof req.devEui === 'string' ? req.devEui.toLowerCase() : '';
    const ctx = this.registry.get(devEui);
    if (!ctx || ctx.application.id !== req.applicationId) {
      this.logger.warn(
        `downlink for ${devEui} from application ${req.applicationId} ignored: no such device there`,
      );
      return;
    }
    try {
      await this.queue.enqueue(devEui, {
        fPort: req.fPort,
        data: Buffer.from(typeof req.data === 'string' ? req.data : '', 'base64'),
        confirmed: req.confirmed === true,
        ...(req.isEncrypted === true && { isEncrypted: true }),
        ...(req.fCntDown !== undefined && { fCntDown: req.fCntDown }),
      });
    } catch (err) {
      if (!(err instanceof QueueError)) throw err;
      this.publisher.log(
        ctx,
        'ERROR',
        REFUSAL_CODE[err.field] ?? 'UNKNOWN',
        `downlink refused: ${err.message}`,
        { field: err.field },
        this.sessions.byDevEui(devEui),
      );
    }
  }
}
