import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApiTokenService } from '../tokens/api-token.service';
import { EmbeddedMqttBroker } from './embedded-broker';
import { ExternalMqttPublisher } from './external-broker';
import { MqttCounters } from './mqtt-counters';
import { MqttPublisher } from './mqtt-publisher';

/** `mqtt.url` set: a client of that broker, and no embedded broker. Else the embedded one. */
export function createMqttPublisher(
  config: LnsConfig,
  tokens: ApiTokenService,
  bus: EventBus,
  counters: MqttCounters,
): MqttPublisher {
  return config.mqtt.url
    ? new ExternalMqttPublisher(config)
    : new EmbeddedMqttBroker(config, tokens, bus, counters);
}
