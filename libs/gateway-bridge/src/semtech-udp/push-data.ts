import { isObject } from './json-fields';
import { decodeRxpk, RxPacket } from './rxpk';
import { SemtechUdpError, Decoded, fail, ok } from './semtech-udp-error';
import { decodeStat, GatewayStat } from './stat';

/**
 * The most rxpk one PUSH_DATA may carry: NB_PKT_MAX of the sx1302_hal lora_pkt_fwd
 * ("max number of packets per fetch/send cycle"; lora_pkt_fwd 4.0.1 for the SX1301 has
 * 8). No Semtech forwarder sends more, so a longer array is refused whole. A lower bound
 * such as 64 would drop real traffic from an SX1302 gateway catching up after a stall.
 */
export const MAX_RXPK_PER_DATAGRAM = 255;

export interface PushDataContent {
  /** Good packets (CRC OK, or sent without CRC), in datagram order. */
  packets: RxPacket[];
  /** Elements of `rxpk`, whatever became of them. */
  rxpkCount: number;
  /** rxpk with `stat` -1: dropped, counted. */
  badCrc: number;
  /** rxpk refused for their content, each with its field. */
  rejected: SemtechUdpError[];
  stat?: GatewayStat;
  /** Set when a `stat` was present but refused; the packets are used all the same. */
  statError?: SemtechUdpError;
}

/**
 * The JSON object of a PUSH_DATA (PROTOCOL.TXT §4): `rxpk` (array) and/or `stat`
 * (object). Each rxpk stands alone: one bad element does not cost the others.
 */
export function decodePushData(body: Record<string, unknown>, gatewayId: string): Decoded<PushDataContent> {
  const { rxpk, stat } = body;
  if (rxpk !== undefined && !Array.isArray(rxpk)) return fail('BAD_FIELD', 'rxpk must be an array', 'rxpk');
  if (rxpk && rxpk.length > MAX_RXPK_PER_DATAGRAM) {
    return fail(
      'TOO_MANY_RXPK',
      `${rxpk.length} rxpk in one datagram, at most ${MAX_RXPK_PER_DATAGRAM}`,
      'rxpk',
    );
  }
  if (stat !== undefined && !isObject(stat)) return fail('BAD_FIELD', 'stat must be an object', 'stat');

  const content: PushDataContent = { packets: [], rxpkCount: rxpk?.length ?? 0, badCrc: 0, rejected: [] };
  if (rxpk) {
    for (let i = 0; i < rxpk.length; i++) {
      const decoded = decodeRxpk(rxpk[i], gatewayId, `rxpk[${i}]`);
      if (decoded.ok) content.packets.push(decoded.value);
      else if (decoded.error.code === 'BAD_CRC') content.badCrc++;
      else content.rejected.push(decoded.error);
    }
  }
  if (stat !== undefined) {
    const decoded = decodeStat(stat);
    if (decoded.ok) content.stat = decoded.value;
    else content.statError = decoded.error;
  }
  return ok(content);
}
