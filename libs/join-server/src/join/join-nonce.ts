/** JoinNonce is 24 bits on air (L11 §6.2.3). */
export const JOIN_NONCE_MAX = 0xffffff;

/**
 * The JoinNonce of the next join-accept: the last one plus one. JoinNonce "never repeats itself"
 * and 1.0.4/1.1 devices accept only a value above the last they stored (L11 §6.2.3 l.1550-1559,
 * L104 §6.2.6); a device starts with 0 stored (LoRaMac-node), hence the first value is 1.
 * `undefined` once 2^24 − 1 is spent: the device then needs new root keys or a new JoinEUI.
 */
export function nextJoinNonce(lastJoinNonce: number): number | undefined {
  return lastJoinNonce >= JOIN_NONCE_MAX ? undefined : lastJoinNonce + 1;
}
