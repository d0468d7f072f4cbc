import { LorawanError } from './errors';

/**
 * Frame counters: 32 bits in the session, 16 LSB on air (L11 §4.3.1.5, L102 §4.3.1.5). The receiver rebuilds
 * the full value from the counter it expects next, then checks the MIC with it: a wrong guess fails the MIC.
 */

/**
 * MAX_FCNT_GAP of LoRaWAN 1.0.0-1.0.3 (rule: L102 §4.3.1.5; value: TTS `band/shared.go` MaxFCntGap).
 * LoRaWAN 1.1 dropped the rule as "unnecessary with 32bit counters" (L11 change list, line 2575), and so did
 * 1.0.4 (TTS `macspec.HasMaxFCntGap`: < 1.0.4; reference §2.9).
 */
export const MAX_FCNT_GAP = 16384;

/**
 * The full 32-bit counter of a received frame, given `next`, the full counter expected next (last accepted
 * + 1; 0 for a session that has received nothing) and `fCnt16`, the FCnt field on air.
 * The algorithm is ChirpStack's `get_full_f_cnt_up` (chirpstack/src/storage/device.rs):
 * - the 16 bits of the last accepted frame (next − 1) mean a retransmission of it: return next − 1;
 * - otherwise the frame is `gap = (fCnt16 − next) mod 2^16` ahead: return (next + gap) mod 2^32.
 * One deliberate difference: when `next` is 0 there is no previous frame, so 0xFFFF is a gap of 65535 rather
 * than a retransmission of frame −1 (ChirpStack would underflow there).
 * A result below `next` other than next − 1 means the 32-bit counter wrapped (see {@link isRetransmission}).
 */
export function reconstructFCnt(next: number, fCnt16: number): number {
  uint(next, 0xffffffff, 'next');
  uint(fCnt16, 0xffff, 'fCnt16');
  const nextLsb = next & 0xffff;
  if (next > 0 && fCnt16 === ((nextLsb - 1) & 0xffff)) return next - 1;
  const gap = (fCnt16 - nextLsb) & 0xffff;
  return (next + gap) >>> 0;
}

/**
 * Whether a frame whose reconstructed counter is `fCnt` repeats the last accepted frame (counter `next` − 1):
 * an NbTrans repetition or a retransmission of a confirmed frame, which carries the same FCnt
 * (L11 §4.3.1.5, §4.3.1.3). The network server must not forward its payload twice (reference §2.9).
 */
export function isRetransmission(next: number, fCnt: number): boolean {
  uint(next, 0xffffffff, 'next');
  uint(fCnt, 0xffffffff, 'fCnt');
  return next > 0 && fCnt === next - 1;
}

/**
 * Whether the MAC version has the MAX_FCNT_GAP rule: LoRaWAN 1.0.0 to 1.0.3 only (TTS
 * `macspec.HasMaxFCntGap`, reference §2.9). `macVersion` is "1.0", "1.0.2", "1.0.2-b", "1.1", "1.1.0", ...
 */
export function hasMaxFCntGap(macVersion: string): boolean {
  const [major, minor, patch] = parseMacVersion(macVersion);
  return major === 1 && minor === 0 && patch < 4;
}

/**
 * Whether a counter gap is acceptable for the MAC version. `gap` is the spec's "difference between the FCnt
 * received and the stored counter", i.e. received − last accepted = `reconstructFCnt(...)` − next + 1.
 * Before 1.0.4 a frame is kept in sync only if that difference "is less than MAX_FCNT_GAP" and discarded
 * beyond (L102 §4.3.1.5); 1.0.4 and 1.1 accept any gap (see {@link MAX_FCNT_GAP}).
 */
export function isFCntGapAllowed(macVersion: string, gap: number): boolean {
  uint(gap, 0xffffffff, 'gap');
  return !hasMaxFCntGap(macVersion) || gap < MAX_FCNT_GAP;
}

/** [major, minor, patch] of "1.0", "1.0.3", "1.0.2-b", "1.0.2b", "1.1.0", "v1.1"; BAD_FIELD otherwise. */
function parseMacVersion(v: string): [number, number, number] {
  const m =
    typeof v === 'string' ? /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-.\s]?(?:rev\s*)?[a-z])?$/i.exec(v.trim()) : null;
  if (m === null) throw new LorawanError('BAD_FIELD', `macVersion: ${String(v)} is not a LoRaWAN version`);
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
}

function uint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new LorawanError('BAD_FIELD', `${what}: ${String(v)} is not an integer in 0..${max}`);
  }
}
