/**
 * AS923 groups 1-4, RP002-1.0.4 §2.10 (cross-checked with TTS `pkg/band/as_923.go` +
 * `as_923_rp2_v1_0_4.go` and ChirpStack `lrwn/src/region/as923.rs`). One factory, four frequency offsets.
 */
import { LorawanError } from '../errors';
import { defineDynamicRegion, fsk, lora, payload, Region, RegionName, txOffsets } from './region';

/** RP002-1.0.4 AS923 group frequency offsets, Hz (AS923_FREQ_OFFSET). */
export const AS923_FREQUENCY_OFFSETS = {
  AS923: 0,
  'AS923-2': -1_800_000,
  'AS923-3': -6_600_000,
  'AS923-4': -5_900_000,
} as const satisfies Partial<Record<RegionName, number>>;

/**
 * RP002 AS923 RX1 data rate: DR = upDR − effective offset, where RX1DROffset 6 and 7 mean −1 and −2
 * (the downlink goes faster), clamped to [DR2 with downlink dwell time, DR0 without] .. DR7.
 */
function rx1DataRate(uplinkDr: number, rx1DrOffset: number, downlinkDwellTime: boolean): number {
  if (!Number.isInteger(rx1DrOffset) || rx1DrOffset < 0 || rx1DrOffset > 7) {
    throw new LorawanError('BAD_FIELD', `RX1DROffset ${rx1DrOffset} outside 0..7`);
  }
  const effective = rx1DrOffset > 5 ? 5 - rx1DrOffset : rx1DrOffset;
  const min = downlinkDwellTime ? 2 : 0;
  return Math.min(7, Math.max(min, uplinkDr - effective));
}

function as923(name: keyof typeof AS923_FREQUENCY_OFFSETS): Region {
  const offset = AS923_FREQUENCY_OFFSETS[name];
  return defineDynamicRegion({
    name,
    // RP002-1.0.4 §2.8.1: AS923 band plans span 915-928 MHz.
    frequencyRange: { min: 915_000_000, max: 928_000_000 },
    dataRates: {
      0: lora(12, 125_000, 250),
      1: lora(11, 125_000, 440),
      2: lora(10, 125_000, 980),
      3: lora(9, 125_000, 1760),
      4: lora(8, 125_000, 3125),
      5: lora(7, 125_000, 5470),
      6: lora(7, 250_000, 11_000),
      7: fsk(50_000),
    },
    // RP002-1.0.4 AS923 maximum payload size (not repeater compatible): M without / with 400 ms dwell.
    maxPayload: {
      0: payload(59, null),
      1: payload(59, null),
      2: payload(123, 19),
      3: payload(123, 61),
      4: payload(250, 133),
      5: payload(250, 250),
      6: payload(250, 250),
      7: payload(250, 250),
    },
    maxAdrDataRate: 5,
    defaultChannels: [
      { frequency: 923_200_000 + offset, minDr: 0, maxDr: 5 },
      { frequency: 923_400_000 + offset, minDr: 0, maxDr: 5 },
    ],
    maxRx1DrOffset: 7,
    rx1DataRate,
    rx2: { frequency: 923_200_000 + offset, dataRate: 2 },
    txPowerOffsets: txOffsets(7),
    defaultMaxEirp: 16,
    // ChirpStack as923.rs `get_downlink_tx_power_eirp`.
    downlinkTxPower: () => 16,
    implementsTxParamSetup: true,
    // Country-dependent (TTS leaves it unset); LoRaMac-node boots AS923 with the uplink limit on and
    // the downlink limit off (AS923_DEFAULT_UPLINK_DWELL_TIME 1, REGION_COMMON_DEFAULT_DOWNLINK_DWELL_TIME 0).
    bootDwellTime: { uplink: true, downlink: false },
  });
}

export const AS923: Region = as923('AS923');
export const AS923_2: Region = as923('AS923-2');
export const AS923_3: Region = as923('AS923-3');
export const AS923_4: Region = as923('AS923-4');
