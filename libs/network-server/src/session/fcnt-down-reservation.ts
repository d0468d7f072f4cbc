import { DeviceSession } from './device-session';

/**
 * One group commit for a Class A answer instead of two.
 *
 * A downlink may leave only once its FCntDown is on disk, so that a restart can never send
 * another frame with the same counter (the device would drop it as a replay). Committed one
 * after the other, the uplink's FCntUp and then the answer's FCntDown cost two commits before
 * the PULL_RESP. Instead, when an answer is expected (a confirmed uplink, a MAC request, a
 * queued downlink), the uplink's commit writes each downlink counter one ahead: the answer's
 * counter is then already used up on disk, and it leaves without waiting for a second commit.
 *
 * The cost: if the server stops after that commit and before the next, it resumes one counter
 * further and skips a value. Skipping is allowed (a device accepts any FCntDown above its last
 * one, L1.0.4 §4.3.1.5, L11 §4.3.1.5; 1.0.2's MAX_FCNT_GAP is 16,384); only a downlink an
 * end-to-end application encrypted with the skipped value is then refused as stale, and the
 * application encrypts it again with the next.
 */

/** The NFCntDown (FCntDown in 1.0.x) and AFCntDown a commit writes. */
export type FCntDownOnDisk = readonly [nFCntDown: number, aFCntDown: number];

/** Reserves one more value of each downlink counter in the session's next commit. */
export function reserveFCntDown(session: DeviceSession): void {
  session.fCntDownReserved = true;
}

/**
 * The counters the next commit writes for `session`, taking the reservation made for it. Never
 * lower than what an earlier commit wrote: a frame may have left on the strength of that value
 * (isFCntDownOnDisk), and a later commit without a reservation (the MAC state, another uplink)
 * must not take it back before the counter in memory passes it.
 */
export function fCntDownToCommit(session: DeviceSession): FCntDownOnDisk {
  const ahead = session.fCntDownReserved ? 1 : 0;
  session.fCntDownReserved = undefined;
  const onDisk = session.fCntDownOnDisk;
  return [
    Math.max(session.nFCntDown + ahead, onDisk?.[0] ?? 0),
    Math.max(session.aFCntDown + ahead, onDisk?.[1] ?? 0),
  ];
}

/** The commit that wrote `written` for `session` succeeded. */
export function fCntDownCommitted(session: DeviceSession, written: FCntDownOnDisk): void {
  session.fCntDownOnDisk = written;
}

/**
 * Whether a frame with this downlink counter is already covered on disk: the last commit wrote
 * a next value above it, so a restart cannot use it again.
 */
export function isFCntDownOnDisk(
  session: DeviceSession,
  counter: 'NFCntDown' | 'AFCntDown',
  fCnt: number,
): boolean {
  const onDisk = session.fCntDownOnDisk;
  if (onDisk === undefined) return false;
  return fCnt < (counter === 'AFCntDown' ? onDisk[1] : onDisk[0]);
}
