import {
  computeUplinkMic10,
  computeUplinkMic11,
  DataUpFrame,
  micEquals,
  micInput,
  reconstructFCnt,
  versionCapabilities,
} from '@lns/lorawan';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { uplinkChannel, uplinkDataRate } from './radio';
import { UplinkTxInfo } from '@lns/gateway-bridge';

/**
 * At most this many MIC computations per uplink. DevAddr reuse is legal (the MIC decides),
 * but unbounded it lets one DevAddr shared by thousands of sessions stall the pipeline, as it
 * did ChirpStack and The Things Stack (chirpstack/chirpstack#362). Sessions heard most
 * recently are tried first; the replay check (an old counter) shares the same budget.
 */
export const MAX_MIC_ATTEMPTS = 8;

export interface Candidate {
  session: DeviceSession;
  ctx: DeviceContext;
}

export interface Authenticated extends Candidate {
  /** The full 32-bit FCntUp the MIC verified with. */
  fCnt: number;
  /** Region data-rate index and uplink channel index of this reception. */
  dataRate: number;
  channel: number | undefined;
}

export type MatchResult = (
  ({ kind: 'match' } & Authenticated) | ({ kind: 'replay' } & Authenticated) | { kind: 'none' }
) & {
  /** MIC computations made. */
  attempts: number;
  /** Candidates were left untried because of MAX_MIC_ATTEMPTS. */
  limited: boolean;
};

/**
 * Finds the session whose keys verify the frame's MIC, with the 32-bit FCnt rebuilt from that
 * session's next expected counter (L11 §4.3.1.5). When no session verifies with the counter
 * ahead, each is tried once more with the counter one 16-bit cycle back: an authentic frame
 * whose counter is behind the session's is a replay, not a MIC failure.
 */
export function matchSession(
  frame: DataUpFrame,
  phyPayload: Buffer,
  tx: UplinkTxInfo,
  frequency: number,
  candidates: readonly Candidate[],
): MatchResult {
  const msg = micInput(phyPayload);
  const ordered = [...candidates].sort((a, b) => (b.session.lastSeenAt ?? 0) - (a.session.lastSeenAt ?? 0));
  let attempts = 0;
  let limited = false;
  const radio = new Map<Candidate, { dataRate: number | undefined; channel: number | undefined }>();
  const radioOf = (c: Candidate) => {
    let r = radio.get(c);
    if (!r) {
      r = {
        dataRate: uplinkDataRate(c.ctx.region, tx),
        channel: uplinkChannel(c.ctx.region, c.session.mac, frequency),
      };
      radio.set(c, r);
    }
    return r;
  };
  const tryMic = (c: Candidate, fCnt: number): Authenticated | undefined => {
    if (attempts >= MAX_MIC_ATTEMPTS) {
      limited = true;
      return undefined;
    }
    const { dataRate, channel } = radioOf(c);
    if (dataRate === undefined) return undefined;
    attempts++;
    if (!verifyMic(c.session, frame, msg, fCnt, dataRate, channel)) return undefined;
    return { ...c, fCnt, dataRate, channel };
  };

  for (const c of ordered) {
    const found = tryMic(c, reconstructFCnt(c.session.fCntUp, frame.fCnt));
    if (found) return { kind: 'match', ...found, attempts, limited };
  }
  for (const c of ordered) {
    const ahead = reconstructFCnt(c.session.fCntUp, frame.fCnt);
    const behind = ahead - 0x10000;
    if (behind < 0) continue;
    const found = tryMic(c, behind);
    if (found) return { kind: 'replay', ...found, attempts, limited };
  }
  return { kind: 'none', attempts, limited };
}

function verifyMic(
  s: DeviceSession,
  frame: DataUpFrame,
  msg: Buffer,
  fCnt: number,
  dataRate: number,
  channel: number | undefined,
): boolean {
  if (!versionCapabilities(s.macVersion).splitsFCntDown) {
    // LoRaWAN 1.0.x §4.4: one CMAC under NwkSKey (held as FNwkSIntKey).
    return micEquals(
      computeUplinkMic10({ nwkSKey: s.fNwkSIntKey, devAddr: frame.devAddr, fCnt, msg }),
      frame.mic,
    );
  }
  // LoRaWAN 1.1 §4.4.2: B1 holds TxDr and TxCh; without a channel index the MIC cannot be checked.
  if (channel === undefined) return false;
  const mic = computeUplinkMic11({
    fNwkSIntKey: s.fNwkSIntKey,
    sNwkSIntKey: s.sNwkSIntKey,
    devAddr: frame.devAddr,
    fCnt,
    msg,
    txDr: dataRate,
    txCh: channel,
    confFCnt: s.pendingAck?.fCntDown ?? Math.max(0, s.aFCntDown - 1),
  });
  return micEquals(mic, frame.mic);
}
