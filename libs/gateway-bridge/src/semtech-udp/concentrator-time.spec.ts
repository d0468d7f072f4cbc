import { classATimestamp } from './concentrator-time';

describe('classATimestamp', () => {
  it('adds the receive delay in µs', () => {
    expect(classATimestamp(1_000_000, 1_000_000)).toBe(2_000_000);
  });

  it('wraps at 2^32 like the concentrator counter', () => {
    expect(classATimestamp(0xffffffff - 499_999, 1_000_000)).toBe(500_000);
    expect(classATimestamp(0xffffffff, 1)).toBe(0);
  });
});
