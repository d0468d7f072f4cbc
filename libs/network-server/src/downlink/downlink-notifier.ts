import { Injectable } from '@nestjs/common';
import { LogCode, LogLevel } from '@lns/event-bus';
import { DeviceQueueService } from '../queue/device-queue.service';
import { QueueItem } from '../queue/queue-item';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { ApplicationPublisher } from '../uplink/application-publisher';
import { modulationJson } from '../uplink/radio';
import { SendResult } from './downlink-sender';

/** What follows a transmission attempt: the queue, the `txack` event, or a `log` saying why nothing went out. */
@Injectable()
export class DownlinkNotifier {
  constructor(
    private readonly queue: DeviceQueueService,
    private readonly publisher: ApplicationPublisher,
  ) {}

  /**
   * A sent frame that carried a queue item: the item is marked sent (unconfirmed ones leave the
   * queue) and a `txack` event goes out, once per transmission (TX_ACK OK, or at once for
   * protocol-1 gateways, which send none).
   */
  result(
    ctx: DeviceContext,
    session: DeviceSession,
    result: SendResult,
    item: QueueItem | undefined,
    fCnt: number,
  ): void {
    if (!result.sent) {
      if (item) {
        this.log(
          ctx,
          session,
          'WARNING',
          'DOWNLINK_GATEWAY',
          `downlink ${item.id} not sent (${result.reason ?? 'NO_GATEWAY'}); it stays queued`,
          item,
        );
      }
      return;
    }
    if (!item) return;
    this.queue.sent(item, fCnt, session);
    const w = result.window!;
    const txpk = result.txpk!;
    this.publisher.txack(ctx, {
      downlinkId: result.downlinkId!,
      time: new Date().toISOString(),
      deviceInfo: this.publisher.deviceInfo(ctx, session),
      queueItemId: item.id,
      fCntDown: fCnt,
      gatewayId: result.gatewayId!,
      txInfo: {
        frequency: txpk.frequency,
        power: txpk.power,
        modulation: modulationJson(ctx.region.getDataRate(w.dataRate)),
        timing: w.delay === undefined ? { immediately: {} } : { delay: { delay: `${w.delay}s` } },
      },
    });
  }

  log(
    ctx: DeviceContext,
    session: DeviceSession | undefined,
    level: LogLevel,
    code: LogCode,
    description: string,
    item?: QueueItem,
  ): void {
    this.publisher.log(ctx, level, code, description, item ? { queueItemId: item.id } : {}, session);
  }
}
