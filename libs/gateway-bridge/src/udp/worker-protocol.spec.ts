import { MessageChannel } from 'node:worker_threads';
import { decodePushData, PacketType } from '../semtech-udp';
import { DecodedPushData } from './decoded-push-data';
import {
  AckPolicy,
  Backlog,
  DatagramBatcher,
  MAX_BACKLOG,
  MIN_BACKLOG,
  RATE_SAMPLE_MS,
  unpackBatch,
} from './worker-protocol';

const GW = '0016c001ff10a235';
const OTHER = 'ffeeddccbbaa9988';

function datagram(type: number, token: number, body?: string, version = 2, eui = GW): Buffer {
  const parts = [Buffer.from([version, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (body !== undefined) parts.push(Buffer.from(body));
  return Buffer.concat(parts);
}

const RXPK_LORA = {
  tmst: 3_000_000,
  freq: 868.1,
  chan: 0,
  rfch: 0,
  stat: 1,
  modu: 'LORA',
  datr: 'SF9BW125',
  codr: '4/5',
  rssi: -80,
  lsnr: 7.25,
  size: 4,
  data: 'QAECAw==',
};

function policy(accepted: string[], allowUnknown = false): AckPolicy {
  const p = new AckPolicy();
  p.apply({ type: 'accepted', reset: true, add: accepted, remove: [], allowUnknown });
  return p;
}

describe('AckPolicy', () => {
  it('answers PUSH_DATA with a JSON object of an accepted gateway, echoing version and token', () => {
    const p = policy([GW]);
    expect([...p.ackFor(datagram(PacketType.PUSH_DATA, 0x1234, '{"rxpk":[]}'))!]).toEqual([
      2,
      0x12,
      0x34,
      PacketType.PUSH_ACK,
    ]);
    expect([...p.ackFor(datagram(PacketType.PUSH_DATA, 7, '{}', 1))!]).toEqual([
      1,
      0,
      7,
      PacketType.PUSH_ACK,
    ]);
  });

  it('leaves PULL_DATA to the main thread: its PULL_ACK says the new pull address is known', () => {
    expect(policy([GW]).ackFor(datagram(PacketType.PULL_DATA, 7, undefined, 1))).toBeNull();
  });

  it('answers nothing the main thread would not: unknown gateway, bad JSON, TX_ACK, bad header', () => {
    const p = policy([GW]);
    expect(p.ackFor(datagram(PacketType.PUSH_DATA, 1, '{}', 2, OTHER))).toBeNull();
    expect(p.ackFor(datagram(PacketType.PULL_DATA, 1, undefined, 2, OTHER))).toBeNull();
    expect(p.ackFor(datagram(PacketType.PUSH_DATA, 1, '{"rxpk":['))).toBeNull();
    expect(p.ackFor(datagram(PacketType.PUSH_DATA, 1, '[1]'))).toBeNull();
    expect(p.ackFor(datagram(PacketType.PUSH_DATA, 1))).toBeNull();
    expect(p.ackFor(datagram(PacketType.TX_ACK, 1, '{}'))).toBeNull();
    expect(p.ackFor(Buffer.from([2, 0]))).toBeNull();
    expect(p.ackFor(Buffer.from([3, 0, 0, 0]))).toBeNull();
    expect(p.ackFor(Buffer.from([2, 0, 0, PacketType.PULL_RESP]))).toBeNull();
  });

  it('decodes a plain PUSH_DATA with its ack (judge), and leaves a stat, a refused rxpk or a bad rxpk array to the main thread', () => {
    const p = policy([GW]);
    const rxpk = [RXPK_LORA];
    const plain = p.judge(datagram(PacketType.PUSH_DATA, 5, JSON.stringify({ rxpk })));
    expect(plain.ack).not.toBeNull();
    expect(plain.push?.header).toEqual({ version: 2, token: 5, type: PacketType.PUSH_DATA, gatewayId: GW });
    expect(plain.push?.content.packets).toHaveLength(1);
    for (const body of [{ rxpk, stat: {} }, { rxpk: [{ stat: 1 }] }, { rxpk: 1 }]) {
      const j = p.judge(datagram(PacketType.PUSH_DATA, 6, JSON.stringify(body)));
      expect(j.ack).not.toBeNull();
      expect(j.push).toBeNull();
    }
    expect(p.judge(datagram(PacketType.PUSH_DATA, 7, JSON.stringify({ rxpk }), 2, OTHER))).toEqual({
      ack: null,
      push: null,
    });
    expect(p.judge(datagram(PacketType.PUSH_DATA, 8, JSON.stringify({ rxpk })), false).push).toBeNull();
  });

  it('follows the changes of the accepted set, and allowUnknown accepts any gateway', () => {
    const p = policy([GW]);
    p.apply({ type: 'accepted', reset: false, add: [OTHER], remove: [GW], allowUnknown: false });
    expect(p.accepts(OTHER)).toBe(true);
    expect(p.accepts(GW)).toBe(false);
    p.apply({ type: 'accepted', reset: true, add: [], remove: [], allowUnknown: false });
    expect(p.accepts(OTHER)).toBe(false);
    p.apply({ type: 'accepted', reset: false, add: [], remove: [], allowUnknown: true });
    expect(p.ackFor(datagram(PacketType.PUSH_DATA, 1, '{}', 2, OTHER))).not.toBeNull();
  });
});

describe('DatagramBatcher and unpackBatch', () => {
  it('carries datagrams, senders, times, ack flags and send outcomes in one message', () => {
    const b = new DatagramBatcher();
    expect(b.empty).toBe(true);
    b.add(Buffer.from([1, 2, 3]), '192.0.2.1', 1700, 1_763_000_000_123, true);
    b.add(Buffer.alloc(0), '192.0.2.2', 1, 1_763_000_000_124, false);
    b.add(Buffer.from('hello'), '198.51.100.7', 65535, 1_763_000_000_125, false);
    b.addSent(4, null);
    b.addSent(5, 'EHOSTUNREACH');
    b.addDropped();
    expect(b.empty).toBe(false);

    const { batch, transfer } = b.take();
    expect(transfer).toEqual([batch.bytes, batch.meta.buffer, batch.packets.buffer]);
    expect(batch.bytes.byteLength).toBe(8);
    expect(batch.dropped).toBe(1);
    expect(batch.sent).toEqual([
      [4, null],
      [5, 'EHOSTUNREACH'],
    ]);
    expect([...unpackBatch(batch)]).toEqual([
      {
        kind: 'datagram',
        msg: Buffer.from([1, 2, 3]),
        address: '192.0.2.1',
        port: 1700,
        receivedAt: 1_763_000_000_123,
        acked: true,
      },
      {
        kind: 'datagram',
        msg: Buffer.alloc(0),
        address: '192.0.2.2',
        port: 1,
        receivedAt: 1_763_000_000_124,
        acked: false,
      },
      {
        kind: 'datagram',
        msg: Buffer.from('hello'),
        address: '198.51.100.7',
        port: 65535,
        receivedAt: 1_763_000_000_125,
        acked: false,
      },
    ]);
    expect(b.empty).toBe(true);
    expect([...unpackBatch(b.take().batch)]).toEqual([]);
  });

  it('carries decoded PUSH_DATA between datagrams, each packet as decodePushData made it', async () => {
    const bodies = [
      {
        rxpk: [RXPK_LORA, { ...RXPK_LORA, stat: 0, lsnr: undefined, time: '2026-11-22T06:00:00Z', tmms: 7 }],
      },
      {
        rxpk: [
          {
            tmst: 9,
            freq: 869.525,
            chan: 8,
            rfch: 1,
            stat: 1,
            modu: 'FSK',
            datr: 50_000,
            rssi: -99,
            size: 1,
            data: 'AA==',
          },
          { ...RXPK_LORA, stat: -1 },
        ],
      },
      { rxpk: [] },
    ];
    const decoded = bodies.map((body, token): DecodedPushData => {
      const d = decodePushData(JSON.parse(JSON.stringify(body)) as Record<string, unknown>, GW);
      if (!d.ok) throw new Error('test rxpk must decode');
      return {
        header: { version: 2 as const, token, type: PacketType.PUSH_DATA, gatewayId: GW },
        content: d.value,
      };
    });
    const b = new DatagramBatcher();
    b.addPushData(decoded[0], '192.0.2.1', 1700, 11);
    b.add(Buffer.from([1, 2, 3]), '192.0.2.2', 1701, 12, false);
    b.addPushData(decoded[1], '192.0.2.3', 1702, 13);
    b.addPushData(decoded[2], '192.0.2.4', 1703, 14);
    const { batch, transfer } = b.take();
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<typeof batch>((resolve) => port2.once('message', resolve));
    port1.postMessage(batch, transfer);
    const items = [...unpackBatch(await received)];
    // A PUSH_DATA without packets is an item all the same (the gateway's counters and last seen).
    const alone = new DatagramBatcher();
    alone.addPushData(decoded[2], '192.0.2.4', 1703, 14);
    expect(alone.empty).toBe(false);
    port1.close();
    port2.close();
    expect(items).toEqual([
      { kind: 'pushData', push: decoded[0], address: '192.0.2.1', port: 1700, receivedAt: 11 },
      {
        kind: 'datagram',
        msg: Buffer.from([1, 2, 3]),
        address: '192.0.2.2',
        port: 1701,
        receivedAt: 12,
        acked: false,
      },
      { kind: 'pushData', push: decoded[1], address: '192.0.2.3', port: 1702, receivedAt: 13 },
      { kind: 'pushData', push: decoded[2], address: '192.0.2.4', port: 1703, receivedAt: 14 },
    ]);
    // The same shape (key order) as decodeRxpk's objects: the hot path sees one hidden class.
    const shapes = (push: (typeof decoded)[number]) =>
      push.content.packets.map((p) => [Object.keys(p.rx), Object.keys(p.tx), Buffer.isBuffer(p.phyPayload)]);
    expect(items.flatMap((i) => (i.kind === 'pushData' ? shapes(i.push) : []))).toEqual(
      decoded.flatMap((d) => shapes(d)),
    );
  });

  it('survives the structured clone of postMessage with the transfer list', async () => {
    const b = new DatagramBatcher();
    b.add(Buffer.from([9, 8, 7]), '127.0.0.1', 4000, 5, true);
    const { batch, transfer } = b.take();
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<typeof batch>((resolve) => port2.once('message', resolve));
    port1.postMessage(batch, transfer);
    const copy = await received;
    port1.close();
    port2.close();
    expect(batch.bytes.byteLength).toBe(0); // transferred, not copied
    expect(
      [...unpackBatch(copy)].map((d) => d.kind === 'datagram' && [[...d.msg], d.address, d.port, d.acked]),
    ).toEqual([[[9, 8, 7], '127.0.0.1', 4000, true]]);
  });
});

describe('Backlog', () => {
  function pair() {
    const progress = Backlog.create();
    return { worker: new Backlog(progress), main: new Backlog(progress) };
  }

  it('drops past MIN_BACKLOG datagrams not yet handled until the rate is measured', () => {
    const { worker, main } = pair();
    for (let i = 0; i < MIN_BACKLOG; i++) expect(worker.admit(0)).toBe(true);
    expect(worker.admit(0)).toBe(false);
    main.handledMore(2);
    expect(worker.admit(1)).toBe(true);
    expect(worker.admit(1)).toBe(true);
    expect(worker.admit(1)).toBe(false);
  });

  it('allows MAX_BACKLOG_MS of the main thread rate, within MIN_BACKLOG..MAX_BACKLOG', () => {
    const { worker, main } = pair();
    worker.admit(0);
    main.handledMore(1);
    // 40,000 handled per second: 20,000 datagrams are 500 ms of its work.
    let now = 0;
    for (let i = 0; i < 8; i++) {
      now += RATE_SAMPLE_MS;
      main.handledMore(10_000);
      worker.admit(now);
    }
    expect(worker.maxBacklog).toBeGreaterThan(19_000);
    expect(worker.maxBacklog).toBeLessThan(21_000);
    // Stalled: the bound falls back towards MIN_BACKLOG, never below.
    for (let i = 0; i < 40; i++) worker.admit((now += RATE_SAMPLE_MS));
    expect(worker.maxBacklog).toBe(MIN_BACKLOG);
    for (let i = 0; i < 8; i++) {
      main.handledMore(1_000_000);
      worker.admit((now += RATE_SAMPLE_MS));
    }
    expect(worker.maxBacklog).toBe(MAX_BACKLOG);
  });

  it('counts right across the wrap of its 32-bit counters', () => {
    const { worker, main } = pair();
    (worker as unknown as { forwarded: number }).forwarded = 0x7fffffff - 5;
    main.handledMore(0x7fffffff - 5);
    for (let i = 0; i < MIN_BACKLOG; i++) expect(worker.admit(0)).toBe(true);
    expect(worker.admit(0)).toBe(false);
    main.handledMore(1);
    expect(worker.admit(0)).toBe(true);
  });
});
