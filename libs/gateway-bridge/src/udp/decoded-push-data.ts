/*
 * A PUSH_DATA the UDP worker decoded itself, and how its packets travel to the main thread:
 * as numbers and strings in the batch (typed arrays are transferred), not as a datagram the
 * main thread parses again, nor as objects to clone (a structured clone of the decoded rxpk
 * costs more than the JSON.parse it saves: 3.7 against 2.3 µs per datagram, measured).
 *
 * Relative imports only: the worker loads this file without the @lns/* path mapping.
 */
import { DatagramHeader } from '../semtech-udp/header';
import { PacketType } from '../semtech-udp/packet-type';
import { decodePushData, PushDataContent } from '../semtech-udp/push-data';
import { RxPacket, UplinkRxInfo, UplinkTxInfo } from '../semtech-udp/rxpk';

/** A PUSH_DATA whose every rxpk decoded and that carries no `stat`: what most datagrams are. */
export interface DecodedPushData {
  header: DatagramHeader;
  content: PushDataContent;
}

/**
 * The decoded PUSH_DATA when it is the plain kind the worker hands over decoded; null
 * otherwise (a `stat`, a refused rxpk, a bad `rxpk` array): the main thread then gets the
 * datagram itself and decodes it, logging and counting what is wrong, as without a worker.
 */
export function plainPushData(header: DatagramHeader, body: Record<string, unknown>): DecodedPushData | null {
  if (body.stat !== undefined || header.type !== PacketType.PUSH_DATA) return null;
  const decoded = decodePushData(body, header.gatewayId!);
  if (!decoded.ok) return null;
  const content = decoded.value;
  if (content.rejected.length > 0 || content.stat || content.statError) return null;
  return { header, content };
}

/** Numbers per packet in `DatagramBatch.packets`. */
export const PACKET_FIELDS = 13;
const SIZE = 0;
const TMST = 1;
const GPS_TIME_MS = 2;
const FREQUENCY = 3;
const CHANNEL = 4;
const RF_CHAIN = 5;
const CRC_OK = 6;
const RSSI = 7;
const SNR = 8;
const FSK = 9;
const SPREADING_FACTOR = 10;
const BANDWIDTH = 11;
const BIT_RATE = 12;

/**
 * Appends one packet: PACKET_FIELDS numbers (NaN for an absent optional field), two strings
 * (`time` and the LoRa code rate, '' when absent) and its PHYPayload bytes.
 */
export function packPacket(p: RxPacket, numbers: number[], texts: string[], payloads: Buffer[]): void {
  const { rx, tx } = p;
  const fsk = tx.modulation === 'FSK';
  numbers.push(
    p.phyPayload.length,
    rx.tmst,
    rx.gpsTimeMs ?? NaN,
    rx.frequency,
    rx.channel,
    rx.rfChain,
    rx.crcStatus === 'CRC_OK' ? 1 : 0,
    rx.rssi,
    rx.snr ?? NaN,
    fsk ? 1 : 0,
    tx.spreadingFactor ?? NaN,
    tx.bandwidth ?? NaN,
    tx.bitRate ?? NaN,
  );
  texts.push(rx.time ?? '', tx.codeRate ?? '');
  payloads.push(p.phyPayload);
}

/**
 * The packet at row `row` of `numbers`, strings from `texts[text]`, PHYPayload at `offset` of
 * `bytes` (copied: a view would keep the whole batch alive as long as the uplink).
 * Built field by field in decodeRxpk's order, so the objects have its shape.
 */
export function unpackPacket(
  gatewayId: string,
  numbers: Float64Array,
  row: number,
  texts: string[],
  text: number,
  bytes: ArrayBuffer,
  offset: number,
): RxPacket {
  const n = row * PACKET_FIELDS;
  const size = numbers[n + SIZE];
  const phyPayload = Buffer.from(new Uint8Array(bytes, offset, size));
  const rx: UplinkRxInfo = {
    gatewayId,
    tmst: numbers[n + TMST],
    frequency: numbers[n + FREQUENCY],
    channel: numbers[n + CHANNEL],
    rfChain: numbers[n + RF_CHAIN],
    crcStatus: numbers[n + CRC_OK] === 1 ? 'CRC_OK' : 'NO_CRC',
    rssi: numbers[n + RSSI],
    size,
  };
  const snr = numbers[n + SNR];
  if (!Number.isNaN(snr)) rx.snr = snr;
  const time = texts[text];
  if (time !== '') rx.time = time;
  const gpsTimeMs = numbers[n + GPS_TIME_MS];
  if (!Number.isNaN(gpsTimeMs)) rx.gpsTimeMs = gpsTimeMs;
  const tx: UplinkTxInfo =
    numbers[n + FSK] === 1
      ? { modulation: 'FSK', bitRate: numbers[n + BIT_RATE] }
      : {
          modulation: 'LORA',
          spreadingFactor: numbers[n + SPREADING_FACTOR],
          bandwidth: numbers[n + BANDWIDTH],
          codeRate: texts[text + 1] as UplinkTxInfo['codeRate'],
        };
  return { phyPayload, rx, tx };
}
