import fc from 'fast-check';
import { hasMaxFCntGap, isFCntGapAllowed, isRetransmission, MAX_FCNT_GAP, reconstructFCnt } from './fcnt';

const code = (c: string) => expect.objectContaining({ name: 'LorawanError', code: c });
const U32 = 0xffffffff;

describe('reconstructFCnt (L11 §4.3.1.5, reference §2.9)', () => {
  // vector: chirpstack/chirpstack chirpstack/src/storage/device.rs test_get_full_f_cnt_up (server next, device, expected)
  it.each([
    [1, 1, 1, 'frame-counter is as expected'],
    [1 << 16, 0, 1 << 16, 'frame-counter is as expected'],
    [(1 << 16) + 1, 1, (1 << 16) + 1, 'frame-counter is as expected'],
    [0, 1, 1, 'one frame packet-loss'],
    [(1 << 16) + 1, 2, (1 << 16) + 2, 'one frame packet-loss'],
    [2, 1, 1, 're-transmission of previous frame'],
    [(1 << 16) + 1, 0, 1 << 16, 're-transmission of previous frame'],
    [1 << 16, (1 << 16) - 1, (1 << 16) - 1, 're-transmission of previous frame'],
    [U32, 0, 0, '32-bit wrap'],
  ])('next %i, FCnt %i → %i (%s)', (next, fCnt16, expected) => {
    expect(reconstructFCnt(next, fCnt16)).toBe(expected);
  });

  it('is exact for any 32-bit next and any gap below 2^15, across 16- and 32-bit wrap-around', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: U32 }), fc.integer({ min: 0, max: 2 ** 15 - 1 }), (next, gap) => {
        const full = (next + gap) % 2 ** 32;
        expect(reconstructFCnt(next, full & 0xffff)).toBe(full);
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact near the 16-bit and 32-bit boundaries', () => {
    const nexts = fc.oneof(
      // 16 LSB close enough to 0xFFFF for next + gap to carry into the upper half
      fc
        .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xffff - 2 ** 15, max: 0xffff }))
        .map(([hi, lo]) => hi * 0x10000 + lo),
      // close enough to 2^32 for next + gap to wrap the 32-bit counter
      fc.integer({ min: U32 - 2 ** 15, max: U32 }),
    );
    fc.assert(
      fc.property(nexts, fc.integer({ min: 0, max: 2 ** 15 - 1 }), (next, gap) => {
        const full = (next + gap) % 2 ** 32;
        expect(reconstructFCnt(next, full & 0xffff)).toBe(full);
      }),
      { numRuns: 2000 },
    );
  });

  it('returns next − 1 for the 16 bits of the last accepted frame (retransmission)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: U32 }), (next) => {
        const full = reconstructFCnt(next, (next - 1) & 0xffff);
        expect(full).toBe(next - 1);
        expect(isRetransmission(next, full)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('treats 0xFFFF as a gap, not a retransmission, when nothing was received yet', () => {
    expect(reconstructFCnt(0, 0xffff)).toBe(0xffff);
    expect(isRetransmission(0, 0xffff)).toBe(false);
    expect(isRetransmission(0, U32)).toBe(false);
  });

  it('wraps the 32-bit counter', () => {
    expect(reconstructFCnt(0xfffffff0, 0x0005)).toBe(5);
    expect(reconstructFCnt(0xfffffff0, 0xfff5)).toBe(0xfffffff5);
  });

  it('rejects values outside the counters’ ranges', () => {
    expect(() => reconstructFCnt(-1, 0)).toThrow(code('BAD_FIELD'));
    expect(() => reconstructFCnt(2 ** 32, 0)).toThrow(code('BAD_FIELD'));
    expect(() => reconstructFCnt(0, 0x10000)).toThrow(code('BAD_FIELD'));
    expect(() => reconstructFCnt(0.5, 0)).toThrow(code('BAD_FIELD'));
    expect(() => isRetransmission(1, -1)).toThrow(code('BAD_FIELD'));
  });
});

describe('isRetransmission', () => {
  it('is true only for next − 1', () => {
    expect(isRetransmission(10, 9)).toBe(true);
    expect(isRetransmission(10, 10)).toBe(false);
    expect(isRetransmission(10, 8)).toBe(false);
    expect(isRetransmission(10, 11)).toBe(false);
  });
});

describe('MAX_FCNT_GAP and the version gate (L102 §4.3.1.5; TTS macspec.HasMaxFCntGap; reference §2.9)', () => {
  it('is 16384', () => {
    expect(MAX_FCNT_GAP).toBe(16384);
  });

  it.each(['1.0', '1.0.0', '1.0.1', '1.0.2', '1.0.2-b', '1.0.2b', '1.0.2 Rev B', '1.0.3'])(
    '%s has the gap rule',
    (v) => {
      expect(hasMaxFCntGap(v)).toBe(true);
    },
  );

  it.each(['1.0.4', '1.1', '1.1.0', 'v1.1'])('%s has no gap rule', (v) => {
    expect(hasMaxFCntGap(v)).toBe(false);
  });

  it('allows gaps below MAX_FCNT_GAP before 1.0.4, any gap from 1.0.4 on', () => {
    expect(isFCntGapAllowed('1.0.2', 1)).toBe(true);
    expect(isFCntGapAllowed('1.0.2', MAX_FCNT_GAP - 1)).toBe(true);
    expect(isFCntGapAllowed('1.0.3', MAX_FCNT_GAP)).toBe(false);
    expect(isFCntGapAllowed('1.0.3', 60000)).toBe(false);
    expect(isFCntGapAllowed('1.0.4', 60000)).toBe(true);
    expect(isFCntGapAllowed('1.1.0', U32)).toBe(true);
  });

  it('rejects unknown versions and bad gaps', () => {
    expect(() => hasMaxFCntGap('one')).toThrow(code('BAD_FIELD'));
    expect(() => hasMaxFCntGap('')).toThrow(code('BAD_FIELD'));
    expect(() => isFCntGapAllowed('1.1', -1)).toThrow(code('BAD_FIELD'));
  });
});
