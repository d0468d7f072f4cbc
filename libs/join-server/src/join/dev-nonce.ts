import { DevNoncePolicy, JoinNonceState } from '../device/js-device';

/**
 * How many DevNonces the `set` policy remembers. 1.0.0-1.0.3 devices draw DevNonce at random and the
 * spec only asks the server to remember "a certain number" of them (L1.0.1 §6.2.4, quoted in
 * brocaar/chirpstack-network-server#116). 1024 values (2 KiB per device) cover years of joins of a
 * well-behaved device, while the odds that a random DevNonce hits the window stay at 1024/65536 per
 * join — a device that collides simply joins again with another random value. The oldest are dropped.
 */
export const USED_DEV_NONCE_LIMIT = 1024;

export type DevNonceCheck = { ok: true } | { ok: false; description: string };

/**
 * Is `devNonce` acceptable under the device's policy?
 * - counter (L104 §6.2.5 l.1439-1440, L11 §6.2.2): "ignores Join-Requests if DevNonce is not incremented";
 * - set: a DevNonce already used by this device is refused;
 * - off: anything goes.
 */
export function checkDevNonce(state: JoinNonceState, devNonce: number): DevNonceCheck {
  switch (state.devNoncePolicy) {
    case 'counter':
      if (state.lastDevNonce !== null && devNonce <= state.lastDevNonce) {
        return {
          ok: false,
          description: `DevNonce not incremented: ${devNonce} is not above the last accepted ${state.lastDevNonce}`,
        };
      }
      return { ok: true };
    case 'set':
      if (state.usedDevNonces.includes(devNonce)) {
        return { ok: false, description: `DevNonce already used: ${devNonce}` };
      }
      return { ok: true };
    case 'off':
      return { ok: true };
  }
}

/**
 * The state after `devNonce` was accepted: the last value always (so that switching to `counter` has a
 * floor), the bounded history only under `set` — a counter needs nothing else.
 */
export function recordDevNonce(state: JoinNonceState, devNonce: number): JoinNonceState {
  const usedDevNonces =
    state.devNoncePolicy === 'set'
      ? [...state.usedDevNonces, devNonce].slice(-USED_DEV_NONCE_LIMIT)
      : state.usedDevNonces;
  return { ...state, lastDevNonce: devNonce, usedDevNonces };
}

/** The operator's flush: the device may use any DevNonce again (chirpstack/chirpstack#601). */
export function flushDevNonces(state: JoinNonceState): JoinNonceState {
  return { ...state, lastDevNonce: null, usedDevNonces: [] };
}

/**
 * A policy change. Moving to `set` keeps the last value as its first entry so the one nonce we know was
 * used stays refused; leaving `set` drops the history it alone needed.
 */
export function changeDevNoncePolicy(state: JoinNonceState, policy: DevNoncePolicy): JoinNonceState {
  if (policy === state.devNoncePolicy) return state;
  const usedDevNonces = policy === 'set' ? (state.lastDevNonce === null ? [] : [state.lastDevNonce]) : [];
  return { ...state, devNoncePolicy: policy, usedDevNonces };
}

/** 2 bytes LE per DevNonce: the stored form of the `set` history. */
export function encodeDevNonces(nonces: readonly number[]): Buffer | null {
  if (nonces.length === 0) return null;
  const buf = Buffer.allocUnsafe(nonces.length * 2);
  nonces.forEach((n, i) => buf.writeUInt16LE(n, i * 2));
  return buf;
}

export function decodeDevNonces(buf: Buffer | null): number[] {
  if (!buf) return [];
  const out: number[] = [];
  for (let i = 0; i + 1 < buf.length; i += 2) out.push(buf.readUInt16LE(i));
  return out;
}
