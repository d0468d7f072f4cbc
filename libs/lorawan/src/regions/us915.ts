/**
 * US902-928, RP002-1.0.4 §2.5 (cross-checked with TTS `pkg/band/us_902_928.go` +
 * `us_902_928_rp2_v1_0_4.go` and ChirpStack `lrwn/src/region/us915.rs`).
 */
import { defineFixed72Region, lora, lrFhss, payload, Region, rx1FromTable, txOffsets } from './region';

/** RP002-1.0.4 US915 downlink RX1 data rate mapping, RX1DROffset 0..3 (DR7 RFU). */
const RX1_DR_TABLE: Readonly<Record<number, readonly number[]>> = {
  0: [10, 9, 8, 8],
  1: [11, 10, 9, 8],
  2: [12, 11, 10, 9],
  3: [13, 12, 11, 10],
  4: [13, 13, 12, 11],
  5: [10, 9, 8, 8],
  6: [11, 10, 9, 8],
};

export const US915: Region = defineFixed72Region({
  name: 'US915',
  // RP002-1.0.4 §2.5.1
  frequencyRange: { min: 902_000_000, max: 928_000_000 },
  dataRates: {
    0: lora(10, 125_000, 980, true, false),
    1: lora(9, 125_000, 1760, true, false),
    2: lora(8, 125_000, 3125, true, false),
    3: lora(7, 125_000, 5470, true, false),
    4: lora(8, 500_000, 12_500, true, false),
    5: lrFhss(1_523_000, '1/3', 162),
    6: lrFhss(1_523_000, '2/3', 325),
    // DR7 RFU.
    8: lora(12, 500_000, 980, false, true),
    9: lora(11, 500_000, 1760, false, true),
    10: lora(10, 500_000, 3900, false, true),
    11: lora(9, 500_000, 7000, false, true),
    12: lora(8, 500_000, 12_500, false, true),
    13: lora(7, 500_000, 21_900, false, true),
  },
  // The FCC 400 ms dwell limit always applies, so the table already honours it (DR0 M = 19).
  maxPayload: {
    0: payload(19),
    1: payload(61),
    2: payload(133),
    3: payload(250),
    4: payload(250),
    5: payload(58),
    6: payload(133),
    8: payload(61),
    9: payload(137),
    10: payload(250),
    11: payload(250),
    12: payload(250),
    13: payload(250),
  },
  maxAdrDataRate: 3,
  base125: 902_300_000,
  base500: 903_000_000,
  dr125: { min: 0, max: 3 },
  dr500: { min: 4, max: 6 },
  joinDr125: 0,
  joinDr500: 4,
  maxRx1DrOffset: 3,
  rx1DataRate: rx1FromTable(RX1_DR_TABLE, 3),
  rx2: { frequency: 923_300_000, dataRate: 8 },
  txPowerOffsets: txOffsets(14),
  defaultMaxEirp: 30,
  // ChirpStack us915.rs `get_downlink_tx_power_eirp`.
  downlinkTxPower: () => 21,
  implementsTxParamSetup: false,
  bootDwellTime: { uplink: true, downlink: false },
});
