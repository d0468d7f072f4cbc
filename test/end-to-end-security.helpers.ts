import { readdirSync, readFileSync, statSync } from 'node:fs';
import { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { parseJoinEvent, parseUpEvent, TunnelApplication, TunnelUplink } from '@lns/as-client';
import {
  DownlinkResult,
  JoinRequestResult,
  ReceivedDownlink,
  UplinkResult,
  VirtualDevice,
  VirtualGateway,
} from '@lns/simulator';
import { eventually } from './support/udp-probe';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * Helpers of test/end-to-end-security*.e2e-spec.ts: the radio side of a device, the AS's webhook side, and
 * the search for keys in clear.
 */

/** A secret to look for in the database and in the server's output afterwards. */
export interface Secret {
  what: string;
  bytes: Buffer;
}

/**
 * Every text form a key could take in a file or a log line: hex in both cases, and base64 / base64url at
 * each of the three byte alignments (a key inside a longer base64 string shows only its aligned groups).
 */
export function textForms(key: Buffer): string[] {
  const forms = [key.toString('hex'), key.toString('hex').toUpperCase()];
  for (let skip = 0; skip < 3; skip++) {
    const part = key.subarray(skip);
    const b64 = part.subarray(0, part.length - (part.length % 3)).toString('base64');
    forms.push(b64, b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Which secrets appear in clear in `haystack` (raw bytes or a text form), as "what (form) in where". */
export function leaks(secrets: Secret[], haystack: Buffer, where: string): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    if (haystack.includes(s.bytes)) found.push(`${s.what} (raw bytes) in ${where}`);
    for (const form of textForms(s.bytes)) {
      if (haystack.includes(Buffer.from(form))) found.push(`${s.what} (${form}) in ${where}`);
    }
  }
  return found;
}

/** Every file under `dir` (the database, its -wal and -shm files, generated secrets). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The secrets and payloads found in clear in the files under `dataDir`. Payloads are searched as bytes
 * only: a base64 form of a short text could occur by chance.
 */
export function scanDataDir(dataDir: string, secrets: Secret[], payloads: string[], when: string): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dataDir)) {
    const bytes = readFileSync(file);
    found.push(...leaks(secrets, bytes, `${file} (${when})`));
    for (const p of payloads)
      if (bytes.includes(Buffer.from(p))) found.push(`payload "${p}" in ${file} (${when})`);
  }
  return found;
}

/** The same, in what a server process printed. */
export function scanOutput(output: string, secrets: Secret[], payloads: string[], who: string): string[] {
  return scanBytes(Buffer.from(output), secrets, payloads, `${who} stdout/stderr`);
}

/** The same, in any bytes: the MQTT messages and webhook bodies the AS received. */
export function scanBytes(bytes: Buffer, secrets: Secret[], payloads: string[], where: string): string[] {
  const found = leaks(secrets, bytes, where);
  for (const p of payloads) if (bytes.includes(Buffer.from(p))) found.push(`payload "${p}" in ${where}`);
  return found;
}

/** One gateway hearing simulated devices, and handing them the downlinks meant for them. */
export class Radio {
  constructor(readonly gw: VirtualGateway) {}

  async hear(device: VirtualDevice, tx: JoinRequestResult | UplinkResult, tmst: number): Promise<void> {
    const rate = device.region.getDataRate(tx.dataRate);
    if (rate.modulation !== 'LORA') throw new Error('LoRa only');
    await this.gw.sendUplink(tx.phyPayload, {
      frequency: tx.frequency,
      spreadingFactor: rate.spreadingFactor,
      bandwidth: rate.bandwidth,
      tmst,
    });
  }

  /** The PULL_RESP timed for one of `tmsts`; earlier downlinks are passed over. Undefined if none comes. */
  async downlinkAt(tmsts: number[], timeoutMs: number): Promise<ReceivedDownlink | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const left = end - Date.now();
      if (left <= 0) return undefined;
      try {
        const dl = await this.gw.nextDownlink(left);
        if (dl.tmst !== undefined && tmsts.includes(dl.tmst)) return dl;
      } catch {
        return undefined;
      }
    }
  }

  /** Join-request; true once the device accepted the join-accept sent for RX1. */
  async join(device: VirtualDevice, timeoutMs = 10_000): Promise<boolean> {
    const tmst = (this.gw.concentratorTime() + 10_000) >>> 0;
    await this.hear(device, device.joinRequest(), tmst);
    // JOIN_ACCEPT_DELAY1 = 5 s after the end of the join-request (RP002 "Default Settings").
    const dl = await this.downlinkAt([(tmst + 5_000_000) >>> 0], timeoutMs);
    return dl ? device.handleJoinAccept(dl.phyPayload) : false;
  }

  /**
   * A data uplink; the Class A downlink that answers it (RX1 or RX2, RxDelay 1 s) is handed to the device.
   * Resolves with the device's verdict on it, or undefined when none came.
   */
  async uplink(device: VirtualDevice, fPort: number, text: string): Promise<DownlinkResult | undefined> {
    const tmst = (this.gw.concentratorTime() + 10_000) >>> 0;
    await this.hear(device, device.uplink({ fPort, payload: Buffer.from(text) }), tmst);
    const dl = await this.downlinkAt([(tmst + 1_000_000) >>> 0, (tmst + 2_000_000) >>> 0], 1_500);
    return dl ? device.handleDownlink(dl.phyPayload, { snr: 5 }) : undefined;
  }
}

type Json = Record<string, unknown>;

/**
 * The application server's webhook side: an endpoint that takes the application's events only with the
 * webhook's `Authorization` credential, and a TunnelApplication of its own fed by nothing but those
 * deliveries: each body is checked with parseJoinEvent / parseUpEvent, joins are handled and uplinks
 * decrypted as they arrive, as the MQTT side does with its messages. Its own tunnel (the same private key,
 * the same transport keys added) shows the webhook alone is enough, not helped by the MQTT side's cache.
 */
export class WebhookAs {
  private constructor(
    readonly tunnel: TunnelApplication,
    readonly receiver: WebhookReceiver,
    /** Uplinks decrypted from webhook deliveries, by deduplicationId. */
    readonly uplinks: Map<string, TunnelUplink>,
    /** Sessions taken from webhook join events, by deduplicationId. */
    readonly joins: Map<string, { devEui: string; devAddr: string; sessionKeyId: string }>,
  ) {}

  static async start(privateKey: KeyObject, authorization: string): Promise<WebhookAs> {
    const tunnel = new TunnelApplication({ privateKey });
    const uplinks = new Map<string, TunnelUplink>();
    const joins = new Map<string, { devEui: string; devAddr: string; sessionKeyId: string }>();
    // A body that is not a join or up of an end-to-end application throws: the receiver answers 400.
    const receiver = await WebhookReceiver.start(authorization, (type, body) => {
      if (type === 'join') {
        const join = parseJoinEvent(body);
        joins.set(String(join.deduplicationId), tunnel.handleJoin(join));
      } else if (type === 'up') {
        const up = parseUpEvent(body);
        uplinks.set(String(up.deduplicationId), tunnel.decryptUp(up));
      }
    });
    return new WebhookAs(tunnel, receiver, uplinks, joins);
  }

  /**
   * The webhook copy of an event received over MQTT (the same deduplicationId), once it came; when it does
   * not, the error lists what the receiver refused and why.
   */
  async copyOf(type: 'up' | 'join', event: Json, timeoutMs = 8000): Promise<Json> {
    const find = () => this.receiver.events(type).find((e) => e.deduplicationId === event.deduplicationId);
    try {
      await eventually(() => find() !== undefined, timeoutMs);
    } catch {
      throw new Error(
        `no webhook ${type} event ${String(event.deduplicationId)}; refused: ${JSON.stringify(this.receiver.refused)}`,
      );
    }
    return find()!;
  }

  /** Every webhook body received, for the search for secrets in clear. */
  bodies(): Buffer {
    return Buffer.concat(this.receiver.deliveries.map((d) => d.body));
  }
}
