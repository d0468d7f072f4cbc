import { FailureThrottle } from './failure-throttle';

describe('FailureThrottle', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => (t = 1_000_000));

  it('lets 5 failures a minute through, then refuses until the oldest leaves the window', () => {
    const throttle = new FailureThrottle({ maxFailures: 5, windowMs: 60_000 }, clock);
    for (let i = 0; i < 5; i++) {
      expect(throttle.retryAfterMs('ip:1')).toBe(0);
      throttle.recordFailure('ip:1');
      t += 1000;
    }
    // Failures at 0, 1, 2, 3, 4 s; now 5 s: the first leaves the window at 60 s.
    expect(throttle.retryAfterMs('ip:1')).toBe(55_000);
    t += 54_999;
    expect(throttle.retryAfterMs('ip:1')).toBe(1);
    t += 1;
    expect(throttle.retryAfterMs('ip:1')).toBe(0);
  });

  it('keeps keys apart', () => {
    const throttle = new FailureThrottle({ maxFailures: 2, windowMs: 60_000 }, clock);
    throttle.recordFailure('dev:a');
    throttle.recordFailure('dev:a');
    expect(throttle.retryAfterMs('dev:a')).toBeGreaterThan(0);
    expect(throttle.retryAfterMs('dev:b')).toBe(0);
  });

  it('slides: failures spread over more than the window never lock a key', () => {
    const throttle = new FailureThrottle({ maxFailures: 5, windowMs: 60_000 }, clock);
    for (let i = 0; i < 50; i++) {
      expect(throttle.retryAfterMs('k')).toBe(0);
      throttle.recordFailure('k');
      t += 15_000;
    }
  });

  it('forgets expired keys and holds at most maxKeys, dropping the oldest first', () => {
    const throttle = new FailureThrottle({ maxFailures: 1, windowMs: 1000, maxKeys: 3 }, clock);
    throttle.recordFailure('old');
    t += 2000;
    expect(throttle.retryAfterMs('old')).toBe(0);
    expect(throttle.size).toBe(0);
    for (const k of ['a', 'b', 'c', 'd']) throttle.recordFailure(k);
    expect(throttle.size).toBe(3);
    expect(throttle.retryAfterMs('a')).toBe(0);
    expect(throttle.retryAfterMs('d')).toBeGreaterThan(0);
  });
});
