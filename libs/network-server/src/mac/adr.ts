/**
 * The standard ADR algorithm (Semtech "LoRaWAN network server ADR" recommendation, as ChirpStack's
 * `default` algorithm and TTS implement it). Pure and replaceable: `DefaultMacLayer` takes any
 * `AdrAlgorithm`. LoRaWAN 1.1 §4.3.1.1 leaves the algorithm to the network.
 *
 * - SNR margin = best SNR of the last 20 uplinks − SNR the current data rate needs − installation margin.
 * - NStep = floor(margin / 3): each positive step raises the data rate up to the ADR maximum, then lowers
 *   the TX power (raises the TXPower index); each negative step raises the TX power. The data rate is
 *   never lowered (the device's own ADR back-off does that), except to bring it under the maximum.
 * - NbTrans follows the packet loss seen in the FCnt gaps of the history (ChirpStack's table).
 */
import { Region } from '@lns/lorawan';
import { requiredSnr } from './required-snr';

/** Uplinks ADR needs before it changes anything. */
export const ADR_HISTORY_LENGTH = 20;
/** dB of SNR one step trades (one data rate, or one 2 dB TX power step plus headroom). */
const STEP_DB = 3;
export const DEFAULT_INSTALLATION_MARGIN = 10;

export interface AdrHistoryEntry {
  fCnt: number;
  /** Best SNR (dB) over the gateways that heard the uplink. */
  maxSnr: number;
  /** TXPower index in force when it was sent. */
  txPower: number;
}

export interface AdrInput {
  region: Region;
  /** ADR allowed by the profile and requested by the device (uplink ADR bit). */
  enabled: boolean;
  dataRate: number;
  txPower: number;
  nbTrans: number;
  /** Oldest first. */
  history: readonly AdrHistoryEntry[];
  /** dB; default 10. */
  installationMargin?: number;
  /** Highest data rate to assign; default (and capped at) the region's `maxAdrDataRate`. */
  maxDataRate?: number;
  /** Highest TXPower index (lowest power); default the region's last. */
  maxTxPower?: number;
}

export interface AdrResult {
  dataRate: number;
  txPower: number;
  nbTrans: number;
}

export type AdrAlgorithm = (input: AdrInput) => AdrResult;

/** ChirpStack's NbTrans table: rows = packet loss < 5 %, < 10 %, < 30 %, ≥ 30 %; columns = current NbTrans 1..3. */
const NB_TRANS_TABLE: readonly (readonly number[])[] = [
  [1, 1, 2],
  [1, 2, 3],
  [2, 3, 3],
  [3, 3, 3],
];

/** Percentage of uplinks lost, from the FCnt gaps of a full history (0 with fewer entries). */
export function packetLossPercent(history: readonly AdrHistoryEntry[]): number {
  if (history.length < ADR_HISTORY_LENGTH) return 0;
  let lost = 0;
  for (let i = 1; i < history.length; i++) lost += Math.max(0, history[i].fCnt - history[i - 1].fCnt - 1);
  return (lost / history.length) * 100;
}

export function nbTransForLoss(current: number, lossPercent: number): number {
  const column = Math.min(3, Math.max(1, Math.round(current))) - 1;
  const row = lossPercent < 5 ? 0 : lossPercent < 10 ? 1 : lossPercent < 30 ? 2 : 3;
  return NB_TRANS_TABLE[row][column];
}

export const adr: AdrAlgorithm = (input) => {
  const { region, history } = input;
  const unchanged: AdrResult = { dataRate: input.dataRate, txPower: input.txPower, nbTrans: input.nbTrans };
  if (!input.enabled) return unchanged;

  const maxDataRate = Math.min(input.maxDataRate ?? region.maxAdrDataRate, region.maxAdrDataRate);
  const maxTxPower = Math.min(input.maxTxPower ?? Infinity, region.txPowerOffsets.length - 1);
  const required = requiredSnr(region, input.dataRate);
  // FSK and LR-FHSS have no SNR floor to reason about: leave them alone.
  if (required === undefined) return unchanged;

  let dataRate = Math.min(input.dataRate, maxDataRate);
  let txPower = Math.min(input.txPower, maxTxPower);
  if (history.length < ADR_HISTORY_LENGTH) return { dataRate, txPower, nbTrans: input.nbTrans };

  const nbTrans = nbTransForLoss(input.nbTrans, packetLossPercent(history));
  const maxSnr = Math.max(...history.map((h) => h.maxSnr));
  const margin = maxSnr - required - (input.installationMargin ?? DEFAULT_INSTALLATION_MARGIN);
  let nStep = Math.floor(margin / STEP_DB);

  // Raising the power on a history partly sent at another power would chase stale SNRs (ChirpStack waits
  // for a full history at the current power before stepping power up).
  const atCurrentPower = history.filter((h) => h.txPower === input.txPower).length;
  if (nStep < 0 && atCurrentPower < ADR_HISTORY_LENGTH) return { dataRate, txPower, nbTrans };

  while (nStep > 0) {
    if (dataRate < maxDataRate) dataRate++;
    else if (txPower < maxTxPower) txPower++;
    else break;
    nStep--;
  }
  while (nStep < 0 && txPower > 0) {
    txPower--;
    nStep++;
  }
  return { dataRate, txPower, nbTrans };
};
