/** Messages between the bench (main thread) and the UDP load generator (a worker thread). */

/** An ABP device as provisioned (hex strings as the REST API takes them). */
export interface AbpDeviceSpec {
  devEui: string;
  devAddr: number;
  nwkSKey: string;
  appSKey: string;
}

/** An OTAA device of the local join server. */
export interface OtaaDeviceSpec {
  devEui: string;
  joinEui: string;
  appKey: string;
}

export interface InitCommand {
  kind: 'init';
  /** Server UDP port on 127.0.0.1. */
  port: number;
  /** A multiple of 3: device d is heard by the three gateways of group d mod (gateways / 3). */
  gatewayIds: string[];
  /** Whether the gateways keep a downstream (PULL_DATA) path; the floor server has none. */
  pull: boolean;
  abp: AbpDeviceSpec[];
  /** Each element is used by one join only; more can be added with `addOtaa`. */
  otaa: OtaaDeviceSpec[];
}

export interface AddOtaaCommand {
  kind: 'addOtaa';
  otaa: OtaaDeviceSpec[];
}

/**
 * One load step: `count` uplinks at `rate` per second, uplink i from ABP device i mod D (data),
 * or from OTAA device `firstOtaa + i` (join), each sent as one PUSH_DATA from each of the three
 * gateways of the device's group.
 */
export interface RunCommand {
  kind: 'run';
  step: number;
  mode: 'data' | 'join';
  rate: number;
  count: number;
  /** Every n-th uplink (i mod n = 0) is confirmed; 0 for none. */
  confirmedEvery: number;
  /** data: FRMPayload bytes; the first 8 carry step and index, so an event names its uplink. */
  payloadSize: number;
  firstOtaa: number;
  /**
   * data: build each frame when it is sent and hand every downlink to its device, which answers
   * in its next uplink (MAC commands such as DevStatusReq); the warm-up runs this way. Otherwise
   * frames are built before the clock starts and downlinks are only checked.
   */
  closedLoop: boolean;
  /** Time to wait after the last send for PUSH_ACKs and downlinks. */
  drainMs: number;
  /** SharedArrayBuffers of Float64 (ms, process.hrtime) indexed by uplink, written by the worker. */
  firstSent: SharedArrayBuffer;
  lastSent: SharedArrayBuffer;
  /** PULL_RESP arrival (confirmed data: the ACK; join: a join-accept that opened); 0 = none. */
  downlink: SharedArrayBuffer;
}

export interface RunResult {
  kind: 'result';
  step: number;
  /** Uplinks and datagrams sent. */
  uplinks: number;
  datagrams: number;
  /** ms from the first send to the last. */
  sendMs: number;
  /** CPU of the whole bench process (generator and MQTT subscriber) from the first send to the end of the drain (ms). */
  benchCpuMs: number;
  /** The largest delay of a send behind its schedule (ms): the generator's own lag. */
  maxBehindMs: number;
  pushAcks: number;
  /** PUSH_DATA never acknowledged. */
  pushLost: number;
  /** ACKs matching nothing outstanding. */
  strayAcks: number;
  /** PULL_RESP received, and those matched to an uplink of this step and verified. */
  pullResps: number;
  downlinksMatched: number;
  /**
   * join: the device accepted the join-accept (MIC, keys); closed loop: the device accepted the
   * downlink; otherwise a confirmed uplink's answer with the ACK bit and its DevAddr.
   */
  downlinksVerified: number;
  /** How the PULL_RESP went out: RX1 or RX2 (by tmst). */
  rx1: number;
  rx2: number;
}

export interface ReadyMessage {
  kind: 'ready';
}

export interface ErrorMessage {
  kind: 'error';
  message: string;
}

export type ToWorker = InitCommand | AddOtaaCommand | RunCommand | { kind: 'stop' };
export type FromWorker = ReadyMessage | RunResult | ErrorMessage;

/**
 * The bench's gateways: 33 groups of 3, a device heard by the three of its group. Many gateways
 * because EU868 downlinks are bound by each gateway's duty cycle (1 % in the RX1 band: some
 * 800 short downlinks an hour), which the server enforces: three gateways could not carry the
 * warm-up's DevStatusReq to 10,000 devices, let alone a join storm.
 */
export const BENCH_GATEWAY_IDS = Array.from({ length: 99 }, (_, i) =>
  (0xb0b0b0b000000001n + BigInt(i)).toString(16),
);

/** Milliseconds on process.hrtime's clock, which every thread of the process shares. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
