import { isFskBitRate, isLoraCodeRate, LoraCodeRate, Modulation, parseLoraDataRate } from './data-rate';
import { isFiniteNumber, isObject, isUint, UINT32_MAX } from './json-fields';
import { decodePhyPayloadData } from './phy-payload-data';
import { Decoded, fail, ok } from './semtech-udp-error';

/** Radio metadata of one received packet, as the gateway measured it. */
export interface UplinkRxInfo {
  gatewayId: string;
  /**
   * Concentrator counter (µs) at the end of reception, 32-bit: it wraps every ~71.6 min.
   * Class A answers are timed from it: RX1 = (tmst + RECEIVE_DELAY1 µs) mod 2^32.
   */
  tmst: number;
  /** UTC time of reception (ISO 8601), only when the gateway has a GPS or NTP time. */
  time?: string;
  /** GPS time of reception, ms since 1980-01-06 (`tmms`), only with a GPS. */
  gpsTimeMs?: number;
  /** Hz. */
  frequency: number;
  /** Concentrator IF channel. */
  channel: number;
  rfChain: number;
  /** CRC-failed packets never get this far: they are counted and dropped. */
  crcStatus: 'CRC_OK' | 'NO_CRC';
  /** dBm. */
  rssi: number;
  /** dB; LoRa only. */
  snr?: number;
  /** Bytes of PHYPayload. */
  size: number;
}

export interface UplinkTxInfo {
  modulation: Modulation;
  spreadingFactor?: number;
  /** Hz. */
  bandwidth?: number;
  codeRate?: LoraCodeRate | 'OFF';
  /** bit/s, FSK only. */
  bitRate?: number;
}

export interface RxPacket {
  phyPayload: Buffer;
  rx: UplinkRxInfo;
  tx: UplinkTxInfo;
}

/** "ISO 8601 'compact' format" (PROTOCOL.TXT §4), e.g. 2013-03-31T16:21:17.528002Z. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** One RF chain index and IF channel fit in a byte on every concentrator. */
const MAX_CHAIN_INDEX = 255;
const MAX_MHZ = 10_000;

/**
 * One `rxpk` object (PROTOCOL.TXT §4) into a packet with typed metadata, or the first
 * field at fault. A CRC failure (`stat` -1) is reported as BAD_CRC so that the caller
 * counts it apart from malformed input.
 */
export function decodeRxpk(raw: unknown, gatewayId: string, field: string): Decoded<RxPacket> {
  if (!isObject(raw)) return fail('BAD_FIELD', 'rxpk element must be an object', field);
  const stat = raw.stat;
  if (stat !== 1 && stat !== 0 && stat !== -1) {
    return fail('BAD_FIELD', 'stat must be 1 (CRC OK), 0 (no CRC) or -1 (CRC failed)', `${field}.stat`);
  }
  if (stat === -1) return fail('BAD_CRC', 'radio packet failed its CRC', `${field}.stat`);

  const tx = decodeModulation(raw, field);
  if (!tx.ok) return tx;

  if (!isUint(raw.tmst, UINT32_MAX))
    return fail('BAD_FIELD', 'tmst must be a 32-bit unsigned integer', `${field}.tmst`);
  if (!isFiniteNumber(raw.freq) || raw.freq <= 0 || raw.freq > MAX_MHZ) {
    return fail('BAD_FIELD', 'freq must be a positive number of MHz', `${field}.freq`);
  }
  if (!isUint(raw.chan, MAX_CHAIN_INDEX))
    return fail('BAD_FIELD', 'chan must be an unsigned integer', `${field}.chan`);
  if (!isUint(raw.rfch, MAX_CHAIN_INDEX))
    return fail('BAD_FIELD', 'rfch must be an unsigned integer', `${field}.rfch`);
  if (raw.time !== undefined && typeof raw.time !== 'string') {
    return fail('BAD_FIELD', 'time must be a string', `${field}.time`);
  }
  if (raw.tmms !== undefined && !isUint(raw.tmms, Number.MAX_SAFE_INTEGER)) {
    return fail('BAD_FIELD', 'tmms must be an unsigned integer', `${field}.tmms`);
  }

  const signal = decodeSignal(raw, field, tx.value.modulation);
  if (!signal.ok) return signal;

  const phyPayload = decodePhyPayloadData(raw.data, raw.size, field);
  if (!phyPayload.ok) return phyPayload;

  const rx: UplinkRxInfo = {
    gatewayId,
    tmst: raw.tmst,
    // MHz with Hz precision (§4): rounding undoes the binary fraction of e.g. 868.1.
    frequency: Math.round(raw.freq * 1e6),
    channel: raw.chan,
    rfChain: raw.rfch,
    crcStatus: stat === 1 ? 'CRC_OK' : 'NO_CRC',
    rssi: signal.value.rssi,
    size: phyPayload.value.length,
  };
  if (signal.value.snr !== undefined) rx.snr = signal.value.snr;
  // A gateway without a time source sends no `time`, or one that does not parse; the
  // packet is still good, so the field is left out rather than the packet refused.
  if (typeof raw.time === 'string' && ISO_TIME.test(raw.time) && !Number.isNaN(Date.parse(raw.time))) {
    rx.time = raw.time;
  }
  if (raw.tmms !== undefined) rx.gpsTimeMs = raw.tmms as number;
  return ok({ phyPayload: phyPayload.value, rx, tx: tx.value });
}

function decodeModulation(raw: Record<string, unknown>, field: string): Decoded<UplinkTxInfo> {
  if (raw.modu === 'LORA') {
    const dr = parseLoraDataRate(raw.datr);
    if (!dr) return fail('BAD_FIELD', 'datr must be a LoRa data rate such as "SF7BW125"', `${field}.datr`);
    if (!isLoraCodeRate(raw.codr))
      return fail('BAD_FIELD', 'codr must be "4/5".."4/8" or "OFF"', `${field}.codr`);
    return ok({ modulation: 'LORA', ...dr, codeRate: raw.codr });
  }
  if (raw.modu === 'FSK') {
    if (!isFskBitRate(raw.datr))
      return fail('BAD_FIELD', 'datr must be the FSK bit rate in bit/s', `${field}.datr`);
    return ok({ modulation: 'FSK', bitRate: raw.datr });
  }
  // LR-FHSS ("LR-FHSS"/"LRFHSS" from newer forwarders) is not a LoRaWAN 1.0/1.1 data rate we serve.
  return fail('BAD_FIELD', 'modu must be "LORA" or "FSK"', `${field}.modu`);
}

interface Signal {
  rssi: number;
  snr?: number;
}

/**
 * `rssi` and `lsnr` at the top level, or else the best antenna of `rsig` (multi-antenna
 * forwarders put per-antenna `rssic`/`lsnr` there and may omit the top-level pair).
 */
function decodeSignal(raw: Record<string, unknown>, field: string, modulation: Modulation): Decoded<Signal> {
  let rssi: number | undefined;
  let snr: number | undefined;
  if (raw.rssi !== undefined) {
    if (!isFiniteNumber(raw.rssi)) return fail('BAD_FIELD', 'rssi must be a number of dBm', `${field}.rssi`);
    rssi = raw.rssi;
  }
  if (raw.lsnr !== undefined) {
    if (!isFiniteNumber(raw.lsnr)) return fail('BAD_FIELD', 'lsnr must be a number of dB', `${field}.lsnr`);
    snr = raw.lsnr;
  }
  if (raw.rsig !== undefined && (rssi === undefined || (snr === undefined && modulation === 'LORA'))) {
    if (!Array.isArray(raw.rsig)) return fail('BAD_FIELD', 'rsig must be an array', `${field}.rsig`);
    let bestRssi: number | undefined;
    let bestSnr: number | undefined;
    for (let i = 0; i < raw.rsig.length; i++) {
      const antenna: unknown = raw.rsig[i];
      const at = `${field}.rsig[${i}]`;
      if (!isObject(antenna)) return fail('BAD_FIELD', 'rsig element must be an object', at);
      if (antenna.rssic !== undefined && !isFiniteNumber(antenna.rssic)) {
        return fail('BAD_FIELD', 'rssic must be a number of dBm', `${at}.rssic`);
      }
      if (antenna.lsnr !== undefined && !isFiniteNumber(antenna.lsnr)) {
        return fail('BAD_FIELD', 'lsnr must be a number of dB', `${at}.lsnr`);
      }
      if (antenna.rssic !== undefined && (bestRssi === undefined || antenna.rssic > bestRssi))
        bestRssi = antenna.rssic;
      if (antenna.lsnr !== undefined && (bestSnr === undefined || antenna.lsnr > bestSnr))
        bestSnr = antenna.lsnr;
    }
    rssi ??= bestRssi;
    snr ??= bestSnr;
  }
  if (rssi === undefined)
    return fail('BAD_FIELD', 'rssi is missing (neither rssi nor rsig[].rssic)', `${field}.rssi`);
  return ok(snr === undefined ? { rssi } : { rssi, snr });
}
