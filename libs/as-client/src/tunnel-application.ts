import { KeyObject } from 'node:crypto';
import { AppSKeyEnvelope, unwrapAppSKey } from './app-s-key';
import { bytesOf } from './encoding';
import { AsClientError } from './errors';
import { decryptUplink, EncryptedDownlink, encryptDownlink } from './frm-payload';
import { checkRsaPrivateKey, loadPrivateKey } from './private-key';
import { unwrapTransportKey } from './transport-key';

/** `joinServerContext` of an end-to-end application's `up` and `join` events (CONTRACT.md, ChirpStack v4). */
export interface JoinServerContext {
  /** Names the session's AppSKey (TS002 SessionKeyID); a new join, a new id. */
  sessionKeyId: string;
  appSKey: AppSKeyEnvelope;
}

/** The fields of an `up` event the tunnel needs (the event itself may be passed as it came). */
export interface TunnelUpEvent {
  deviceInfo: { devEui: string };
  devAddr: string;
  /** Full 32-bit FCntUp. */
  fCnt: number;
  fPort?: number;
  /** FRMPayload as the device sent it, base64; absent without application payload. */
  data?: string;
  joinServerContext?: JoinServerContext;
}

/** The fields of a `join` event the tunnel needs. */
export interface TunnelJoinEvent {
  deviceInfo: { devEui: string };
  devAddr: string;
  joinServerContext?: JoinServerContext;
}

/** An uplink decrypted. */
export interface TunnelUplink {
  devEui: string;
  devAddr: string;
  fCnt: number;
  fPort?: number;
  /** The application payload in clear; undefined when the frame carried none. */
  payload?: Buffer;
  sessionKeyId: string;
}

export interface TunnelApplicationOptions {
  /** The AS private key (loadPrivateKey), or its PEM. */
  privateKey: KeyObject | string;
  /** AppSKeys kept at most (least recently used dropped first); default 10 000. */
  maxSessions?: number;
}

interface CachedAppSKey {
  envelope: { kekLabel: string; aesKey: string };
  appSKey: Buffer;
}

interface DeviceSessionRef {
  devAddr: string;
  sessionKeyId: string;
  envelope: { kekLabel: string; aesKey: string };
}

/**
 * The application-server side of one or more end-to-end applications, on top of the functions of this SDK:
 * keeps the ASTKs by KEK label (so rotated keys go on working for the sessions made under them), caches
 * AppSKeys by session key id (one RFC 3394 unwrap per session, not per uplink), and remembers each device's
 * latest session, so a downlink is encrypted with the key and DevAddr the device has now.
 */
export class TunnelApplication {
  private readonly privateKey: KeyObject;
  private readonly maxSessions: number;
  private readonly astks = new Map<string, Buffer>();
  private readonly appSKeys = new Map<string, CachedAppSKey>();
  private readonly devices = new Map<string, DeviceSessionRef>();

  constructor(opts: TunnelApplicationOptions) {
    this.privateKey =
      typeof opts.privateKey === 'string'
        ? loadPrivateKey(opts.privateKey)
        : checkRsaPrivateKey(opts.privateKey);
    const max = opts.maxSessions ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new AsClientError('BAD_INPUT', 'maxSessions: expected ≥ 1');
    this.maxSessions = max;
  }

  /**
   * Adds an ASTK from the transport-keys answer `{kekLabel, wrappedKey}`. Decrypted at once, so a key meant
   * for another AS fails here rather than at the first uplink.
   */
  addTransportKey(answer: { kekLabel: string; wrappedKey: string | Buffer }): void {
    if (typeof answer?.kekLabel !== 'string' || answer.kekLabel.length === 0) {
      throw new AsClientError('BAD_INPUT', 'kekLabel: expected a non-empty string');
    }
    const astk = unwrapTransportKey({ privateKey: this.privateKey, wrappedKey: answer.wrappedKey });
    this.astks.set(answer.kekLabel, astk);
  }

  /** Forgets an ASTK (after revoking it, once no session under it is left). */
  removeTransportKey(kekLabel: string): boolean {
    return this.astks.delete(kekLabel);
  }

  hasTransportKey(kekLabel: string): boolean {
    return this.astks.has(kekLabel);
  }

  /** A `join` event: the device's new session; its AppSKey is unwrapped now. */
  handleJoin(event: TunnelJoinEvent): { devEui: string; devAddr: string; sessionKeyId: string } {
    const devEui = deviceOf(event);
    const ctx = event.joinServerContext;
    if (!ctx) throw new AsClientError('NO_SESSION_KEY', `join of ${devEui}: no joinServerContext`);
    this.appSKeyOf(ctx);
    this.remember(devEui, event.devAddr, ctx);
    return { devEui, devAddr: event.devAddr, sessionKeyId: ctx.sessionKeyId };
  }

  /** An `up` event: the payload in clear (undefined when the frame carried none). */
  decryptUp(event: TunnelUpEvent): TunnelUplink {
    const devEui = deviceOf(event);
    const out: TunnelUplink = {
      devEui,
      devAddr: event.devAddr,
      fCnt: event.fCnt,
      sessionKeyId: event.joinServerContext?.sessionKeyId ?? '',
    };
    if (event.fPort !== undefined) out.fPort = event.fPort;
    if (event.data === undefined) return out;
    const ctx = event.joinServerContext;
    if (!ctx) {
      throw new AsClientError(
        'NO_SESSION_KEY',
        `up of ${devEui}: data without joinServerContext (not an end-to-end session)`,
      );
    }
    const appSKey = this.appSKeyOf(ctx);
    this.remember(devEui, event.devAddr, ctx);
    out.payload = decryptUplink({ appSKey, devAddr: event.devAddr, fCnt: event.fCnt, data: event.data });
    return out;
  }

  /**
   * A downlink for the device's latest session (as seen in its last `join` or `up` event), encrypted for
   * counter `fCntDown` (the device state's `nextAFCntDown`): the body to POST to its queue.
   */
  encryptDownlink(p: {
    devEui: string;
    fPort: number;
    payload: Buffer | Uint8Array;
    fCntDown: number;
  }): EncryptedDownlink {
    const ref = this.devices.get(String(p.devEui).toLowerCase());
    if (!ref) {
      throw new AsClientError(
        'UNKNOWN_DEVICE',
        `device ${p.devEui}: no join or up event with its session seen yet`,
      );
    }
    const appSKey = this.appSKeyOf({ sessionKeyId: ref.sessionKeyId, appSKey: ref.envelope });
    return encryptDownlink({
      appSKey,
      devAddr: ref.devAddr,
      fCntDown: p.fCntDown,
      fPort: p.fPort,
      payload: p.payload,
    });
  }

  /** The AppSKey of a session, from the cache when the envelope is the one cached under its id. */
  private appSKeyOf(ctx: JoinServerContext): Buffer {
    const envelope = normalized(ctx.appSKey);
    // An empty id (a session without one) falls back to the envelope itself as the cache key.
    const id = typeof ctx.sessionKeyId === 'string' && ctx.sessionKeyId !== '' ? ctx.sessionKeyId : undefined;
    const cacheKey = id ?? `${envelope.kekLabel}\n${envelope.aesKey}`;
    const hit = this.appSKeys.get(cacheKey);
    if (hit && hit.envelope.kekLabel === envelope.kekLabel && hit.envelope.aesKey === envelope.aesKey) {
      // Least recently used goes first: a Map iterates in insertion order.
      this.appSKeys.delete(cacheKey);
      this.appSKeys.set(cacheKey, hit);
      return hit.appSKey;
    }
    const astk = this.astks.get(envelope.kekLabel);
    if (!astk) {
      throw new AsClientError(
        'UNKNOWN_KEK_LABEL',
        `no ASTK with KEK label ${envelope.kekLabel}: add the transport key it was created with`,
      );
    }
    const appSKey = unwrapAppSKey({ astk, envelope });
    this.appSKeys.set(cacheKey, { envelope, appSKey });
    while (this.appSKeys.size > this.maxSessions) {
      this.appSKeys.delete(this.appSKeys.keys().next().value as string);
    }
    return appSKey;
  }

  private remember(devEui: string, devAddr: string, ctx: JoinServerContext): void {
    this.devices.set(devEui, { devAddr, sessionKeyId: ctx.sessionKeyId, envelope: normalized(ctx.appSKey) });
    while (this.devices.size > this.maxSessions) {
      this.devices.delete(this.devices.keys().next().value as string);
    }
  }
}

function deviceOf(event: { deviceInfo?: { devEui?: unknown } }): string {
  const devEui = event?.deviceInfo?.devEui;
  if (typeof devEui !== 'string' || !/^[0-9a-fA-F]{16}$/.test(devEui)) {
    throw new AsClientError('BAD_INPUT', 'deviceInfo.devEui: expected 16 hex digits');
  }
  return devEui.toLowerCase();
}

function normalized(e: AppSKeyEnvelope): { kekLabel: string; aesKey: string } {
  if (!e || typeof e.kekLabel !== 'string') {
    throw new AsClientError('BAD_INPUT', 'joinServerContext.appSKey: expected {kekLabel, aesKey}');
  }
  return {
    kekLabel: e.kekLabel,
    aesKey: bytesOf(e.aesKey, 'joinServerContext.appSKey.aesKey').toString('base64'),
  };
}
