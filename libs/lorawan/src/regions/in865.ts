/**
 * IN865-867, RP002-1.0.4 §2.13 (cross-checked with TTS `pkg/band/in_865_867_rp2_v1_0_4.go`, ChirpStack
 * `lrwn/src/region/in865.rs` and Semtech LoRaMac-node `src/mac/region/RegionIN865.h`).
 */
import { defineDynamicRegion, fsk, lora, payload, Region, rx1FromTable, txOffsets } from './region';

/**
 * RP002 IN865 downlink RX1 data rate mapping, RX1DROffset 0..7 (6 and 7 raise the data rate; DR6 is RFU,
 * so it is skipped). Transcribed from LoRaMac-node `EffectiveRx1DrOffsetIN865` (REGION_VERSION
 * 0x02010001 = RP002). TTS and ChirpStack differ in the DR4..DR7 cells that would land on RFU DR6.
 */
const RX1_DR_TABLE: Readonly<Record<number, readonly number[]>> = {
  0: [0, 0, 0, 0, 0, 0, 1, 2],
  1: [1, 0, 0, 0, 0, 0, 2, 3],
  2: [2, 1, 0, 0, 0, 0, 3, 4],
  3: [3, 2, 1, 0, 0, 0, 4, 5],
  4: [4, 3, 2, 1, 0, 0, 5, 5],
  5: [5, 4, 3, 2, 1, 0, 5, 7],
  7: [7, 5, 5, 4, 3, 2, 7, 7],
};

export const IN865: Region = defineDynamicRegion({
  name: 'IN865',
  // RP002-1.0.4 §2.10.1
  frequencyRange: { min: 865_000_000, max: 867_000_000 },
  dataRates: {
    0: lora(12, 125_000, 250),
    1: lora(11, 125_000, 440),
    2: lora(10, 125_000, 980),
    3: lora(9, 125_000, 1760),
    4: lora(8, 125_000, 3125),
    5: lora(7, 125_000, 5470),
    // DR6 RFU.
    7: fsk(50_000),
  },
  maxPayload: {
    0: payload(59),
    1: payload(59),
    2: payload(59),
    3: payload(123),
    4: payload(250),
    5: payload(250),
    7: payload(250),
  },
  maxAdrDataRate: 5,
  defaultChannels: [
    { frequency: 865_062_500, minDr: 0, maxDr: 5 },
    { frequency: 865_402_500, minDr: 0, maxDr: 5 },
    { frequency: 865_985_000, minDr: 0, maxDr: 5 },
  ],
  maxRx1DrOffset: 7,
  rx1DataRate: rx1FromTable(RX1_DR_TABLE, 7),
  rx2: { frequency: 866_550_000, dataRate: 2 },
  txPowerOffsets: txOffsets(10),
  defaultMaxEirp: 30,
  // ChirpStack in865.rs `get_downlink_tx_power_eirp`.
  downlinkTxPower: () => 30,
  implementsTxParamSetup: false,
  bootDwellTime: { uplink: false, downlink: false },
});
