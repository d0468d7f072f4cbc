import { MacState } from '../mac/mac-state';
import { upgradeUplinkHistory } from '../mac/uplink-history';
import { DeviceSession } from './device-session';

/**
 * The hot copy of a session loaded from its row (`fromSessionRow`), made small because every
 * session is in memory at once (`npm run bench -- --only=fleet`, 100,000 sessions):
 *
 * - its keys are bytes in a shared key slab (`KeySlab`), a 1.0.x NwkSKey once for its three
 *   roles; each read of a key field gives a new 16-byte Buffer over those bytes (a Buffer object
 *   costs about 96 bytes, the session held two to four of them);
 * - its MAC state stays the row's JSON, one string for every session whose JSON is the same
 *   (`sharedMacJson`), until `mac` is first read; each session then parses its own copy.
 *
 * The key fields and `mac` are own enumerable accessors (getters and setters shared by every
 * session, no closure per session), so the session is a DeviceSession like any other to
 * spreads, JSON.stringify and deep equality. Only identity differs: `s.appSKey !== s.appSKey`.
 * Assigning a key field makes it a plain property holding the Buffer given.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the fields are DeviceSession's
export interface LoadedSession extends DeviceSession {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class LoadedSession {
  static readonly #accessors: PropertyDescriptorMap = {
    fNwkSIntKey: LoadedSession.#keyProperty('fNwkSIntKey', 0),
    sNwkSIntKey: LoadedSession.#keyProperty('sNwkSIntKey', 1),
    nwkSEncKey: LoadedSession.#keyProperty('nwkSEncKey', 2),
    mac: {
      get(this: LoadedSession): MacState {
        const mac = this.#mac;
        if (typeof mac !== 'string') return mac;
        const parsed = JSON.parse(mac) as MacState; // valid: checked at load (sharedMacJson)
        upgradeUplinkHistory(parsed);
        this.#mac = parsed;
        return parsed;
      },
      set(this: LoadedSession, mac: MacState): void {
        this.#mac = mac;
      },
      enumerable: true,
      configurable: true,
    },
  };
  static readonly #appSKeyAccessor = LoadedSession.#keyProperty('appSKey', 3);

  static #keyProperty(name: KeyRole, role: number): PropertyDescriptor {
    return {
      get(this: LoadedSession): Buffer {
        const slot = (this.#keyAt >>> (SLOT_BITS + 2 * role)) & 3;
        return Buffer.from(this.#keySlab, ((this.#keyAt & SLOT_MASK) + slot) * KEY_LENGTH, KEY_LENGTH);
      },
      set(this: LoadedSession, key: Buffer): void {
        Object.defineProperty(this, name, {
          value: key,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
      enumerable: true,
      configurable: true,
    };
  }

  #mac: MacState | string;
  readonly #keySlab: ArrayBuffer;
  /** Index of the session's first key in the slab (low bits), then the slot of each role, 2 bits each. */
  readonly #keyAt: number;

  /** `keys`: FNwkSIntKey, SNwkSIntKey, NwkSEncKey and (when the network server holds it) AppSKey. */
  constructor(
    fields: Omit<DeviceSession, KeyRole | 'mac'>,
    keys: readonly Buffer[],
    macJson: string,
    slab: KeySlab,
  ) {
    // Each distinct key once: a 1.0.x session's three network keys are its NwkSKey.
    const distinct: Buffer[] = [];
    let slots = 0;
    keys.forEach((key, role) => {
      let slot = distinct.findIndex((k) => k.equals(key));
      if (slot < 0) slot = distinct.push(key) - 1;
      slots |= slot << (2 * role);
    });
    const { buffer, index } = slab.store(distinct);
    this.#keySlab = buffer;
    this.#keyAt = index | (slots << SLOT_BITS);
    this.#mac = macJson;
    Object.assign(this, fields);
    Object.defineProperties(this, LoadedSession.#accessors);
    if (keys.length > 3) Object.defineProperty(this, 'appSKey', LoadedSession.#appSKeyAccessor);
  }
}

type KeyRole = 'fNwkSIntKey' | 'sNwkSIntKey' | 'nwkSEncKey' | 'appSKey';

const KEY_LENGTH = 16;
/** Keys per slab: 4 KiB. The index of a key in its slab fits SLOT_BITS bits. */
const SLAB_KEYS = 256;
const SLOT_BITS = 8;
const SLOT_MASK = (1 << SLOT_BITS) - 1;

/**
 * Zeroed 4 KiB slabs the loaded sessions' keys are copied into, each session's keys side by
 * side. Not Node's shared Buffer pool: a long-lived key there keeps its whole 8 KiB pool slab
 * alive, with every short-lived Buffer allocated around it while loading. A slab is freed when
 * the last session holding keys in it is.
 */
export class KeySlab {
  private slab = new ArrayBuffer(0);
  /** Keys stored in `slab`: it starts full, the first store takes a slab. */
  private used = SLAB_KEYS;

  store(keys: readonly Buffer[]): { buffer: ArrayBuffer; index: number } {
    if (this.used + keys.length > SLAB_KEYS) {
      this.slab = new ArrayBuffer(SLAB_KEYS * KEY_LENGTH);
      this.used = 0;
    }
    const index = this.used;
    const bytes = new Uint8Array(this.slab);
    keys.forEach((key, i) => bytes.set(key, (index + i) * KEY_LENGTH));
    this.used += keys.length;
    return { buffer: this.slab, index };
  }
}

/** Distinct MAC-state JSON strings met at load; cleared when full, as an active fleet's may all differ. */
const MAC_JSON_SHARED_MAX = 256;
const macJsonShared = new Map<string, string>();

/**
 * The one copy of this MAC-state JSON the loaded sessions share (a fleet of fresh sessions has
 * one state), or undefined when it is not JSON. A string met before was validated then.
 */
export function sharedMacJson(json: string): string | undefined {
  const known = macJsonShared.get(json);
  if (known !== undefined) return known;
  try {
    JSON.parse(json);
  } catch {
    return undefined;
  }
  if (macJsonShared.size >= MAC_JSON_SHARED_MAX) macJsonShared.clear();
  macJsonShared.set(json, json);
  return json;
}
