import { EmbeddedMqttBroker, ExternalMqttPublisher, MqttPublisher } from '@lns/application';

export interface MqttStatus {
  up: boolean;
  mode: 'embedded' | 'external';
  /** Why it is down. */
  reason?: string;
}

/** Embedded: the broker's TCP port is bound. External: the client is connected to the broker. */
export function mqttStatus(publisher: MqttPublisher): MqttStatus {
  if (publisher instanceof EmbeddedMqttBroker) {
    return publisher.port !== null
      ? { up: true, mode: 'embedded' }
      : { up: false, mode: 'embedded', reason: 'the embedded broker is not listening' };
  }
  if (publisher instanceof ExternalMqttPublisher) {
    return publisher.connected
      ? { up: true, mode: 'external' }
      : { up: false, mode: 'external', reason: 'not connected to the external broker' };
  }
  return { up: true, mode: publisher.mode };
}
