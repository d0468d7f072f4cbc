/**
 * A device as the embedded join server holds it in memory: root keys still sealed (opened only for
 * the join being answered), the nonce state that makes replays fail, and the owner fields reserved
 * for manufacturer records and claims (issue 5).
 */

/** LoRaWAN versions a join server meets: every 1.0.x (manufacturer records go back to 1.0.0) and 1.1. */
export const JS_MAC_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.1.0'] as const;
export type JsMacVersion = (typeof JS_MAC_VERSIONS)[number];

export function isJsMacVersion(v: unknown): v is JsMacVersion {
  return typeof v === 'string' && (JS_MAC_VERSIONS as readonly string[]).includes(v);
}

/**
 * How DevNonces are checked (see dev-nonce.ts):
 * - `counter`: each DevNonce must exceed the last (L104 §6.2.5, L11 §6.2.2);
 * - `set`: a DevNonce seen before is refused (1.0.0-1.0.3, random DevNonces);
 * - `off`: no check, the operator's escape hatch for a fleet locked out by lost nonce state.
 */
export const DEV_NONCE_POLICIES = ['counter', 'set', 'off'] as const;
export type DevNoncePolicy = (typeof DEV_NONCE_POLICIES)[number];

export function isDevNoncePolicy(v: unknown): v is DevNoncePolicy {
  return typeof v === 'string' && (DEV_NONCE_POLICIES as readonly string[]).includes(v);
}

/** What the spec asks for this version: a counter from 1.0.4 on, never-reuse before. */
export function defaultDevNoncePolicy(macVersion: JsMacVersion): DevNoncePolicy {
  return macVersion === '1.0.4' || macVersion === '1.1.0' ? 'counter' : 'set';
}

/** True for LoRaWAN 1.1: NwkKey signs the join-request, JSIntKey/JSEncKey exist, rejoins exist. */
export function isLoRaWAN11(macVersion: JsMacVersion): boolean {
  return macVersion === '1.1.0';
}

/** The nonce state of one device; changed only by an answered (re)join or by the operator. */
export interface JoinNonceState {
  devNoncePolicy: DevNoncePolicy;
  /** The DevNonce of the last accepted join-request; null after a flush or before the first join. */
  lastDevNonce: number | null;
  /** `set` policy: the last USED_DEV_NONCE_LIMIT DevNonces, oldest first. Empty otherwise. */
  usedDevNonces: number[];
  /** JoinNonce of the last join-accept (24-bit); 0 before the first, so the first one sent is 1. */
  lastJoinNonce: number;
  /**
   * RJcount1 of the last answered Rejoin type 1: "the Join Server keeps track of the last RJcount1"
   * and it never wraps for a JoinEUI (L11 §6.2.4.2). RJcount0 is the network server's (§6.2.4.1).
   */
  rjCount1Last: number | null;
}

export interface JsDevice extends JoinNonceState {
  /** 16 lowercase hex digits. */
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  appKeySealed: Buffer;
  /** 1.1 only. */
  nwkKeySealed: Buffer | null;
  /** The last session's id and AppSKey (sealed), kept for a later AppSKeyReq (TS002). */
  sessionKeyId: string | null;
  appSKeySealed: Buffer | null;
  /**
   * Columns reserved for claims before they were built: written null, never read. Claims live in the
   * manufacturer record (js_manufacturer_records, DeviceOwnershipRegistry); dropping these columns needs
   * a migration.
   */
  owner: string | null;
  ownerTokenSealed: Buffer | null;
  claimedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** KeyCipher contexts: a sealed value only opens in the row and column it was sealed for. */
export const keyContext = {
  appKey: (devEui: string) => `js:${devEui}:appKey`,
  nwkKey: (devEui: string) => `js:${devEui}:nwkKey`,
  appSKey: (devEui: string, sessionKeyId: string) => `js:${devEui}:appSKey:${sessionKeyId}`,
  ownerToken: (devEui: string) => `js:${devEui}:ownerToken`,
};

/**
 * What an operator may see of a device: never a key. Nothing about claims: they are the manufacturer
 * record's (DeviceOwnershipRegistry), which `GET /api/join-server/devices/{devEui}` adds.
 */
export interface JsDeviceView {
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  devNoncePolicy: DevNoncePolicy;
  lastDevNonce: number | null;
  usedDevNonceCount: number;
  lastJoinNonce: number;
  createdAt: string;
}

export function toJsDeviceView(d: JsDevice): JsDeviceView {
  return {
    devEui: d.devEui,
    joinEui: d.joinEui,
    macVersion: d.macVersion,
    devNoncePolicy: d.devNoncePolicy,
    lastDevNonce: d.lastDevNonce,
    usedDevNonceCount: d.usedDevNonces.length,
    lastJoinNonce: d.lastJoinNonce,
    createdAt: d.createdAt.toISOString(),
  };
}
