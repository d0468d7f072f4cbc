/**
 * Time on air, in milliseconds.
 * LoRa: Semtech AN1200.13 "LoRa Modem Designer's Guide" §4 / SX1276 datasheet §4.1.1.7:
 *   Tsym = 2^SF / BW
 *   Tpreamble = (nPreamble + 4.25) · Tsym
 *   nPayload = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0)
 * with CR = 1..4 for 4/5..4/8, IH = 1 for implicit header, DE = 1 with low-data-rate optimisation.
 * LoRaWAN uses 8 preamble symbols, an explicit header, a payload CRC on uplinks and none on downlinks
 * (L104 §4.1), and LDRO where the symbol time reaches 16 ms (SF11/SF12 at 125 kHz, SF12 at 250 kHz).
 */
import { LorawanError } from './errors';
import type { DataRate } from './regions/region';

export type LoraCodingRate = '4/5' | '4/6' | '4/7' | '4/8';

export interface LoraAirtimeParams {
  readonly spreadingFactor: number;
  /** Hz. */
  readonly bandwidth: number;
  /** PHYPayload bytes. */
  readonly payloadSize: number;
  readonly codingRate?: LoraCodingRate;
  readonly preambleSymbols?: number;
  readonly explicitHeader?: boolean;
  readonly crc?: boolean;
  /** Default: on when the symbol time is ≥ 16 ms. */
  readonly lowDataRateOptimize?: boolean;
}

export interface FskAirtimeParams {
  readonly bitRate: number;
  /** PHYPayload bytes. */
  readonly payloadSize: number;
  /** RP002 FSK frame: 5 preamble bytes, 3-byte sync word, 1 length byte, 2-byte CRC. */
  readonly preambleBytes?: number;
  readonly crc?: boolean;
}

const CR_INDEX: Readonly<Record<LoraCodingRate, number>> = { '4/5': 1, '4/6': 2, '4/7': 3, '4/8': 4 };
const LDRO_SYMBOL_MS = 16;

function checkPayloadSize(payloadSize: number): void {
  if (!Number.isInteger(payloadSize) || payloadSize < 0 || payloadSize > 255) {
    throw new LorawanError('BAD_FIELD', `payload size ${payloadSize} outside 0..255`);
  }
}

/** Symbol time in milliseconds. */
export function loraSymbolTime(spreadingFactor: number, bandwidth: number): number {
  if (!Number.isInteger(spreadingFactor) || spreadingFactor < 5 || spreadingFactor > 12) {
    throw new LorawanError('BAD_FIELD', `spreading factor ${spreadingFactor} outside 5..12`);
  }
  if (!(bandwidth > 0)) throw new LorawanError('BAD_FIELD', `bandwidth ${bandwidth} must be positive`);
  return (2 ** spreadingFactor * 1000) / bandwidth;
}

/** Number of payload symbols (header + payload + CRC), AN1200.13 formula. */
export function loraPayloadSymbols(p: LoraAirtimeParams): number {
  checkPayloadSize(p.payloadSize);
  const cr = CR_INDEX[p.codingRate ?? '4/5'];
  if (cr === undefined) throw new LorawanError('BAD_FIELD', `coding rate ${p.codingRate} is not 4/5..4/8`);
  const sf = p.spreadingFactor;
  const de = (p.lowDataRateOptimize ?? loraSymbolTime(sf, p.bandwidth) >= LDRO_SYMBOL_MS) ? 1 : 0;
  const ih = (p.explicitHeader ?? true) ? 0 : 1;
  const crc = (p.crc ?? true) ? 1 : 0;
  const numerator = 8 * p.payloadSize - 4 * sf + 28 + 16 * crc - 20 * ih;
  return 8 + Math.max(Math.ceil(numerator / (4 * (sf - 2 * de))) * (cr + 4), 0);
}

export function loraTimeOnAir(p: LoraAirtimeParams): number {
  const tSym = loraSymbolTime(p.spreadingFactor, p.bandwidth);
  const preamble = p.preambleSymbols ?? 8;
  if (!Number.isInteger(preamble) || preamble < 0)
    throw new LorawanError('BAD_FIELD', `preamble ${preamble} symbols`);
  return (preamble + 4.25 + loraPayloadSymbols(p)) * tSym;
}

export function fskTimeOnAir(p: FskAirtimeParams): number {
  checkPayloadSize(p.payloadSize);
  if (!(p.bitRate > 0)) throw new LorawanError('BAD_FIELD', `bit rate ${p.bitRate} must be positive`);
  const bytes = (p.preambleBytes ?? 5) + 3 + 1 + p.payloadSize + ((p.crc ?? true) ? 2 : 0);
  return (bytes * 8 * 1000) / p.bitRate;
}

/** Time on air of a PHYPayload of `payloadSize` bytes at a region's data rate. */
export function timeOnAir(dataRate: DataRate, payloadSize: number, direction: 'uplink' | 'downlink'): number {
  switch (dataRate.modulation) {
    case 'LORA':
      return loraTimeOnAir({
        spreadingFactor: dataRate.spreadingFactor,
        bandwidth: dataRate.bandwidth,
        codingRate: dataRate.codingRate,
        payloadSize,
        crc: direction === 'uplink',
      });
    case 'FSK':
      return fskTimeOnAir({ bitRate: dataRate.bitRate, payloadSize });
    default:
      throw new LorawanError('BAD_FIELD', `time on air of ${dataRate.modulation} is not modelled`);
  }
}
