import { connectAsync, MqttClient } from 'mqtt';
import { nowMs } from './load-protocol';

/** What the sink matches events against during one step. */
export interface TrackedStep {
  step: number;
  kind: 'up' | 'join';
  count: number;
  payloadSize: number;
  /** join: DevEUI → uplink index of the step. */
  joinIndex?: Map<string, number>;
  /** up: the DevEUI each uplink index must come from (i mod D). */
  devEuiOf?: (i: number) => string;
}

export interface StepEvents {
  /** Arrival (ms, process.hrtime) of the first event for each uplink; 0 = none. */
  received: Float64Array;
  duplicates: number;
  /** Events whose content does not match what was sent (payload, device, gateways). */
  invalid: number;
  /**
   * Per `up` event: its `time` (the first copy's arrival at the server's socket, ms precision)
   * → received here, on the wall clock both processes share (ms). With the server's own publish
   * delay, this tells the server's part of the latency from the delivery's (MQTT, this client).
   */
  sinceSocketMs: number[];
}

/** Every SAMPLE-th `up` event is parsed whole and checked field by field. */
const SAMPLE = 64;

/**
 * The application side of the bench: one MQTT client logged in with the admin token, subscribed to
 * every application event, as an integration would be. Each `up` event names its uplink through
 * its payload (the first 8 bytes carry step and index), so loss and duplicates are exact.
 */
export class EventSink {
  readonly counts: Record<string, number> = {};
  /** Events of a step other than the current one (late, after that step was judged). */
  stale = 0;
  private tracked: TrackedStep | undefined;
  private events: StepEvents | undefined;
  private seen = 0;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    // Every later step would count its uplinks as lost: say why instead.
    client.on('close', () => {
      if (!this.ending) console.log('  MQTT subscriber: the server closed the connection');
    });
  }

  private ending = false;

  static async connect(port: number, token: string): Promise<EventSink> {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'bench',
      password: token,
      reconnectPeriod: 0,
      clientId: `bench-${process.pid}`,
    });
    const granted = await client.subscribeAsync('application/+/device/+/event/+', { qos: 0 });
    if (granted[0]?.qos === 128) throw new Error('MQTT subscription refused');
    return new EventSink(client);
  }

  track(step: TrackedStep): StepEvents {
    this.tracked = step;
    this.events = { received: new Float64Array(step.count), duplicates: 0, invalid: 0, sinceSocketMs: [] };
    return this.events;
  }

  untrack(): void {
    this.tracked = undefined;
    this.events = undefined;
  }

  async close(): Promise<void> {
    this.ending = true;
    await this.client.endAsync(true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const at = nowMs();
    const type = topic.slice(topic.lastIndexOf('/') + 1);
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    const t = this.tracked;
    const e = this.events;
    if (type === 'up') return this.onUp(payload, at, t, e);
    if (type === 'join' && t?.kind === 'join' && e) {
      // application/{id}/device/{devEui}/event/join
      const devEui = topic.split('/')[3];
      const i = t.joinIndex?.get(devEui);
      if (i === undefined) return void this.stale++;
      if (e.received[i] === 0) e.received[i] = at;
      else e.duplicates++;
    }
  }

  private onUp(payload: Buffer, at: number, t: TrackedStep | undefined, e: StepEvents | undefined): void {
    const start = payload.indexOf('"data":"');
    if (start < 0) return;
    const end = payload.indexOf(0x22, start + 8);
    const data = Buffer.from(payload.toString('latin1', start + 8, end), 'base64');
    if (data.length < 8) return;
    const step = data.readUInt32BE(0);
    if (!t || !e || t.kind !== 'up' || step !== t.step) return void this.stale++;
    const i = data.readUInt32BE(4);
    if (i >= t.count) return void e.invalid++;
    if (data.length !== t.payloadSize || data[data.length - 1] !== 0xa5) e.invalid++;
    if (++this.seen % SAMPLE === 0 && !this.wellFormed(payload, t, i)) e.invalid++;
    if (e.received[i] === 0) {
      e.received[i] = at;
      const time = payload.indexOf('"time":"');
      if (time >= 0)
        e.sinceSocketMs.push(Date.now() - Date.parse(payload.toString('latin1', time + 8, time + 32)));
    } else e.duplicates++;
  }

  /** The ChirpStack v4 `up` shape, the right device, all three gateways. */
  private wellFormed(payload: Buffer, t: TrackedStep, i: number): boolean {
    const up = JSON.parse(payload.toString('utf8')) as {
      deviceInfo?: { devEui?: string };
      rxInfo?: Array<{ gatewayId?: string; rssi?: number }>;
      txInfo?: { frequency?: number };
      fCnt?: number;
      fPort?: number;
    };
    return (
      up.deviceInfo?.devEui === t.devEuiOf?.(i) &&
      up.rxInfo?.length === 3 &&
      typeof up.txInfo?.frequency === 'number' &&
      typeof up.fCnt === 'number' &&
      up.fPort === 1
    );
  }
}
