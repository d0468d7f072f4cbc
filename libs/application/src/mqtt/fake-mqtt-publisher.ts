import { MqttMessage, MqttMessageHandler, MqttPublisher, MqttQos } from './mqtt-publisher';
import { topicMatches } from './topics';

/** The seam in memory, for unit tests: records what is published, delivers what a test "receives". */
export class FakeMqttPublisher extends MqttPublisher {
  readonly mode = 'embedded' as const;
  readonly published: Array<{ topic: string; payload: Buffer; qos: MqttQos }> = [];
  private readonly subscriptions: Array<{ filter: string; handler: MqttMessageHandler }> = [];
  failWith: Error | undefined;

  async publish(topic: string, payload: Buffer, qos: MqttQos): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push({ topic, payload, qos });
  }

  subscribe(filter: string, handler: MqttMessageHandler): void {
    this.subscriptions.push({ filter, handler });
  }

  /** As if a client published this. */
  receive(message: MqttMessage): void {
    for (const s of this.subscriptions) if (topicMatches(s.filter, message.topic)) s.handler(message);
  }
}
