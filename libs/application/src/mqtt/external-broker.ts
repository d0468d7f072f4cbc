import { randomBytes } from 'node:crypto';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { connect, MqttClient } from 'mqtt';
import { LnsConfig } from '@lns/config';
import { MqttClosedError, MqttMessageHandler, MqttPublisher, MqttQos } from './mqtt-publisher';
import { redactUrl } from './redact-url';
import { topicMatches } from './topics';
import { batchWritesPerTurn } from './turn-batched-writes';

const RECONNECT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** How long shutdown waits for in-flight QoS 1/2 messages before it drops the connection. */
const END_TIMEOUT_MS = 2_000;
/**
 * Unsent bytes the connection may hold in the process (the broker not reading) before it is
 * dropped and made again: the same bound as the embedded broker's per subscriber.
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * A client of an external broker (`mqtt.url`: Mosquitto, EMQX …), reconnecting for ever.
 * Who may read or publish which topic is that broker's configuration. Events published
 * with QoS 0 while the broker is unreachable are dropped (counted by the caller), not
 * queued without bound; QoS 1 and 2 wait in memory for the connection.
 */
export class ExternalMqttPublisher
  extends MqttPublisher
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  readonly mode = 'external' as const;
  private readonly logger = new Logger('MqttExternal');
  private readonly subscriptions: Array<{ filter: string; handler: MqttMessageHandler }> = [];
  private client: MqttClient | undefined;
  private closed = false;
  private reportedDown = false;

  constructor(private readonly config: LnsConfig) {
    super();
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  onApplicationBootstrap(): void {
    const url = this.config.mqtt.url;
    this.logger.log(`mqtt external=${redactUrl(url)}`);
    const client = connect(url, {
      clientId: `lns-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      queueQoSZero: false,
      // Subscriptions are renewed on every 'connect' below, the same way the first time.
      resubscribe: false,
    });
    this.client = client;
    client.on('connect', () => {
      // Each connection has its own stream: the events published in one event-loop turn
      // share one write to it (turn-batched-writes.ts) instead of one write each.
      batchWritesPerTurn(client.stream, {
        maxBufferedBytes: MAX_BUFFERED_BYTES,
        onOverflow: (bytes) => this.logger.warn(`broker not reading: ${bytes} bytes waiting; reconnecting`),
      });
      this.logger.log(`connected to ${redactUrl(url)}`);
      this.reportedDown = false;
      for (const { filter } of this.subscriptions) this.subscribeOnBroker(filter);
    });
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
    client.on('error', (err) => this.reportDown(err.message));
    client.on('offline', () => this.reportDown('offline'));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    if (!client) return;
    const graceful = client.endAsync(!client.connected);
    const timer = setTimeout(() => client.end(true), END_TIMEOUT_MS);
    try {
      await graceful;
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(topic: string, payload: Buffer, qos: MqttQos): Promise<void> {
    if (this.closed || !this.client) throw new MqttClosedError();
    await this.client.publishAsync(topic, payload, { qos, retain: false });
  }

  subscribe(filter: string, handler: MqttMessageHandler): void {
    this.subscriptions.push({ filter, handler });
    if (this.client?.connected) this.subscribeOnBroker(filter);
  }

  private subscribeOnBroker(filter: string): void {
    this.client?.subscribe(filter, { qos: this.config.mqtt.qos as MqttQos }, (err, granted) => {
      const refused = err ?? (granted?.some((g) => g.qos >= 0x80) ? new Error('SUBACK failure') : null);
      if (refused) this.logger.error(`the broker refused our subscription to ${filter}: ${refused.message}`);
    });
  }

  private dispatch(topic: string, payload: Buffer, retain: boolean): void {
    for (const { filter, handler } of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler({ topic, payload, retain });
      } catch (err) {
        this.logger.error(`handler of ${filter} failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  /** Once per outage: a broker that stays away must not fill the log every second. */
  private reportDown(reason: string): void {
    if (this.closed || this.reportedDown) return;
    this.reportedDown = true;
    this.logger.warn(`broker ${redactUrl(this.config.mqtt.url)} unreachable (${reason}); reconnecting`);
  }
}
