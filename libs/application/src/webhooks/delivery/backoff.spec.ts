import { backoffDelay } from './backoff';

const policy = { initialBackoffMs: 1_000, maxBackoffMs: 300_000, jitter: 0.2 };
const mid = () => 0.5; // no jitter: the nominal delay

describe('backoffDelay', () => {
  it('doubles from the initial delay: 1 s, 2 s, 4 s, 8 s …', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, mid))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000,
    ]);
  });

  it('is capped at the maximum (5 min by default), even after very many failures', () => {
    expect(backoffDelay(9, policy, mid)).toBe(256_000);
    expect(backoffDelay(10, policy, mid)).toBe(300_000);
    expect(backoffDelay(1_000, policy, mid)).toBe(300_000);
    expect(backoffDelay(1_000, policy, () => 0.999)).toBe(300_000);
  });

  it('draws ±jitter around the nominal delay', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(3_200);
    expect(backoffDelay(3, policy, () => 1)).toBe(4_800);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, policy)));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(3_200);
      expect(d).toBeLessThanOrEqual(4_800);
    }
  });

  it('treats 0 or fewer failures as the first', () => {
    expect(backoffDelay(0, policy, mid)).toBe(1_000);
    expect(backoffDelay(-3, policy, mid)).toBe(1_000);
  });

  it("waits at least a server's Retry-After, within the cap", () => {
    expect(backoffDelay(1, policy, mid, 30_000)).toBe(30_000);
    expect(backoffDelay(5, policy, mid, 2_000)).toBe(16_000);
    expect(backoffDelay(1, policy, mid, 3_600_000)).toBe(300_000);
  });
});
