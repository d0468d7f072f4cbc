import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { ApplicationEvent, EventBus } from '@lns/event-bus';
import { MqttCounters } from '../mqtt/mqtt-counters';
import { MqttPublisher, MqttQos } from '../mqtt/mqtt-publisher';
import { eventTopic } from '../mqtt/topics';

/**
 * Publishes every 'application.event' of the bus to
 * `application/{applicationId}/device/{devEui}/event/{type}`, the event's ChirpStack-shaped
 * payload as JSON. Runs on the uplink path: memory only, never throws, never awaits.
 */
@Injectable()
export class ApplicationEventForwarder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ApplicationEvents');
  private readonly qos: MqttQos;
  private off: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly mqtt: MqttPublisher,
    private readonly counters: MqttCounters,
    @Inject(LNS_CONFIG) config: LnsConfig,
  ) {
    this.qos = config.mqtt.qos as MqttQos;
  }

  onModuleInit(): void {
    this.off = this.bus.on('application.event', (e) => this.forward(e));
  }

  onModuleDestroy(): void {
    this.off?.();
  }

  forward(e: ApplicationEvent): void {
    const topic = eventTopic(e.applicationId, e.devEui, e.type);
    if (!topic) {
      this.counters.eventsDropped++;
      this.logger.warn(
        `${e.type} event not published: application ${e.applicationId} or DevEUI ${e.devEui} is not a topic level`,
      );
      return;
    }
    this.mqtt.publish(topic, Buffer.from(JSON.stringify(e.payload)), this.qos).then(
      () => void this.counters.eventsPublished++,
      (err: unknown) => {
        this.counters.eventsDropped++;
        this.logger.debug(`${topic} not published: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}
