/**
 * AU915-928, RP002-1.0.4 §2.8 (cross-checked with TTS `pkg/band/au_915_928.go` +
 * `au_915_928_rp2_v1_0_4.go` and ChirpStack `lrwn/src/region/au915.rs`).
 */
import { defineFixed72Region, lora, lrFhss, payload, Region, rx1FromTable, txOffsets } from './region';

/** RP002-1.0.4 AU915 downlink RX1 data rate mapping, RX1DROffset 0..5 (the RP001 table differed). */
const RX1_DR_TABLE: Readonly<Record<number, readonly number[]>> = {
  0: [8, 8, 8, 8, 8, 8],
  1: [9, 8, 8, 8, 8, 8],
  2: [10, 9, 8, 8, 8, 8],
  3: [11, 10, 9, 8, 8, 8],
  4: [12, 11, 10, 9, 8, 8],
  5: [13, 12, 11, 10, 9, 8],
  6: [13, 13, 12, 11, 10, 9],
  7: [9, 8, 8, 8, 8, 8],
};

export const AU915: Region = defineFixed72Region({
  name: 'AU915',
  // RP002-1.0.4 §2.7.1
  frequencyRange: { min: 915_000_000, max: 928_000_000 },
  dataRates: {
    0: lora(12, 125_000, 250, true, false),
    1: lora(11, 125_000, 440, true, false),
    2: lora(10, 125_000, 980, true, false),
    3: lora(9, 125_000, 1760, true, false),
    4: lora(8, 125_000, 3125, true, false),
    5: lora(7, 125_000, 5470, true, false),
    6: lora(8, 500_000, 12_500, true, false),
    7: lrFhss(1_523_000, '1/3', 162),
    8: lora(12, 500_000, 980, false, true),
    9: lora(11, 500_000, 1760, false, true),
    10: lora(10, 500_000, 3900, false, true),
    11: lora(9, 500_000, 7000, false, true),
    12: lora(8, 500_000, 12_500, false, true),
    13: lora(7, 500_000, 21_900, false, true),
  },
  // RP002-1.0.4 AU915 maximum payload size: M without / with the 400 ms uplink dwell limit.
  maxPayload: {
    0: payload(59, null),
    1: payload(59, null),
    2: payload(59, 19),
    3: payload(123, 61),
    4: payload(250, 133),
    5: payload(250, 250),
    6: payload(250, 250),
    7: payload(58, 58),
    8: payload(61, 61),
    9: payload(137, 137),
    10: payload(250, 250),
    11: payload(250, 250),
    12: payload(250, 250),
    13: payload(250, 250),
  },
  maxAdrDataRate: 5,
  base125: 915_200_000,
  base500: 915_900_000,
  dr125: { min: 0, max: 5 },
  dr500: { min: 6, max: 7 },
  // RP002-1.0.4 AU915: Join-requests use DR2 on 125 kHz channels and DR6 on 500 kHz channels.
  joinDr125: 2,
  joinDr500: 6,
  maxRx1DrOffset: 5,
  rx1DataRate: rx1FromTable(RX1_DR_TABLE, 5),
  rx2: { frequency: 923_300_000, dataRate: 8 },
  txPowerOffsets: txOffsets(14),
  defaultMaxEirp: 30,
  // ChirpStack au915.rs `get_downlink_tx_power_eirp`.
  downlinkTxPower: () => 30,
  implementsTxParamSetup: true,
  bootDwellTime: { uplink: true, downlink: false },
});
