import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventBus } from '@lns/event-bus';
import { MqttCounters } from '../mqtt/mqtt-counters';
import { MqttMessage, MqttPublisher } from '../mqtt/mqtt-publisher';
import { COMMAND_DOWN_FILTER, CommandTopic, parseCommandTopic } from '../mqtt/topics';
import { CommandDownError, parseCommandDown } from './command-down';
import { DeviceInfoLookup } from './device-info.lookup';

/**
 * Downlink intake over MQTT: a valid `…/command/down` becomes 'application.downlink' (the
 * network server enqueues it); an invalid one becomes a `log` event (level ERROR) for
 * that device, so the application sees why, and a counter. Never throws.
 */
@Injectable()
export class CommandDownHandler implements OnModuleInit {
  private readonly logger = new Logger('CommandDown');

  constructor(
    private readonly mqtt: MqttPublisher,
    private readonly bus: EventBus,
    private readonly counters: MqttCounters,
    private readonly devices: DeviceInfoLookup,
  ) {}

  onModuleInit(): void {
    this.mqtt.subscribe(COMMAND_DOWN_FILTER, (m) => this.handle(m));
  }

  handle(message: MqttMessage): void {
    if (message.retain) {
      // A retained command is replayed by the broker on every (re)subscription: enqueuing
      // it again each time would send the downlink again.
      this.counters.retainedCommandsIgnored++;
      this.logger.warn(`ignoring retained ${message.topic}: publish commands without the retain flag`);
      return;
    }
    const topic = parseCommandTopic(message.topic);
    if (!topic) return;
    const result = parseCommandDown(topic, message.payload);
    if (result.ok) {
      this.counters.commandsAccepted++;
      this.bus.emit('application.downlink', result.value);
      return;
    }
    this.counters.commandsRejected++;
    this.logger.debug(`${message.topic} refused: ${result.error.field} ${result.error.reason}`);
    void this.reportRefused(topic, result.error);
  }

  private async reportRefused(topic: CommandTopic, error: CommandDownError): Promise<void> {
    const devEui = /^[0-9a-fA-F]{16}$/.test(topic.devEui) ? topic.devEui.toLowerCase() : topic.devEui;
    try {
      const deviceInfo = await this.devices.deviceInfo(topic.applicationId, devEui);
      this.bus.emit('application.event', {
        type: 'log',
        applicationId: topic.applicationId,
        devEui,
        payload: {
          time: new Date().toISOString(),
          deviceInfo,
          level: 'ERROR',
          code: error.code,
          description: `command/down refused: ${error.field} ${error.reason}`,
          context: { field: error.field, reason: error.reason },
        },
      });
    } catch (err) {
      this.logger.error(
        `log event for ${devEui} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
