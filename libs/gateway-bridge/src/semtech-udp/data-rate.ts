/**
 * `datr` and `codr` (PROTOCOL.TXT §4, §6): a LoRa data rate is a string "SF<sf>BW<kHz>",
 * an FSK one a number of bits per second; a LoRa coding rate is "4/5".."4/8".
 */

export type Modulation = 'LORA' | 'FSK';

export interface LoraDataRate {
  spreadingFactor: number;
  /** Hz. */
  bandwidth: number;
}

/** SF5 and SF6 exist on the SX1302; SF12 is the top of every chip. */
const MIN_SF = 5;
const MAX_SF = 12;
/** Bandwidths of the SX1301/SX1302 LoRa demodulators and TX, in kHz. */
const LORA_BANDWIDTHS_KHZ = [125, 250, 500];
const LORA_DATR = /^SF(\d{1,2})BW(\d{3})$/;
export const LORA_CODE_RATES = ['4/5', '4/6', '4/7', '4/8'] as const;
export type LoraCodeRate = (typeof LORA_CODE_RATES)[number];

export function parseLoraDataRate(datr: unknown): LoraDataRate | undefined {
  if (typeof datr !== 'string') return undefined;
  const m = LORA_DATR.exec(datr);
  if (!m) return undefined;
  const spreadingFactor = Number(m[1]);
  const bandwidthKhz = Number(m[2]);
  if (spreadingFactor < MIN_SF || spreadingFactor > MAX_SF || !LORA_BANDWIDTHS_KHZ.includes(bandwidthKhz)) {
    return undefined;
  }
  return { spreadingFactor, bandwidth: bandwidthKhz * 1000 };
}

/** "SF9BW125" from SF 9 and 125000 Hz; undefined for a pair no concentrator has. */
export function formatLoraDataRate(spreadingFactor: number, bandwidthHz: number): string | undefined {
  const khz = bandwidthHz / 1000;
  if (!Number.isInteger(spreadingFactor) || spreadingFactor < MIN_SF || spreadingFactor > MAX_SF)
    return undefined;
  if (!LORA_BANDWIDTHS_KHZ.includes(khz)) return undefined;
  return `SF${spreadingFactor}BW${khz}`;
}

/** FSK bit rates go up to 300 kbps on the SX1301 FSK modem. */
export function isFskBitRate(datr: unknown): datr is number {
  return typeof datr === 'number' && Number.isInteger(datr) && datr > 0 && datr <= 300_000;
}

/** "OFF" is what lora_pkt_fwd writes when the HAL reports no coding rate. */
export function isLoraCodeRate(codr: unknown): codr is LoraCodeRate | 'OFF' {
  return codr === 'OFF' || (LORA_CODE_RATES as readonly unknown[]).includes(codr);
}
