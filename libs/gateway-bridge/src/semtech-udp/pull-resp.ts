import { formatLoraDataRate, isFskBitRate, LORA_CODE_RATES, LoraCodeRate, Modulation } from './data-rate';
import { isInteger, isUint, UINT32_MAX } from './json-fields';
import { HEADER_LENGTH, PacketType, ProtocolVersion } from './packet-type';
import { MAX_PHY_PAYLOAD_LENGTH } from './phy-payload-data';
import { Decoded, fail, ok } from './semtech-udp-error';

/**
 * One radio packet for the gateway to send (the `txpk` object, PROTOCOL.TXT §6), in
 * the server's units. Exactly one of `imme` and `tmst` says when.
 */
export interface Txpk {
  /** Send at once, ignoring tmst (Class C). */
  imme?: boolean;
  /**
   * Concentrator counter (µs) at which to send (Class A). Computed from the uplink's
   * tmst, wrapping at 2^32: see classATimestamp().
   */
  tmst?: number;
  /** Hz. */
  frequency: number;
  /** Concentrator RF chain; 0 when absent (the TX-capable chain on reference designs). */
  rfChain?: number;
  /** dBm, before the antenna gain the forwarder subtracts. */
  power: number;
  modulation: Modulation;
  spreadingFactor?: number;
  /** Hz. */
  bandwidth?: number;
  codeRate?: LoraCodeRate;
  /** bit/s, FSK only. */
  bitRate?: number;
  /** Hz, FSK only. */
  frequencyDeviation?: number;
  /** LoRaWAN downlinks are sent with inverted IQ so that other gateways do not hear them as uplinks; default true. */
  invertPolarity?: boolean;
  /** Preamble symbols; the forwarder's default (8 LoRa, 5 FSK) when absent. */
  preamble?: number;
  phyPayload: Buffer;
}

const MAX_HZ = 10_000_000_000;

/**
 * The `{"txpk":{...}}` text. Written by hand, not JSON.stringify, so that `freq` keeps
 * its six decimals (Hz precision, PROTOCOL.TXT §6): the forwarder multiplies by 1e6 and
 * truncates, so 868.1 must not arrive as 868.0999999.
 */
export function encodeTxpkJson(txpk: Txpk): Decoded<string> {
  const when =
    txpk.imme === true ? '"imme":true' : txpk.tmst !== undefined ? `"tmst":${txpk.tmst}` : undefined;
  if (when === undefined) return fail('BAD_FIELD', 'one of imme and tmst is needed', 'tmst');
  if (txpk.imme === true && txpk.tmst !== undefined)
    return fail('BAD_FIELD', 'imme and tmst exclude each other', 'tmst');
  if (txpk.tmst !== undefined && !isUint(txpk.tmst, UINT32_MAX)) {
    return fail('BAD_FIELD', 'tmst must be a 32-bit unsigned integer', 'tmst');
  }
  if (!isInteger(txpk.frequency) || txpk.frequency <= 0 || txpk.frequency > MAX_HZ) {
    return fail('BAD_FIELD', 'frequency must be a positive integer of Hz', 'frequency');
  }
  const rfChain = txpk.rfChain ?? 0;
  if (!isUint(rfChain, 255)) return fail('BAD_FIELD', 'rfChain must be an unsigned integer', 'rfChain');
  // The forwarder reads powe into an int8_t (lora_pkt_fwd.c).
  if (!isInteger(txpk.power) || txpk.power < -128 || txpk.power > 127) {
    return fail('BAD_FIELD', 'power must be an integer of dBm', 'power');
  }
  const payload = txpk.phyPayload;
  if (!Buffer.isBuffer(payload) || payload.length === 0 || payload.length > MAX_PHY_PAYLOAD_LENGTH) {
    return fail('BAD_FIELD', `phyPayload must be 1-${MAX_PHY_PAYLOAD_LENGTH} bytes`, 'phyPayload');
  }
  if (txpk.preamble !== undefined && !isUint(txpk.preamble, 0xffff)) {
    return fail('BAD_FIELD', 'preamble must be an unsigned integer', 'preamble');
  }

  let radio: string;
  if (txpk.modulation === 'LORA') {
    const datr = formatLoraDataRate(txpk.spreadingFactor ?? NaN, txpk.bandwidth ?? NaN);
    if (!datr)
      return fail(
        'BAD_FIELD',
        'spreadingFactor 5-12 and bandwidth 125/250/500 kHz are needed',
        'spreadingFactor',
      );
    const codr = txpk.codeRate ?? '4/5';
    if (!LORA_CODE_RATES.includes(codr)) return fail('BAD_FIELD', 'codeRate must be 4/5..4/8', 'codeRate');
    radio = `"modu":"LORA","datr":"${datr}","codr":"${codr}","ipol":${txpk.invertPolarity ?? true}`;
  } else if (txpk.modulation === 'FSK') {
    if (!isFskBitRate(txpk.bitRate))
      return fail('BAD_FIELD', 'bitRate must be the FSK bit rate in bit/s', 'bitRate');
    if (!isUint(txpk.frequencyDeviation, 200_000) || txpk.frequencyDeviation === 0) {
      return fail('BAD_FIELD', 'frequencyDeviation (Hz) is needed for FSK', 'frequencyDeviation');
    }
    radio = `"modu":"FSK","datr":${txpk.bitRate},"fdev":${txpk.frequencyDeviation}`;
  } else {
    return fail('BAD_FIELD', 'modulation must be LORA or FSK', 'modulation');
  }

  const preamble = txpk.preamble === undefined ? '' : `,"prea":${txpk.preamble}`;
  const freq = (txpk.frequency / 1e6).toFixed(6);
  return ok(
    `{"txpk":{${when},"freq":${freq},"rfch":${rfChain},"powe":${txpk.power},${radio}${preamble},` +
      `"size":${payload.length},"data":"${payload.toString('base64')}"}}`,
  );
}

/**
 * PULL_RESP (PROTOCOL.TXT §5.4): the gateway's protocol version, then bytes 1-2 (a
 * random token the gateway returns in TX_ACK under version 2; "unused", sent as 0,
 * under version 1), identifier 0x03, and the txpk JSON. No gateway EUI: the datagram
 * goes to the address of the gateway's latest PULL_DATA.
 */
export function encodePullResp(version: ProtocolVersion, token: number, txpk: Txpk): Decoded<Buffer> {
  if (!isUint(token, 0xffff)) return fail('BAD_FIELD', 'token must be 16 bits', 'token');
  const json = encodeTxpkJson(txpk);
  if (!json.ok) return json;
  const body = Buffer.from(json.value, 'utf8');
  const buf = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  buf[0] = version;
  buf.writeUInt16BE(version === 1 ? 0 : token, 1);
  buf[3] = PacketType.PULL_RESP;
  body.copy(buf, HEADER_LENGTH);
  return ok(buf);
}
