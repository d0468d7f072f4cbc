import { JoinNonceState } from '../device/js-device';
import {
  changeDevNoncePolicy,
  checkDevNonce,
  decodeDevNonces,
  encodeDevNonces,
  flushDevNonces,
  recordDevNonce,
  USED_DEV_NONCE_LIMIT,
} from './dev-nonce';
import { JOIN_NONCE_MAX, nextJoinNonce } from './join-nonce';

const fresh = (devNoncePolicy: JoinNonceState['devNoncePolicy']): JoinNonceState => ({
  devNoncePolicy,
  lastDevNonce: null,
  usedDevNonces: [],
  lastJoinNonce: 0,
  rjCount1Last: null,
});

const accept = (s: JoinNonceState, n: number) => {
  expect(checkDevNonce(s, n)).toEqual({ ok: true });
  return recordDevNonce(s, n);
};

describe('DevNonce policies', () => {
  describe('counter (LoRaWAN 1.0.4 §6.2.5, 1.1 §6.2.2)', () => {
    it('accepts 0 first, then only values above the last accepted', () => {
      let s = accept(fresh('counter'), 0);
      s = accept(s, 1);
      s = accept(s, 7); // gaps are fine: lost join-requests also consumed DevNonces
      expect(checkDevNonce(s, 7)).toEqual({
        ok: false,
        description: expect.stringMatching(/^DevNonce not incremented/),
      });
      expect(checkDevNonce(s, 3).ok).toBe(false);
      expect(checkDevNonce(s, 8).ok).toBe(true);
    });

    it('keeps only the last value, no history', () => {
      let s = fresh('counter');
      for (let n = 0; n < 50; n++) s = accept(s, n);
      expect(s.lastDevNonce).toBe(49);
      expect(s.usedDevNonces).toEqual([]);
    });
  });

  describe('set (LoRaWAN 1.0.0-1.0.3: random DevNonce, never reused)', () => {
    it('refuses any value used before, in any order', () => {
      let s = accept(fresh('set'), 500);
      s = accept(s, 3);
      s = accept(s, 60000);
      expect(checkDevNonce(s, 500)).toEqual({ ok: false, description: 'DevNonce already used: 500' });
      expect(checkDevNonce(s, 3).ok).toBe(false);
      expect(checkDevNonce(s, 4).ok).toBe(true);
    });

    it(`remembers the last ${USED_DEV_NONCE_LIMIT}, dropping the oldest`, () => {
      let s = fresh('set');
      for (let n = 0; n < USED_DEV_NONCE_LIMIT + 10; n++) s = recordDevNonce(s, n);
      expect(s.usedDevNonces).toHaveLength(USED_DEV_NONCE_LIMIT);
      expect(checkDevNonce(s, 9).ok).toBe(true); // forgotten
      expect(checkDevNonce(s, 10).ok).toBe(false);
      expect(checkDevNonce(s, USED_DEV_NONCE_LIMIT + 9).ok).toBe(false);
    });
  });

  it('off accepts a replayed DevNonce (operator escape hatch)', () => {
    let s = accept(fresh('off'), 5);
    s = accept(s, 5);
    expect(s.lastDevNonce).toBe(5);
  });

  it('a flush forgets every used DevNonce under each policy', () => {
    for (const policy of ['counter', 'set'] as const) {
      const s = flushDevNonces(accept(accept(fresh(policy), 10), 11));
      expect(s).toMatchObject({ lastDevNonce: null, usedDevNonces: [] });
      expect(checkDevNonce(s, 10).ok).toBe(true);
      expect(checkDevNonce(s, 0).ok).toBe(true);
    }
  });

  it('a policy change keeps the one nonce known used when moving to set, and drops the history leaving it', () => {
    const counter = accept(fresh('counter'), 42);
    const set = changeDevNoncePolicy(counter, 'set');
    expect(set.usedDevNonces).toEqual([42]);
    expect(checkDevNonce(set, 42).ok).toBe(false);
    expect(checkDevNonce(set, 1).ok).toBe(true);
    const back = changeDevNoncePolicy(accept(set, 1), 'counter');
    expect(back).toMatchObject({ devNoncePolicy: 'counter', usedDevNonces: [], lastDevNonce: 1 });
    expect(changeDevNoncePolicy(back, 'counter')).toBe(back);
    expect(changeDevNoncePolicy(flushDevNonces(back), 'set').usedDevNonces).toEqual([]);
  });

  it('stores the history as 2 bytes LE each', () => {
    expect(encodeDevNonces([])).toBeNull();
    const buf = encodeDevNonces([1, 0xabcd, 65535]) as Buffer;
    expect(buf.toString('hex')).toBe('0100cdabffff');
    expect(decodeDevNonces(buf)).toEqual([1, 0xabcd, 65535]);
    expect(decodeDevNonces(null)).toEqual([]);
  });
});

describe('JoinNonce', () => {
  it('starts at 1 (a device stores 0: LoRaMac-node) and increases by one', () => {
    expect(nextJoinNonce(0)).toBe(1);
    expect(nextJoinNonce(41)).toBe(42);
  });

  it('is exhausted after 2^24 − 1: it never wraps (LoRaWAN 1.1 §6.2.3)', () => {
    expect(nextJoinNonce(JOIN_NONCE_MAX - 1)).toBe(JOIN_NONCE_MAX);
    expect(nextJoinNonce(JOIN_NONCE_MAX)).toBeUndefined();
  });
});
