/**
 * EU863-870, RP002-1.0.4 §2.4 (tables cross-checked with TTS `pkg/band/eu_863_870_rp2_v1_0_4.go` and
 * ChirpStack `lrwn/src/region/eu868.rs`).
 */
import { defineDynamicRegion, fsk, lora, lrFhss, payload, Region, rx1FromTable, txOffsets } from './region';

/** RP002-1.0.4 Table "EU863-870 downlink RX1 data rate mapping", RX1DROffset 0..5. */
const RX1_DR_TABLE: Readonly<Record<number, readonly number[]>> = {
  0: [0, 0, 0, 0, 0, 0],
  1: [1, 0, 0, 0, 0, 0],
  2: [2, 1, 0, 0, 0, 0],
  3: [3, 2, 1, 0, 0, 0],
  4: [4, 3, 2, 1, 0, 0],
  5: [5, 4, 3, 2, 1, 0],
  6: [6, 5, 4, 3, 2, 1],
  7: [7, 6, 5, 4, 3, 2],
  8: [1, 0, 0, 0, 0, 0],
  9: [2, 1, 0, 0, 0, 0],
  10: [1, 0, 0, 0, 0, 0],
  11: [2, 1, 0, 0, 0, 0],
};

export const EU868: Region = defineDynamicRegion({
  name: 'EU868',
  // RP002-1.0.4 §2.4.1
  frequencyRange: { min: 863_000_000, max: 870_000_000 },
  dataRates: {
    0: lora(12, 125_000, 250),
    1: lora(11, 125_000, 440),
    2: lora(10, 125_000, 980),
    3: lora(9, 125_000, 1760),
    4: lora(8, 125_000, 3125),
    5: lora(7, 125_000, 5470),
    6: lora(7, 250_000, 11_000),
    7: fsk(50_000),
    8: lrFhss(137_000, '1/3', 162),
    9: lrFhss(137_000, '2/3', 325),
    10: lrFhss(336_000, '1/3', 162),
    11: lrFhss(336_000, '2/3', 325),
  },
  // No dwell-time limit in EU868: the same sizes apply either way (not repeater compatible).
  maxPayload: {
    0: payload(59),
    1: payload(59),
    2: payload(59),
    3: payload(123),
    4: payload(250),
    5: payload(250),
    6: payload(250),
    7: payload(250),
    8: payload(58),
    9: payload(123),
    10: payload(58),
    11: payload(123),
  },
  maxAdrDataRate: 5,
  defaultChannels: [
    { frequency: 868_100_000, minDr: 0, maxDr: 5 },
    { frequency: 868_300_000, minDr: 0, maxDr: 5 },
    { frequency: 868_500_000, minDr: 0, maxDr: 5 },
  ],
  maxRx1DrOffset: 5,
  rx1DataRate: rx1FromTable(RX1_DR_TABLE, 5),
  rx2: { frequency: 869_525_000, dataRate: 0 },
  txPowerOffsets: txOffsets(7),
  defaultMaxEirp: 16,
  // ChirpStack eu868.rs `get_downlink_tx_power_eirp`: 29 dBm in sub-band P (869.4-869.65 MHz, 500 mW ERP).
  downlinkTxPower: (frequency) => (frequency >= 869_400_000 && frequency < 869_650_000 ? 29 : 16),
  implementsTxParamSetup: false,
  bootDwellTime: { uplink: false, downlink: false },
});
