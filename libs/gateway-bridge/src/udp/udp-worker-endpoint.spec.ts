import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { IntakeGuard } from '../intake/intake-guard';
import { DeduplicatedUplink, FirstCopy, UplinkDedupReport } from '../events';
import { decodePushData, PacketType } from '../semtech-udp';
import { DatagramBatch } from './datagram-batch';
import { DatagramSink } from './udp-endpoint';
import { UdpWorkerEndpoint } from './udp-worker-endpoint';
import { WorkerPushData } from './worker-handover';

const GW = '0016c001ff10a235';
const OTHER = 'ffeeddccbbaa9988';
const THIRD = '0102030405060708';
/** The worker's dedup window in these tests. */
const WINDOW_MS = 100;

function datagram(type: number, token: number, body?: string, eui = GW): Buffer {
  const parts = [Buffer.from([2, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (body !== undefined) parts.push(Buffer.from(body));
  return Buffer.concat(parts);
}

const IGNORE: DatagramSink = {
  datagram: () => undefined,
  pushData: () => undefined,
  firstCopy: () => undefined,
  uplink: () => undefined,
  dedupReport: () => undefined,
};

interface Handled {
  kind: 'datagram' | 'pushData';
  type: number;
  token: number;
  /** A datagram's bytes (kind 'datagram'). */
  msg?: Buffer;
  /** A PUSH_DATA the worker decoded (kind 'pushData'). */
  push?: WorkerPushData;
  from: RemoteInfo;
  receivedAt: number;
  acked: boolean;
}

/** A forwarder's socket on loopback, keeping what the server sends it. */
class Forwarder {
  readonly received: Buffer[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly socket: Socket) {
    socket.on('message', (m) => {
      this.received.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(): Promise<Forwarder> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    return new Forwarder(socket);
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(msg: Buffer, port: number): void {
    this.socket.send(msg, port, '127.0.0.1');
  }
  async next(count: number): Promise<Buffer[]> {
    while (this.received.length < count) await new Promise<void>((r) => this.waiters.push(r));
    return this.received.slice(0, count);
  }
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('UdpWorkerEndpoint (a real worker thread on loopback)', () => {
  jest.setTimeout(30_000);
  let endpoint: UdpWorkerEndpoint;
  let handled: Handled[];
  const uplinks: DeduplicatedUplink[] = [];
  /** First copies, and how many uplinks had come when each did. */
  const firsts: Array<{ first: FirstCopy; uplinksBefore: number }> = [];
  const reports: UplinkDedupReport[] = [];
  let fwd: Forwarder;
  let port: number;
  const logger = new Logger('test');
  let error: jest.SpyInstance;
  const intake = new IntakeGuard();

  beforeAll(async () => {
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    handled = [];
    endpoint = new UdpWorkerEndpoint(logger, intake, { windowMs: WINDOW_MS, cooldownMs: 500 });
    endpoint.acceptGateways([GW], false);
    const sink: DatagramSink = {
      datagram: (msg, from, receivedAt, acked) =>
        handled.push({
          kind: 'datagram',
          type: msg[3],
          token: msg.length >= 3 ? msg.readUInt16BE(1) : -1,
          msg: Buffer.from(msg),
          from,
          receivedAt,
          acked,
        }),
      pushData: (push, from, receivedAt) =>
        handled.push({
          kind: 'pushData',
          type: push.header.type,
          token: push.header.token,
          push,
          from,
          receivedAt,
          acked: true,
        }),
      firstCopy: (first) => firsts.push({ first, uplinksBefore: uplinks.length }),
      uplink: (u) => uplinks.push(u),
      dedupReport: (r) => reports.push(r),
    };
    port = await endpoint.bind('127.0.0.1', 0, sink);
    fwd = await Forwarder.open();
  });

  afterAll(async () => {
    await endpoint.close();
    fwd.socket.close();
  });

  beforeEach(() => {
    handled.length = 0;
    uplinks.length = 0;
    firsts.length = 0;
    reports.length = 0;
    fwd.received.length = 0;
  });

  it('binds and reports the port', () => {
    expect(port).toBeGreaterThan(0);
    expect(endpoint.port).toBe(port);
  });

  it('acks PUSH_DATA of an accepted gateway itself and forwards it decoded; PULL_DATA is forwarded unacked', async () => {
    const before = Date.now();
    fwd.send(datagram(PacketType.PUSH_DATA, 0x0102, '{"rxpk":[]}'), port);
    fwd.send(datagram(PacketType.PULL_DATA, 0x0304), port);
    const acks = await fwd.next(1);
    expect(acks.map((a) => [...a])).toEqual([[2, 1, 2, PacketType.PUSH_ACK]]);
    await until(() => handled.length === 2, 'two datagrams');
    expect(handled.map((h) => [h.kind, h.type, h.acked, h.from.address, h.from.port])).toEqual([
      ['pushData', PacketType.PUSH_DATA, true, '127.0.0.1', fwd.port],
      ['datagram', PacketType.PULL_DATA, false, '127.0.0.1', fwd.port],
    ]);
    expect(fwd.received).toHaveLength(1);
    expect(handled[0].receivedAt).toBeGreaterThanOrEqual(before);
    expect(handled[0].push).toEqual({
      header: { version: 2, token: 0x0102, type: PacketType.PUSH_DATA, gatewayId: GW },
      rxpkCount: 0,
      badCrc: 0,
      packets: 0,
      rejected: [],
    });
  });

  it('deduplicates what the gateways it acknowledges heard: one uplink per PHYPayload after the window, copies as the main thread would decode them', async () => {
    endpoint.acceptGateway(OTHER, true, false);
    endpoint.acceptGateway(THIRD, true, false);
    await new Promise((r) => setImmediate(r));
    const heard = {
      tmst: 1,
      freq: 868.1,
      chan: 0,
      rfch: 0,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -50,
      lsnr: 2.5,
      size: 3,
      data: 'AQID',
      time: '2026-11-22T06:00:00.123456Z',
      tmms: 1_000,
    };
    const fsk = {
      tmst: 4_294_967_295,
      freq: 868.3,
      chan: 7,
      rfch: 1,
      stat: 0,
      modu: 'FSK',
      datr: 50_000,
      rssi: -120,
      size: 0,
      data: '',
    };
    const bodies: Array<[string, object]> = [
      [GW, { rxpk: [heard, fsk, { ...heard, stat: -1, data: 'AA==', size: 1 }] }],
      // With a status report and a refused rxpk: the good packet still goes to the dedup.
      [OTHER, { rxpk: [{ ...heard, lsnr: 9.5, tmst: 2 }, { stat: 1 }], stat: { rxnb: 2 } }],
      [THIRD, { rxpk: [{ ...heard, lsnr: -3, rssi: -110 }] }],
    ];
    const before = Date.now();
    bodies.forEach(([eui, body], i) =>
      fwd.send(datagram(PacketType.PUSH_DATA, 0x10 + i, JSON.stringify(body), eui), port),
    );
    await fwd.next(3);
    await until(() => handled.length === 3 && uplinks.length === 2, 'three PUSH_DATA, two uplinks');
    expect(
      handled.map((h) => [
        h.kind,
        h.token,
        h.push?.rxpkCount,
        h.push?.badCrc,
        h.push?.packets,
        h.push?.rejected.length,
      ]),
    ).toEqual([
      ['pushData', 0x10, 3, 1, 2, 0],
      ['pushData', 0x11, 2, 0, 1, 1],
      ['pushData', 0x12, 1, 0, 1, 0],
    ]);
    expect(handled[1].push!.stat).toMatchObject({ rxPacketsReceived: 2 });

    const [fskUplink, three] = [...uplinks].sort((a, b) => a.phyPayload.length - b.phyPayload.length);
    expect(fskUplink.copies).toHaveLength(1);
    expect(three.phyPayload).toEqual(Buffer.from([1, 2, 3]));
    // Best SNR first; each copy as the main thread decodes it, dated when the worker's socket had it.
    expect(three.copies.map((c) => c.rx.gatewayId)).toEqual([OTHER, GW, THIRD]);
    const main = decodePushData(bodies[0][1] as Record<string, unknown>, GW);
    if (!main.ok) throw new Error('test rxpk must decode');
    const { receivedAt, ...gwCopy } = three.copies[1];
    expect(gwCopy).toEqual(main.value.packets[0]);
    expect(Object.keys(gwCopy.rx)).toEqual(Object.keys(main.value.packets[0].rx));
    expect(receivedAt).toBeGreaterThanOrEqual(before);
    expect(three.firstReceivedAt).toBe(Math.min(...three.copies.map((c) => c.receivedAt)));
    expect(three.windowDueAt).toBe(three.firstReceivedAt + WINDOW_MS);
    expect(three.windowClosedAt).toBeGreaterThanOrEqual(three.windowDueAt);
    expect(three.deduplicationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reports.reduce((n, r) => n + r.copies, 0)).toBe(4);
    // Each uplink's first copy came ahead of it, as its window opened, with the same id.
    expect(firsts.map((f) => f.uplinksBefore)).toEqual([0, 0]);
    const firstOfThree = firsts.find((f) => f.first.deduplicationId === three.deduplicationId)!.first;
    expect(firstOfThree.copy.rx.gatewayId).toBe(GW);
    expect(firstOfThree.copy).toEqual(three.copies[1]);
    expect(firstOfThree.windowDueAt).toBe(three.windowDueAt);
    expect(firsts.map((f) => f.first.deduplicationId).sort()).toEqual(
      [fskUplink.deduplicationId, three.deduplicationId].sort(),
    );

    // The same packet again, within the cooldown: counted late, never a second uplink.
    fwd.send(datagram(PacketType.PUSH_DATA, 0x20, JSON.stringify({ rxpk: [heard] }), THIRD), port);
    await fwd.next(4);
    await until(() => reports.some((r) => r.late === 1), 'the late copy');
    await new Promise((r) => setTimeout(r, 2 * WINDOW_MS));
    expect(uplinks).toHaveLength(2);
    expect(firsts).toHaveLength(2);
    endpoint.acceptGateway(OTHER, false, false);
    endpoint.acceptGateway(THIRD, false, false);
    // The next test needs OTHER unknown to the worker again.
    await new Promise((r) => setTimeout(r, 50));
  });

  it('forwards but does not ack unknown gateways, bad JSON and garbage; acks a gateway once accepted', async () => {
    fwd.send(datagram(PacketType.PUSH_DATA, 1, '{}', OTHER), port);
    fwd.send(datagram(PacketType.PUSH_DATA, 2, '{"rxpk":['), port);
    fwd.send(Buffer.from([0xff]), port);
    await until(() => handled.length === 3, 'three datagrams');
    expect(handled.map((h) => h.acked)).toEqual([false, false, false]);
    expect(fwd.received).toEqual([]);

    endpoint.acceptGateway(OTHER, true, false);
    await new Promise((r) => setImmediate(r));
    fwd.send(datagram(PacketType.PUSH_DATA, 3, '{}', OTHER), port);
    expect([...(await fwd.next(1))[0]]).toEqual([2, 0, 3, PacketType.PUSH_ACK]);
    await until(() => handled.length === 4, 'the fourth datagram');
    expect(handled[3].acked).toBe(true);
    endpoint.acceptGateway(OTHER, false, false);
  });

  it('refuses new PUSH_DATA unanswered while the intake guard says so; PULL_DATA still passes', async () => {
    const flag = new Int32Array(intake.shared);
    Atomics.store(flag, 0, 1);
    try {
      fwd.send(datagram(PacketType.PUSH_DATA, 7, '{"rxpk":[]}'), port);
      fwd.send(datagram(PacketType.PULL_DATA, 8), port);
      await until(
        () => handled.length === 1 && intake.refusedDatagrams === 1,
        'the PULL_DATA and the refusal',
      );
      expect(handled[0].type).toBe(PacketType.PULL_DATA);
    } finally {
      Atomics.store(flag, 0, 0);
    }
    fwd.send(datagram(PacketType.PUSH_DATA, 9, '{"rxpk":[]}'), port);
    expect([...(await fwd.next(1))[0]]).toEqual([2, 0, 9, PacketType.PUSH_ACK]);
    await until(() => handled.length === 2, 'the PUSH_DATA after the refusal');
    expect(intake.refusedDatagrams).toBe(1);
  });

  it('hands many datagrams over in few messages', async () => {
    const worker = (endpoint as unknown as { worker: Worker }).worker;
    let batches = 0;
    const count = (msg: DatagramBatch) => void (msg.type === 'batch' && batches++);
    worker.on('message', count);
    for (let i = 0; i < 200; i++) fwd.send(datagram(PacketType.PUSH_DATA, i, '{}'), port);
    await until(() => handled.length === 200, '200 datagrams');
    // Their 200 PUSH_ACKs too, or late ones land in the next test's forwarder.
    await fwd.next(200);
    worker.off('message', count);
    expect(handled.map((h) => h.token)).toEqual([...Array(200).keys()]);
    expect(batches).toBeLessThan(200);
  });

  it('sends PULL_RESP and resolves once the kernel has it; send() is fire and forget', async () => {
    await endpoint.sendAndWait(Buffer.from([2, 0, 9, PacketType.PULL_RESP, 0x7b, 0x7d]), {
      address: '127.0.0.1',
      port: fwd.port,
    });
    endpoint.send(Buffer.from([2, 0, 10, PacketType.PUSH_ACK]), { address: '127.0.0.1', port: fwd.port });
    expect((await fwd.next(2)).map((a) => a.readUInt16BE(1))).toEqual([9, 10]);
  });

  it('rejects a send the kernel refuses', async () => {
    await expect(
      endpoint.sendAndWait(Buffer.from([2, 0, 1, PacketType.PULL_RESP]), { address: '127.0.0.1', port: 0 }),
    ).rejects.toThrow();
    expect(endpoint.port).toBe(port);
    expect(error).not.toHaveBeenCalled();
  });

  it('restarts a worker that died on the same port, with the same accepted gateways', async () => {
    const worker = (endpoint as unknown as { worker: Worker }).worker;
    await worker.terminate();
    expect(endpoint.port).toBeNull();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('udp worker exited unexpectedly'));
    await until(() => endpoint.port === port, 'the restart');
    fwd.send(datagram(PacketType.PUSH_DATA, 0x55, '{}'), port);
    expect([...(await fwd.next(1))[0]]).toEqual([2, 0, 0x55, PacketType.PUSH_ACK]);
    await until(() => handled.length === 1, 'the datagram');
    expect(handled[0].acked).toBe(true);
  });
});

describe('UdpWorkerEndpoint bind and close', () => {
  jest.setTimeout(30_000);

  it('rejects when the port is taken', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    const endpoint = new UdpWorkerEndpoint(new Logger('test'));
    await expect(endpoint.bind('127.0.0.1', taken.address().port, IGNORE)).rejects.toThrow(/EADDRINUSE/);
    expect(endpoint.port).toBeNull();
    taken.close();
  });

  it('closes: port null, sends refused, the port free again', async () => {
    const endpoint = new UdpWorkerEndpoint(new Logger('test'));
    const port = await endpoint.bind('127.0.0.1', 0, IGNORE);
    await endpoint.close();
    expect(endpoint.port).toBeNull();
    await expect(
      endpoint.sendAndWait(Buffer.from([2, 0, 0, PacketType.PULL_RESP]), { address: '127.0.0.1', port: 1 }),
    ).rejects.toThrow('closed');
    const again = createSocket('udp4');
    await new Promise<void>((r) => again.bind(port, '127.0.0.1', r));
    again.close();
  });
});
