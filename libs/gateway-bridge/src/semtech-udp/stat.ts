import { isFiniteNumber, isObject, isUint, UINT32_MAX } from './json-fields';
import { Decoded, fail, ok } from './semtech-udp-error';

export interface GatewayLocation {
  /** Degrees, north positive. */
  latitude: number;
  /** Degrees, east positive. */
  longitude: number;
  /** Metres; absent when the gateway sent none. */
  altitude?: number;
}

/** A gateway's status report (`stat`, PROTOCOL.TXT §4), counters since the previous report. */
export interface GatewayStat {
  /** The gateway's system time, ISO 8601, when it sent one that parses. */
  time?: string;
  location?: GatewayLocation;
  /** rxnb: radio packets received. */
  rxPacketsReceived?: number;
  /** rxok: of those, with a valid PHY CRC. */
  rxPacketsReceivedOk?: number;
  /** rxfw: radio packets forwarded. */
  rxPacketsForwarded?: number;
  /** ackr: percentage of upstream datagrams that were acknowledged. */
  upstreamAckRatio?: number;
  /** dwnb: downlink datagrams received. */
  txPacketsReceived?: number;
  /** txnb: packets emitted. */
  txPacketsEmitted?: number;
  /** temp: °C (sx1302_hal forwarder). */
  temperature?: number;
}

/** "ISO 8601 'expanded' format" as lora_pkt_fwd writes it: "2014-01-12 08:59:28 GMT". */
const EXPANDED_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (GMT|UTC)$/;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const COUNTERS = [
  ['rxnb', 'rxPacketsReceived'],
  ['rxok', 'rxPacketsReceivedOk'],
  ['rxfw', 'rxPacketsForwarded'],
  ['dwnb', 'txPacketsReceived'],
  ['txnb', 'txPacketsEmitted'],
] as const;

/**
 * The `stat` object. Any field of the wrong type refuses the whole report (a gateway
 * that sends a string for a number is not to be trusted for its position either); the
 * caller still uses the rxpk of the same datagram. Unknown fields are ignored.
 */
export function decodeStat(raw: unknown): Decoded<GatewayStat> {
  if (!isObject(raw)) return fail('BAD_FIELD', 'stat must be an object', 'stat');
  const stat: GatewayStat = {};

  if (raw.time !== undefined) {
    if (typeof raw.time !== 'string') return fail('BAD_FIELD', 'time must be a string', 'stat.time');
    const time = parseStatTime(raw.time);
    if (time) stat.time = time;
  }

  const { lati, long, alti } = raw;
  if (lati !== undefined || long !== undefined) {
    if (!isFiniteNumber(lati) || lati < -90 || lati > 90) {
      return fail('BAD_FIELD', 'lati must be degrees -90..90', 'stat.lati');
    }
    if (!isFiniteNumber(long) || long < -180 || long > 180) {
      return fail('BAD_FIELD', 'long must be degrees -180..180', 'stat.long');
    }
    if (alti !== undefined && !isFiniteNumber(alti))
      return fail('BAD_FIELD', 'alti must be metres', 'stat.alti');
    // 0,0 is what some forwarders report before their GPS has a fix: no position at all.
    if (lati !== 0 || long !== 0) {
      stat.location =
        alti === undefined
          ? { latitude: lati, longitude: long }
          : { latitude: lati, longitude: long, altitude: alti };
    }
  } else if (alti !== undefined && !isFiniteNumber(alti)) {
    return fail('BAD_FIELD', 'alti must be metres', 'stat.alti');
  }

  for (const [key, name] of COUNTERS) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!isUint(v, UINT32_MAX)) return fail('BAD_FIELD', `${key} must be an unsigned integer`, `stat.${key}`);
    stat[name] = v;
  }
  if (raw.ackr !== undefined) {
    if (!isFiniteNumber(raw.ackr) || raw.ackr < 0 || raw.ackr > 100) {
      return fail('BAD_FIELD', 'ackr must be a percentage', 'stat.ackr');
    }
    stat.upstreamAckRatio = raw.ackr;
  }
  if (raw.temp !== undefined) {
    if (!isFiniteNumber(raw.temp)) return fail('BAD_FIELD', 'temp must be °C', 'stat.temp');
    stat.temperature = raw.temp;
  }
  return ok(stat);
}

function parseStatTime(s: string): string | undefined {
  const m = EXPANDED_TIME.exec(s);
  // Date.parse alone reads almost anything as a date ("1" is 2001): only the two ISO shapes are taken.
  const ms = m ? Date.parse(`${m[1]}T${m[2]}Z`) : ISO_TIME.test(s) ? Date.parse(s) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
