/**
 * The UDP load generator, in a worker thread so that sending never waits on the bench's MQTT
 * consumer. Frames are the simulator's (VirtualDevice: real MICs and encryption), and so is every
 * rxpk and PUSH_DATA (VirtualGateway.buildRxpk / pushDataDatagram); each uplink goes out as one
 * PUSH_DATA from each of the three gateways of its device's group, with different RSSI/SNR. The
 * sockets sending PUSH_DATA are plain connected dgram sockets (one per gateway), so a PUSH_ACK is
 * matched by token at any rate; each gateway's downstream path (PULL_DATA, PULL_RESP, TX_ACK) is
 * its VirtualGateway.
 *
 * A step's frames are built before its clock starts (except in closed loop); sends then follow
 * the schedule (uplink i at t0 + i/rate) in 1 ms ticks, so the generator sleeps between bursts
 * instead of spinning on a core the server needs.
 */
import { createSocket, Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { getRegion, LoraDataRate } from '@lns/lorawan';
import { ReceivedDownlink, VirtualDevice, VirtualGateway } from '@lns/simulator';
import {
  FromWorker,
  InitCommand,
  nowMs,
  OtaaDeviceSpec,
  RunCommand,
  RunResult,
  ToWorker,
} from './load-protocol';

const REGION = getRegion('EU868');
const TMST_MODULO = 2 ** 32;
/** The pacing timer's period: a tick sends what fell due since the last one. */
const TICK_MS = 1;
const GROUP_SIZE = 3;

interface Gateway {
  index: number;
  codec: VirtualGateway;
  up: Socket;
  /** 1 where a PUSH_DATA with that token waits for its PUSH_ACK. */
  outstanding: Uint8Array;
  nextToken: number;
  /** Concentrator counter of uplink 0 of the current step. */
  tmstBase: number;
}

interface Frame {
  phyPayload: Buffer;
  frequency: number;
  spreadingFactor: number;
  bandwidth: number;
  group: number;
}

interface StepState {
  cmd: RunCommand;
  downlink: Float64Array;
  /** Class A delays of the answer (µs): RX1 and RX2. */
  delaysUs: [number, number];
  result: RunResult;
}

const port = parentPort!;
let init: InitCommand;
let gateways: Gateway[] = [];
let groups = 1;
let abp: VirtualDevice[] = [];
const otaa: VirtualDevice[] = [];
let current: StepState | undefined;

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

function otaaDevice(spec: OtaaDeviceSpec, seed: number): VirtualDevice {
  return new VirtualDevice({
    devEui: spec.devEui,
    joinEui: spec.joinEui,
    region: REGION,
    macVersion: '1.0.3',
    seed,
    activation: { type: 'OTAA', appKey: spec.appKey },
    logLimit: 0,
  });
}

async function start(cmd: InitCommand): Promise<void> {
  init = cmd;
  if (cmd.gatewayIds.length % GROUP_SIZE !== 0) throw new Error('gateways come in groups of 3');
  groups = cmd.gatewayIds.length / GROUP_SIZE;
  abp = cmd.abp.map(
    (d, i) =>
      new VirtualDevice({
        devEui: d.devEui,
        region: REGION,
        macVersion: '1.0.3',
        seed: i + 1,
        // ADR off: a pre-built frame cannot answer LinkADRReq.
        adr: false,
        activation: { type: 'ABP', devAddr: d.devAddr, nwkSKey: d.nwkSKey, appSKey: d.appSKey },
        logLimit: 0,
      }),
  );
  cmd.otaa.forEach((d) => otaa.push(otaaDevice(d, otaa.length + 1)));
  gateways = await Promise.all(
    cmd.gatewayIds.map(async (gatewayId, index) => {
      const codec = new VirtualGateway({
        gatewayId,
        port: cmd.port,
        keepaliveMs: 5_000,
        ackTimeoutMs: 5_000,
      });
      if (cmd.pull) {
        await codec.start();
        codec.on('downlink', (d: ReceivedDownlink) => {
          onDownlink(index, d);
          // Take it off the gateway's unclaimed list at once (nobody calls nextDownlink otherwise).
          void codec.nextDownlink(1_000).catch(() => undefined);
          if (codec.downlinks.length > 100) codec.downlinks.splice(0);
        });
      }
      const up = createSocket({ type: 'udp4', recvBufferSize: 1024 * 1024 });
      const gw: Gateway = {
        index,
        codec,
        up,
        outstanding: new Uint8Array(0x10000),
        nextToken: randomInt(0x10000),
        tmstBase: 0,
      };
      up.on('message', (msg) => onUpMessage(gw, msg));
      await new Promise<void>((resolve) => up.bind(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => up.connect(cmd.port, '127.0.0.1', resolve));
      return gw;
    }),
  );
  post({ kind: 'ready' });
}

function onUpMessage(gw: Gateway, msg: Buffer): void {
  // PUSH_ACK: version, token, 0x01 (PROTOCOL.TXT §3.3).
  if (msg.length < 4 || msg[3] !== 0x01 || !current) return;
  const token = msg.readUInt16BE(1);
  if (gw.outstanding[token] === 1) {
    gw.outstanding[token] = 0;
    current.result.pushAcks++;
  } else {
    current.result.strayAcks++;
  }
}

function groupOf(cmd: RunCommand, i: number): number {
  return cmd.mode === 'join' ? (cmd.firstOtaa + i) % groups : (i % abp.length) % groups;
}

function tmstOf(gw: Gateway, i: number, rate: number): number {
  return (gw.tmstBase + Math.round((i * 1e6) / rate)) % TMST_MODULO;
}

/** The uplink a PULL_RESP answers: its tmst is the uplink's plus RX1's or RX2's delay. */
function onDownlink(gwIndex: number, d: ReceivedDownlink): void {
  const at = nowMs();
  const s = current;
  if (!s) return;
  s.result.pullResps++;
  if (d.tmst === undefined) return;
  const { rate, count } = s.cmd;
  const gw = gateways[gwIndex];
  for (let w = 0; w < 2; w++) {
    const uplinkTmst = (((d.tmst - s.delaysUs[w]) % TMST_MODULO) + TMST_MODULO) % TMST_MODULO;
    const offset = (uplinkTmst - gw.tmstBase + TMST_MODULO) % TMST_MODULO;
    const i = Math.round((offset * rate) / 1e6);
    if (i >= count || tmstOf(gw, i, rate) !== uplinkTmst) continue;
    if (Math.floor(gwIndex / GROUP_SIZE) !== groupOf(s.cmd, i)) continue;
    s.result.downlinksMatched++;
    if (w === 0) s.result.rx1++;
    else s.result.rx2++;
    if (verify(s.cmd, i, d) && s.downlink[i] === 0) {
      s.downlink[i] = at;
      s.result.downlinksVerified++;
    }
    return;
  }
}

function verify(cmd: RunCommand, i: number, d: ReceivedDownlink): boolean {
  const phy = d.phyPayload;
  if (cmd.mode === 'join') return otaa[cmd.firstOtaa + i].handleJoinAccept(phy);
  if (cmd.closedLoop) return abp[i % abp.length].handleDownlink(phy, { snr: 5, slot: 'RX1' }).accepted;
  // A data downlink (MType 3 or 5) to this device, with ACK set (L1.0.4 §4.3.1.2).
  const mType = phy[0] >>> 5;
  const device = init.abp[i % abp.length];
  return (mType === 3 || mType === 5) && phy.readUInt32LE(1) === device.devAddr && (phy[5] & 0x20) !== 0;
}

function buildFrame(cmd: RunCommand, i: number): Frame {
  let phyPayload: Buffer;
  let frequency: number;
  let dataRate: number;
  if (cmd.mode === 'join') {
    const device = otaa[cmd.firstOtaa + i];
    if (!device) throw new Error(`no OTAA device ${cmd.firstOtaa + i}`);
    ({ phyPayload, frequency, dataRate } = device.joinRequest());
  } else {
    // Step and index in the payload: the `up` event's data names the uplink it carries.
    const payload = Buffer.alloc(cmd.payloadSize, 0xa5);
    payload.writeUInt32BE(cmd.step, 0);
    payload.writeUInt32BE(i, 4);
    ({ phyPayload, frequency, dataRate } = abp[i % abp.length].uplink({
      fPort: 1,
      payload,
      confirmed: cmd.confirmedEvery > 0 && i % cmd.confirmedEvery === 0,
    }));
  }
  const dr = REGION.getDataRate(dataRate) as LoraDataRate;
  return {
    phyPayload,
    frequency,
    spreadingFactor: dr.spreadingFactor,
    bandwidth: dr.bandwidth,
    group: groupOf(cmd, i),
  };
}

function sendCopy(gw: Gateway, frame: Frame, i: number, rate: number, rank: number): void {
  const token = gw.nextToken;
  gw.nextToken = (token + 1) & 0xffff;
  if (gw.outstanding[token] === 1) current!.result.pushLost++;
  gw.outstanding[token] = 1;
  const rxpk = gw.codec.buildRxpk(frame.phyPayload, {
    frequency: frame.frequency,
    spreadingFactor: frame.spreadingFactor,
    bandwidth: frame.bandwidth,
    rssi: -60 - 12 * rank,
    snr: 9.5 - 4 * rank,
    tmst: tmstOf(gw, i, rate),
  });
  gw.up.send(gw.codec.pushDataDatagram({ rxpk: [rxpk] }, token));
  current!.result.datagrams++;
}

async function run(cmd: RunCommand): Promise<void> {
  const firstSent = new Float64Array(cmd.firstSent);
  const lastSent = new Float64Array(cmd.lastSent);
  const downlink = new Float64Array(cmd.downlink);
  const result: RunResult = {
    kind: 'result',
    step: cmd.step,
    uplinks: 0,
    datagrams: 0,
    sendMs: 0,
    benchCpuMs: 0,
    maxBehindMs: 0,
    pushAcks: 0,
    pushLost: 0,
    strayAcks: 0,
    pullResps: 0,
    downlinksMatched: 0,
    downlinksVerified: 0,
    rx1: 0,
    rx2: 0,
  };
  const lazy = cmd.closedLoop && cmd.mode === 'data';
  const frames: Array<Frame | undefined> = new Array(cmd.count);
  if (!lazy) for (let i = 0; i < cmd.count; i++) frames[i] = buildFrame(cmd, i);
  for (const gw of gateways) {
    gw.outstanding.fill(0);
    gw.tmstBase = randomInt(0x100000000);
  }
  const delaysUs: [number, number] =
    cmd.mode === 'join'
      ? [REGION.joinAcceptDelay1 * 1e6, REGION.joinAcceptDelay2 * 1e6]
      : [REGION.receiveDelay1 * 1e6, (REGION.receiveDelay1 + 1) * 1e6];
  current = { cmd, downlink, delaysUs, result };

  const t0 = nowMs() + 5;
  const cpu0 = process.cpuUsage();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(cmd.count, Math.floor(((nowMs() - t0) * cmd.rate) / 1000) + 1);
      for (; next < due; next++) {
        const behind = nowMs() - (t0 + (next * 1000) / cmd.rate);
        if (behind > result.maxBehindMs) result.maxBehindMs = behind;
        const frame = frames[next] ?? buildFrame(cmd, next);
        frames[next] = undefined;
        firstSent[next] = nowMs();
        const first = frame.group * GROUP_SIZE;
        // Different signal at each gateway, and a different best gateway from one uplink to the next.
        for (let k = 0; k < GROUP_SIZE; k++) {
          sendCopy(gateways[first + k], frame, next, cmd.rate, (next + k) % GROUP_SIZE);
        }
        lastSent[next] = nowMs();
      }
      result.uplinks = next;
      if (next >= cmd.count) return resolve();
      // Behind schedule: go on at once (after I/O); on time: sleep to the next millisecond.
      if (due < Math.floor(((nowMs() - t0) * cmd.rate) / 1000)) setImmediate(tick);
      else setTimeout(tick, TICK_MS);
    };
    setTimeout(tick, Math.max(0, t0 - nowMs()));
  });
  result.sendMs = lastSent[cmd.count - 1] - firstSent[0];
  await new Promise((r) => setTimeout(r, cmd.drainMs));
  const cpu = process.cpuUsage(cpu0);
  result.benchCpuMs = (cpu.user + cpu.system) / 1000;
  for (const gw of gateways) {
    for (let t = 0; t < 0x10000; t++) if (gw.outstanding[t] === 1) result.pushLost++;
  }
  current = undefined;
  post({ ...result });
}

async function stop(): Promise<void> {
  await Promise.all(
    gateways.map(async (gw) => {
      await gw.codec.stop();
      await new Promise<void>((resolve) => gw.up.close(() => resolve()));
    }),
  );
  port.close();
}

port.on('message', (msg: ToWorker) => {
  const fail = (err: unknown) =>
    post({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  try {
    switch (msg.kind) {
      case 'init':
        start(msg).catch(fail);
        return;
      case 'addOtaa':
        msg.otaa.forEach((d) => otaa.push(otaaDevice(d, otaa.length + 1)));
        post({ kind: 'ready' });
        return;
      case 'run':
        run(msg).catch(fail);
        return;
      case 'stop':
        stop().catch(fail);
        return;
    }
  } catch (err) {
    fail(err);
  }
});
