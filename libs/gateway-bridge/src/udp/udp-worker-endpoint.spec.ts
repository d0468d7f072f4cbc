import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { IntakeGuard } from '../intake/intake-guard';
import { decodePushData, PacketType } from '../semtech-udp';
import { DecodedPushData } from './decoded-push-data';
import { UdpWorkerEndpoint } from './udp-worker-endpoint';
import { DatagramBatch } from './worker-protocol';

const GW = '0016c001ff10a235';
const OTHER = 'ffeeddccbbaa9988';

function datagram(type: number, token: number, body?: string, eui = GW): Buffer {
  const parts = [Buffer.from([2, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (body !== undefined) parts.push(Buffer.from(body));
  return Buffer.concat(parts);
}

interface Handled {
  kind: 'datagram' | 'pushData';
  type: number;
  token: number;
  /** A datagram's bytes (kind 'datagram'). */
  msg?: Buffer;
  /** A PUSH_DATA the worker decoded (kind 'pushData'). */
  push?: DecodedPushData;
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
  let fwd: Forwarder;
  let port: number;
  const logger = new Logger('test');
  let error: jest.SpyInstance;
  const intake = new IntakeGuard();

  beforeAll(async () => {
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    handled = [];
    endpoint = new UdpWorkerEndpoint(logger, intake);
    endpoint.acceptGateways([GW], false);
    port = await endpoint.bind(
      '127.0.0.1',
      0,
      (msg, from, receivedAt, acked) =>
        handled.push({
          kind: 'datagram',
          type: msg[3],
          token: msg.length >= 3 ? msg.readUInt16BE(1) : -1,
          msg: Buffer.from(msg),
          from,
          receivedAt,
          acked,
        }),
      (push, from, receivedAt) =>
        handled.push({
          kind: 'pushData',
          type: push.header.type,
          token: push.header.token,
          push,
          from,
          receivedAt,
          acked: true,
        }),
    );
    fwd = await Forwarder.open();
  });

  afterAll(async () => {
    await endpoint.close();
    fwd.socket.close();
  });

  beforeEach(() => {
    handled.length = 0;
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
      content: { packets: [], rxpkCount: 0, badCrc: 0, rejected: [] },
    });
  });

  it('hands over the rxpk of a plain PUSH_DATA as the main thread would decode them; a stat or a bad rxpk comes as the datagram', async () => {
    const rxpk = [
      {
        tmst: 1,
        freq: 868.1,
        chan: 0,
        rfch: 0,
        stat: 1,
        modu: 'LORA',
        datr: 'SF7BW125',
        codr: '4/5',
        rssi: -50,
        lsnr: 9.5,
        size: 3,
        data: 'AQID',
        time: '2026-11-22T06:00:00.123456Z',
        tmms: 1_000,
      },
      {
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
      },
      {
        tmst: 2,
        freq: 868.5,
        chan: 2,
        rfch: 0,
        stat: -1,
        modu: 'LORA',
        datr: 'SF12BW125',
        codr: 'OFF',
        rssi: -130,
        lsnr: -20,
        size: 1,
        data: 'AA==',
      },
    ];
    const body = JSON.stringify({ rxpk });
    fwd.send(datagram(PacketType.PUSH_DATA, 0x10, body), port);
    fwd.send(datagram(PacketType.PUSH_DATA, 0x11, JSON.stringify({ rxpk, stat: { time: 'x' } })), port);
    fwd.send(datagram(PacketType.PUSH_DATA, 0x12, JSON.stringify({ rxpk: [{ stat: 1 }] })), port);
    await until(() => handled.length === 3, 'three PUSH_DATA');
    await fwd.next(3);
    expect(handled.map((h) => [h.kind, h.token, h.acked])).toEqual([
      ['pushData', 0x10, true],
      ['datagram', 0x11, true],
      ['datagram', 0x12, true],
    ]);
    const expected = decodePushData(JSON.parse(body) as Record<string, unknown>, GW);
    if (!expected.ok) throw new Error('test rxpk must decode');
    const got = handled[0].push!.content;
    expect(got).toEqual(expected.value);
    expect(
      got.packets.map((p) => [Object.keys(p.rx), Object.keys(p.tx), Buffer.isBuffer(p.phyPayload)]),
    ).toEqual(expected.value.packets.map((p) => [Object.keys(p.rx), Object.keys(p.tx), true]));
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
    await expect(
      endpoint.bind(
        '127.0.0.1',
        taken.address().port,
        () => undefined,
        () => undefined,
      ),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(endpoint.port).toBeNull();
    taken.close();
  });

  it('closes: port null, sends refused, the port free again', async () => {
    const endpoint = new UdpWorkerEndpoint(new Logger('test'));
    const port = await endpoint.bind(
      '127.0.0.1',
      0,
      () => undefined,
      () => undefined,
    );
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
