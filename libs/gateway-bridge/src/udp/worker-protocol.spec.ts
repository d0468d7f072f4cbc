import { PacketType } from '../semtech-udp';
import { AckPolicy, Backlog, MAX_BACKLOG, MIN_BACKLOG, RATE_SAMPLE_MS } from './worker-protocol';
import { RXPK } from '../testing/rxpk';

const GW = '0016c001ff10a235';
const OTHER = 'ffeeddccbbaa9988';

function datagram(type: number, token: number, body?: string, version = 2, eui = GW): Buffer {
  const parts = [Buffer.from([version, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')];
  if (body !== undefined) parts.push(Buffer.from(body));
  return Buffer.concat(parts);
}

function policy(accepted: string[], allowUnknown = false): AckPolicy {
  const p = new AckPolicy();
  p.apply({ type: 'accepted', reset: true, add: accepted, remove: [], allowUnknown });
  return p;
}

describe('AckPolicy', () => {
  it('answers PUSH_DATA with a JSON object of an accepted gateway, echoing version and token', () => {
    const p = policy([GW]);
    expect([...p.judge(datagram(PacketType.PUSH_DATA, 0x1234, '{"rxpk":[]}')).ack!]).toEqual([
      2,
      0x12,
      0x34,
      PacketType.PUSH_ACK,
    ]);
    expect([...p.judge(datagram(PacketType.PUSH_DATA, 7, '{}', 1)).ack!]).toEqual([
      1,
      0,
      7,
      PacketType.PUSH_ACK,
    ]);
  });

  it('leaves PULL_DATA to the main thread: its PULL_ACK says the new pull address is known', () => {
    expect(policy([GW]).judge(datagram(PacketType.PULL_DATA, 7, undefined, 1)).ack).toBeNull();
  });

  it('answers nothing the main thread would not: unknown gateway, bad JSON, TX_ACK, bad header', () => {
    const p = policy([GW]);
    expect(p.judge(datagram(PacketType.PUSH_DATA, 1, '{}', 2, OTHER)).ack).toBeNull();
    expect(p.judge(datagram(PacketType.PULL_DATA, 1, undefined, 2, OTHER)).ack).toBeNull();
    expect(p.judge(datagram(PacketType.PUSH_DATA, 1, '{"rxpk":[')).ack).toBeNull();
    expect(p.judge(datagram(PacketType.PUSH_DATA, 1, '[1]')).ack).toBeNull();
    expect(p.judge(datagram(PacketType.PUSH_DATA, 1)).ack).toBeNull();
    expect(p.judge(datagram(PacketType.TX_ACK, 1, '{}')).ack).toBeNull();
    expect(p.judge(Buffer.from([2, 0])).ack).toBeNull();
    expect(p.judge(Buffer.from([3, 0, 0, 0])).ack).toBeNull();
    expect(p.judge(Buffer.from([2, 0, 0, PacketType.PULL_RESP])).ack).toBeNull();
  });

  it('hands the worker the parsed PUSH_DATA with its ack (judge), and nothing without one', () => {
    const p = policy([GW]);
    const body = { rxpk: [RXPK], stat: {} };
    expect(p.judge(datagram(PacketType.PUSH_DATA, 5, JSON.stringify(body)))).toEqual({
      ack: Buffer.from([2, 0, 5, PacketType.PUSH_ACK]),
      pushData: { header: { version: 2, token: 5, type: PacketType.PUSH_DATA, gatewayId: GW }, body },
    });
    const nothing = { ack: null, pushData: null };
    expect(p.judge(datagram(PacketType.PUSH_DATA, 7, JSON.stringify(body), 2, OTHER))).toEqual(nothing);
    expect(p.judge(datagram(PacketType.PUSH_DATA, 8, '{"rxpk":['))).toEqual(nothing);
    expect(p.judge(datagram(PacketType.PULL_DATA, 9))).toEqual(nothing);
  });

  it('follows the changes of the accepted set, and allowUnknown accepts any gateway', () => {
    const p = policy([GW]);
    p.apply({ type: 'accepted', reset: false, add: [OTHER], remove: [GW], allowUnknown: false });
    expect(p.accepts(OTHER)).toBe(true);
    expect(p.accepts(GW)).toBe(false);
    p.apply({ type: 'accepted', reset: true, add: [], remove: [], allowUnknown: false });
    expect(p.accepts(OTHER)).toBe(false);
    p.apply({ type: 'accepted', reset: false, add: [], remove: [], allowUnknown: true });
    expect(p.judge(datagram(PacketType.PUSH_DATA, 1, '{}', 2, OTHER)).ack).not.toBeNull();
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
