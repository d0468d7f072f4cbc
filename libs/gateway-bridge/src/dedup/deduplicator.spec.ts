import { DeduplicatedUplink, FirstCopy, UplinkReceived } from './deduplicated-uplink';
import { Deduplicator, HAND_OVER_BUDGET_MS } from './deduplicator';

/** One gateway's copy of `phyPayload`. */
function copyOf(
  phyPayload: Buffer,
  opts: { gatewayId?: string; snr?: number; rssi?: number; receivedAt?: number } = {},
): UplinkReceived {
  return {
    phyPayload,
    rx: {
      gatewayId: opts.gatewayId ?? 'aa555a0000000001',
      tmst: 1_000_000,
      frequency: 868_100_000,
      channel: 0,
      rfChain: 0,
      crcStatus: 'CRC_OK',
      rssi: opts.rssi ?? -80,
      snr: opts.snr ?? 5,
      size: phyPayload.length,
    },
    tx: { modulation: 'LORA', spreadingFactor: 7, bandwidth: 125_000, codeRate: '4/5' },
    receivedAt: opts.receivedAt ?? Date.now(),
  };
}

describe('Deduplicator', () => {
  const A = Buffer.from('40da1b0126000100016e0ad5aab4c2d1', 'hex');
  const B = Buffer.from('40da1b0126000200016e0ad5aab4c2d1', 'hex');
  let handled: DeduplicatedUplink[];
  let dedup: Deduplicator;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    handled = [];
    dedup = new Deduplicator({ windowMs: 200, cooldownMs: 1000 }, (u) => void handled.push(u));
  });
  afterEach(() => {
    dedup.stop();
    jest.useRealTimers();
  });

  it('hands over the copies of one PHYPayload once, when the window closes, best SNR first', () => {
    expect(dedup.add(copyOf(A, { gatewayId: 'g1', snr: 1 }))).toBe('first');
    jest.advanceTimersByTime(100);
    expect(dedup.add(copyOf(A, { gatewayId: 'g2', snr: 9 }))).toBe('copy');
    expect(handled).toHaveLength(0);
    jest.advanceTimersByTime(100);
    expect(handled).toHaveLength(1);
    expect(handled[0].copies.map((c) => c.rx.gatewayId)).toEqual(['g2', 'g1']);
    expect(handled[0].firstReceivedAt).toBe(1_000_000);
    expect(handled[0].windowClosedAt).toBe(1_000_200);
    expect(handled[0].deduplicationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tells of each PHYPayload at its first copy, with the id its uplink will carry', () => {
    const firsts: FirstCopy[] = [];
    dedup.stop();
    dedup = new Deduplicator(
      { windowMs: 200, cooldownMs: 1000 },
      (u) => void handled.push(u),
      (f) => void firsts.push(f),
    );
    const g1 = copyOf(A, { gatewayId: 'g1', snr: 1, receivedAt: 999_990 });
    dedup.add(g1);
    expect(firsts).toEqual([
      { deduplicationId: expect.stringMatching(/^[0-9a-f-]{36}$/), copy: g1, windowDueAt: 1_000_190 },
    ]);
    dedup.add(copyOf(A, { gatewayId: 'g2', snr: 9 }));
    dedup.add(copyOf(B));
    expect(firsts.map((f) => f.copy.phyPayload)).toEqual([A, B]); // copies are not first copies
    jest.advanceTimersByTime(200);
    expect(dedup.add(copyOf(A, { gatewayId: 'g3' }))).toBe('late');
    expect(firsts).toHaveLength(2);
    expect(handled.map((u) => u.deduplicationId)).toEqual(firsts.map((f) => f.deduplicationId));
    expect(handled[0].copies.map((c) => c.rx.gatewayId)).toEqual(['g2', 'g1']);
  });

  it('runs the window from the first copy at the socket (the UDP worker hands copies over a batch later)', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1', receivedAt: 999_970 }));
    jest.advanceTimersByTime(169);
    expect(dedup.add(copyOf(A, { gatewayId: 'g2', receivedAt: 1_000_160 }))).toBe('copy');
    expect(handled).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(handled).toHaveLength(1); // 30 ms spent reaching this thread came out of the window
    expect(handled[0].copies).toHaveLength(2);
    expect(handled[0].firstReceivedAt).toBe(999_970);
    expect(handled[0].windowDueAt).toBe(1_000_170);
    expect(handled[0].windowClosedAt).toBe(1_000_170);
    expect(dedup.add(copyOf(A, { gatewayId: 'g3', receivedAt: 1_000_165 }))).toBe('late');
  });

  it('hands over at once an uplink whose window passed while it waited to reach this thread', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1', receivedAt: 999_700 }));
    dedup.add(copyOf(A, { gatewayId: 'g2', receivedAt: 999_701 })); // same batch: still collected
    expect(handled).toHaveLength(0);
    jest.advanceTimersByTime(0);
    expect(handled).toHaveLength(1);
    expect(handled[0].copies).toHaveLength(2);
    expect(handled[0].windowDueAt).toBe(999_900);
  });

  it('never closes a window early when a clock step dates an uplink before the one queued ahead of it', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1' }));
    dedup.add(copyOf(B, { gatewayId: 'g1', receivedAt: 999_900 }));
    jest.advanceTimersByTime(100);
    expect(handled).toHaveLength(0); // B waits behind A (due at 1_000_200)
    jest.advanceTimersByTime(100);
    expect(handled.map((u) => u.phyPayload)).toEqual([A, B]);
  });

  it('never dates an uplink after it was handed over (a socket clock ahead of this one)', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1', receivedAt: 1_000_050 }));
    jest.advanceTimersByTime(200);
    expect(handled[0].firstReceivedAt).toBe(1_000_000);
  });

  it('hands over a few ms of uplinks per event-loop turn, the rest after the I/O queued meanwhile', () => {
    dedup.stop();
    let clock = 0;
    const now = jest.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      // Each uplink takes 1 ms to handle.
      dedup = new Deduplicator({ windowMs: 200, cooldownMs: 1000 }, (u) => {
        handled.push(u);
        clock += 1;
      });
      const frames = Array.from({ length: 3 * HAND_OVER_BUDGET_MS + 1 }, (_, i) => {
        const f = Buffer.from(A);
        f[6] = i;
        return f;
      });
      for (const f of frames) dedup.add(copyOf(f, { gatewayId: 'g1' }));
      jest.advanceTimersByTime(200);
      expect(handled).toHaveLength(HAND_OVER_BUDGET_MS);
      jest.advanceTimersByTime(1); // the setImmediate continuation
      expect(handled).toHaveLength(2 * HAND_OVER_BUDGET_MS);
      jest.advanceTimersByTime(1);
      expect(handled).toHaveLength(3 * HAND_OVER_BUDGET_MS);
      jest.advanceTimersByTime(1);
      expect(handled.map((u) => u.phyPayload)).toEqual(frames); // oldest first, each once
      expect(dedup.add(copyOf(frames[0], { gatewayId: 'g2' }))).toBe('late');
    } finally {
      now.mockRestore();
    }
  });

  it('keeps one copy per gateway: the better one', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1', snr: 1 }));
    dedup.add(copyOf(A, { gatewayId: 'g1', snr: 4 }));
    dedup.add(copyOf(A, { gatewayId: 'g1', snr: 2 }));
    jest.advanceTimersByTime(200);
    expect(handled[0].copies.map((c) => c.rx.snr)).toEqual([4]);
  });

  it('drops copies arriving after the window within the cooldown, and forgets the payload after it', () => {
    dedup.add(copyOf(A, { gatewayId: 'g1' }));
    jest.advanceTimersByTime(200);
    expect(dedup.add(copyOf(A, { gatewayId: 'g2' }))).toBe('late');
    jest.advanceTimersByTime(999);
    expect(dedup.add(copyOf(A, { gatewayId: 'g3' }))).toBe('late');
    expect(dedup.size).toBe(1);
    jest.advanceTimersByTime(1);
    expect(dedup.size).toBe(0);
    // After the cooldown the same bytes are a new uplink (the pipeline judges it a retransmission).
    expect(dedup.add(copyOf(A, { gatewayId: 'g1' }))).toBe('first');
    jest.advanceTimersByTime(200);
    expect(handled).toHaveLength(2);
  });

  it('keeps distinct payloads apart, each with its own window', () => {
    dedup.add(copyOf(A));
    jest.advanceTimersByTime(50);
    dedup.add(copyOf(B));
    jest.advanceTimersByTime(150);
    expect(handled.map((u) => u.phyPayload)).toEqual([A]);
    jest.advanceTimersByTime(50);
    expect(handled.map((u) => u.phyPayload)).toEqual([A, B]);
  });

  it('bounds its memory: beyond maxEntries a new payload is refused', () => {
    const small = new Deduplicator({ windowMs: 200, cooldownMs: 1000, maxEntries: 2 }, () => undefined);
    expect(small.add(copyOf(A))).toBe('first');
    expect(small.add(copyOf(B))).toBe('first');
    expect(small.add(copyOf(Buffer.from('00', 'hex')))).toBe('overflow');
    expect(small.add(copyOf(A, { gatewayId: 'g9' }))).toBe('copy');
    small.stop();
  });

  it('holds many uplinks with one timer and releases them all', () => {
    for (let i = 0; i < 5000; i++) {
      const p = Buffer.alloc(16);
      p.writeUInt32LE(i, 1);
      dedup.add(copyOf(p));
      if (i % 1000 === 0) jest.advanceTimersByTime(10);
    }
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(250);
    expect(handled).toHaveLength(5000);
    jest.advanceTimersByTime(1000);
    expect(dedup.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('with no cooldown forgets the payload as soon as it is handled', () => {
    const d = new Deduplicator({ windowMs: 10, cooldownMs: 0 }, (u) => void handled.push(u));
    d.add(copyOf(A));
    jest.advanceTimersByTime(10);
    expect(d.size).toBe(0);
    expect(d.add(copyOf(A))).toBe('first');
    d.stop();
  });

  it('stop() drops what is still collecting', () => {
    dedup.add(copyOf(A));
    expect(dedup.stop()).toBe(1);
    jest.advanceTimersByTime(500);
    expect(handled).toHaveLength(0);
    expect(dedup.add(copyOf(B))).toBe('overflow');
  });
});
