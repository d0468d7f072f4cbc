import { MessageChannel } from 'node:worker_threads';
import { DeduplicatedUplink, FirstCopy, UplinkReceived } from '../dedup/deduplicated-uplink';
import { decodePushData, PacketType } from '../semtech-udp';
import { DatagramBatch, DatagramBatcher, unpackBatch } from './datagram-batch';
import { decodeInWorker, WorkerPushData } from './worker-handover';
import { RXPK } from '../testing/rxpk';

const GW = '0016c001ff10a235';
const GW2 = 'ffeeddccbbaa9988';
const HEADER = (token: number, gatewayId = GW) =>
  ({ version: 2, token, type: PacketType.PUSH_DATA, gatewayId }) as const;

/** The copies the main thread would make of these rxpk (gateway-bridge.service onPushData). */
function copies(rxpk: unknown[], gatewayId: string, receivedAt: number): UplinkReceived[] {
  const d = decodePushData({ rxpk }, gatewayId);
  if (!d.ok) throw new Error('test rxpk must decode');
  return d.value.packets.map((p) => ({ phyPayload: p.phyPayload, rx: p.rx, tx: p.tx, receivedAt }));
}

async function throughPostMessage(batch: DatagramBatch, transfer: ArrayBuffer[]): Promise<DatagramBatch> {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<DatagramBatch>((resolve) => port2.once('message', resolve));
  port1.postMessage(batch, transfer);
  const copy = await received;
  port1.close();
  port2.close();
  expect(batch.bytes.byteLength).toBe(0); // transferred, not copied
  return copy;
}

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
    expect(transfer).toEqual([batch.bytes, batch.meta.buffer, batch.copies.buffer]);
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

  it('carries decoded PUSH_DATA (counts, refused rxpk, status) and deduplicated uplinks between datagrams, through postMessage', async () => {
    const pushes: WorkerPushData[] = [
      decodeInWorker(HEADER(1), { rxpk: [RXPK, { ...RXPK, stat: -1 }] }, 10)!.push,
      decodeInWorker(HEADER(2), { rxpk: [RXPK, { stat: 1 }], stat: { rxnb: 'x' } }, 11)!.push,
      decodeInWorker(HEADER(3, GW2), { stat: { rxnb: 2, time: '2026-11-22 06:00:00 GMT' } }, 12)!.push,
    ];
    expect(pushes[1].rejected).toHaveLength(1);
    expect(pushes[1].statError).toBeDefined();
    expect(pushes[2].stat).toBeDefined();
    const fsk = {
      tmst: 9,
      freq: 869.525,
      chan: 8,
      rfch: 1,
      stat: 0,
      modu: 'FSK',
      datr: 50_000,
      rssi: -99,
      size: 3,
      data: 'AQID',
      time: '2026-11-22T06:00:00Z',
      tmms: 7,
    };
    const uplinks: DeduplicatedUplink[] = [
      {
        deduplicationId: 'b9c3a4c2-29c6-4b0e-9d4e-2f3f8c1d0a11',
        phyPayload: Buffer.from([1, 2, 3]),
        copies: [...copies([RXPK], GW, 100), ...copies([{ ...RXPK, lsnr: undefined, rssi: -90 }], GW2, 101)],
        firstReceivedAt: 100,
        windowDueAt: 300,
        windowClosedAt: 301,
      },
      {
        deduplicationId: '0c6fdd5e-8a7b-4d0e-a1c8-55b1e1b5d0f2',
        phyPayload: Buffer.from([1, 2, 3]),
        copies: copies([fsk], GW2, 200),
        firstReceivedAt: 200,
        windowDueAt: 400,
        windowClosedAt: 402,
      },
    ];
    const first: FirstCopy = {
      deduplicationId: uplinks[1].deduplicationId,
      copy: uplinks[1].copies[0],
      windowDueAt: 400,
    };
    const b = new DatagramBatcher();
    b.addPushData(pushes[0], '192.0.2.1', 1700, 10);
    b.addFirstCopy(first);
    b.addUplink(uplinks[0]);
    b.add(Buffer.from([1, 2, 3]), '192.0.2.2', 1701, 12, false);
    b.addPushData(pushes[1], '192.0.2.1', 1700, 11);
    b.addUplink(uplinks[1]);
    b.addPushData(pushes[2], '192.0.2.3', 1702, 12);
    b.countCopy('first');
    b.countCopy('copy');
    b.countCopy('late');
    b.countCopy('overflow');
    const { batch, transfer } = b.take(42);
    expect(batch.dedup).toEqual([4, 1, 1, 42]);

    const items = [...unpackBatch(await throughPostMessage(batch, transfer), 999)];
    expect(items).toEqual([
      { kind: 'pushData', push: pushes[0], address: '192.0.2.1', port: 1700, receivedAt: 10 },
      { kind: 'firstCopy', first },
      { kind: 'uplink', uplink: { ...uplinks[0], windowClosedAt: 999 } },
      {
        kind: 'datagram',
        msg: Buffer.from([1, 2, 3]),
        address: '192.0.2.2',
        port: 1701,
        receivedAt: 12,
        acked: false,
      },
      { kind: 'pushData', push: pushes[1], address: '192.0.2.1', port: 1700, receivedAt: 11 },
      { kind: 'uplink', uplink: { ...uplinks[1], windowClosedAt: 999 } },
      { kind: 'pushData', push: pushes[2], address: '192.0.2.3', port: 1702, receivedAt: 12 },
    ]);
    // The objects the main thread would have made itself, key for key (one hidden class on the hot path).
    const shapes = (u: DeduplicatedUplink) =>
      u.copies.map((c) => [
        Object.keys(c),
        Object.keys(c.rx),
        Object.keys(c.tx),
        Buffer.isBuffer(c.phyPayload),
      ]);
    const got = items.flatMap((i) => (i.kind === 'uplink' ? [i.uplink] : []));
    expect(got.map(shapes)).toEqual(uplinks.map(shapes));
    const [firstItem] = items.flatMap((i) => (i.kind === 'firstCopy' ? [i.first] : []));
    expect(shapes({ ...uplinks[1], copies: [firstItem.copy] })).toEqual(shapes(uplinks[1]));
    // One PHYPayload per uplink, shared by its copies.
    expect(got[0].copies[1].phyPayload).toBe(got[0].phyPayload);
  });

  it('is not empty with a PUSH_DATA that had no packets, nor with dedup counts alone', () => {
    const b = new DatagramBatcher();
    b.addPushData(decodeInWorker(HEADER(1), {}, 1)!.push, '192.0.2.1', 1700, 1);
    expect(b.empty).toBe(false);
    b.take();
    expect(b.empty).toBe(true);
    b.countCopy('late');
    expect(b.empty).toBe(false);
    expect(b.take().batch.dedup).toEqual([1, 1, 0, 0]);
  });
});
