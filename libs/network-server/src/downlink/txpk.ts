import { DataRate, Region } from '@lns/lorawan';
import { classATimestamp, Txpk } from '@lns/gateway-bridge';

/** Where and how a downlink goes out: one receive window. */
export interface TxWindow {
  name: 'RX1' | 'RX2' | 'RXC';
  /** Hz. */
  frequency: number;
  dataRate: number;
  /** Seconds after the end of the uplink (Class A); absent for Class C (imme). */
  delay?: number;
}

/** RP002: FSK downlinks (DR7 of EU868 …) are 50 kbps GFSK with a 25 kHz deviation. */
const FSK_DEVIATION_RATIO = 0.5;

/** The txpk of a downlink in `window`, timed from the uplink's concentrator `tmst` (Class A) or at once. */
export function buildTxpk(region: Region, window: TxWindow, phyPayload: Buffer, uplinkTmst?: number): Txpk {
  const rate = region.getDataRate(window.dataRate);
  const timing: Pick<Txpk, 'imme' | 'tmst'> =
    window.delay === undefined || uplinkTmst === undefined
      ? { imme: true }
      : { tmst: classATimestamp(uplinkTmst, window.delay * 1_000_000) };
  return {
    ...timing,
    frequency: window.frequency,
    // The TX-capable radio of reference designs (SX1301/SX1302 HAL: rf_chain 0).
    rfChain: 0,
    power: region.downlinkTxPower(window.frequency),
    ...radioOf(rate),
    invertPolarity: true,
    phyPayload,
  };
}

function radioOf(rate: DataRate): Omit<Txpk, 'frequency' | 'power' | 'phyPayload'> {
  switch (rate.modulation) {
    case 'LORA':
      return {
        modulation: 'LORA',
        spreadingFactor: rate.spreadingFactor,
        bandwidth: rate.bandwidth,
        codeRate: rate.codingRate,
      };
    case 'FSK':
      return {
        modulation: 'FSK',
        bitRate: rate.bitRate,
        frequencyDeviation: Math.round(rate.bitRate * FSK_DEVIATION_RATIO),
      };
    default:
      // RP002 marks LR-FHSS uplink-only; no region offers it as a downlink data rate.
      throw new Error(`${rate.modulation} cannot carry a downlink`);
  }
}
