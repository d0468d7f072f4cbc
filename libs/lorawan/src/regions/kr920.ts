/**
 * KR920-923, RP002-1.0.4 §2.14 (tables cross-checked with TTS `pkg/band/kr_920_923_rp2_v1_0_4.go` and
 * ChirpStack `lrwn/src/region/kr920.rs`).
 */
import { defineDynamicRegion, lora, payload, Region, rx1FromTable, txOffsets } from './region';

/** RP002-1.0.4 KR920 downlink RX1 data rate mapping, RX1DROffset 0..5. */
const RX1_DR_TABLE: Readonly<Record<number, readonly number[]>> = {
  0: [0, 0, 0, 0, 0, 0],
  1: [1, 0, 0, 0, 0, 0],
  2: [2, 1, 0, 0, 0, 0],
  3: [3, 2, 1, 0, 0, 0],
  4: [4, 3, 2, 1, 0, 0],
  5: [5, 4, 3, 2, 1, 0],
};

export const KR920: Region = defineDynamicRegion({
  name: 'KR920',
  // RP002-1.0.4 §2.11.1
  frequencyRange: { min: 920_900_000, max: 923_300_000 },
  dataRates: {
    0: lora(12, 125_000, 250),
    1: lora(11, 125_000, 440),
    2: lora(10, 125_000, 980),
    3: lora(9, 125_000, 1760),
    4: lora(8, 125_000, 3125),
    5: lora(7, 125_000, 5470),
  },
  maxPayload: {
    0: payload(59),
    1: payload(59),
    2: payload(59),
    3: payload(123),
    4: payload(250),
    5: payload(250),
  },
  maxAdrDataRate: 5,
  defaultChannels: [
    { frequency: 922_100_000, minDr: 0, maxDr: 5 },
    { frequency: 922_300_000, minDr: 0, maxDr: 5 },
    { frequency: 922_500_000, minDr: 0, maxDr: 5 },
  ],
  maxRx1DrOffset: 5,
  rx1DataRate: rx1FromTable(RX1_DR_TABLE, 5),
  rx2: { frequency: 921_900_000, dataRate: 0 },
  txPowerOffsets: txOffsets(7),
  defaultMaxEirp: 14,
  // ChirpStack kr920.rs `get_downlink_tx_power_eirp`.
  downlinkTxPower: () => 23,
  implementsTxParamSetup: false,
  bootDwellTime: { uplink: false, downlink: false },
});
