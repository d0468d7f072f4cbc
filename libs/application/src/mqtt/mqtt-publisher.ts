export type MqttQos = 0 | 1 | 2;

/** A message a client published on a topic the server subscribed to. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  /** Set when a broker replays a retained message on subscription: not a live command. */
  retain: boolean;
}

export type MqttMessageHandler = (message: MqttMessage) => void;

/**
 * The MQTT seam (DI token): the embedded aedes broker, or a client of an external broker
 * (`mqtt.url`). The rest of the application side publishes and subscribes through this
 * and does not know which one runs (ARCHITECTURE.md "Where state lives").
 */
export abstract class MqttPublisher {
  abstract readonly mode: 'embedded' | 'external';

  /** Publishes as the server (never retained); rejects when the message could not be handed on. */
  abstract publish(topic: string, payload: Buffer, qos: MqttQos): Promise<void>;

  /**
   * Hands every message on topics matching `filter` to `handler`, from now on and across
   * reconnections. May be called before the broker or the connection is up.
   */
  abstract subscribe(filter: string, handler: MqttMessageHandler): void;
}

/** The publisher was closed (shutdown): nothing more is published. */
export class MqttClosedError extends Error {
  constructor() {
    super('MQTT is closed');
    this.name = 'MqttClosedError';
  }
}
