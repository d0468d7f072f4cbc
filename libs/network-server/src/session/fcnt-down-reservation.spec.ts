import { contextFor, sessionFor } from '../uplink/ns-test-support';
import {
  fCntDownCommitted,
  fCntDownToCommit,
  isFCntDownOnDisk,
  reserveFCntDown,
} from './fcnt-down-reservation';

describe('FCntDown reservation', () => {
  const ctx = contextFor();

  it('writes the counters as they are when nothing is reserved', () => {
    const s = sessionFor(ctx, { nFCntDown: 4, aFCntDown: 9 });
    expect(fCntDownToCommit(s)).toEqual([4, 9]);
  });

  it('writes each counter one ahead once after a reservation, then as they are again', () => {
    const s = sessionFor(ctx, { nFCntDown: 4, aFCntDown: 9 });
    reserveFCntDown(s);
    expect(fCntDownToCommit(s)).toEqual([5, 10]);
    expect(fCntDownToCommit(s)).toEqual([4, 9]);
  });

  it('covers a counter only below what a successful commit wrote', () => {
    const s = sessionFor(ctx, { nFCntDown: 4, aFCntDown: 9 });
    expect(isFCntDownOnDisk(s, 'NFCntDown', 0)).toBe(false); // nothing committed yet
    reserveFCntDown(s);
    fCntDownCommitted(s, fCntDownToCommit(s));
    expect(isFCntDownOnDisk(s, 'NFCntDown', 4)).toBe(true);
    expect(isFCntDownOnDisk(s, 'NFCntDown', 5)).toBe(false);
    expect(isFCntDownOnDisk(s, 'AFCntDown', 9)).toBe(true);
    expect(isFCntDownOnDisk(s, 'AFCntDown', 10)).toBe(false);
  });

  it('follows the last commit, also when it wrote less (the reserved counter was not used)', () => {
    const s = sessionFor(ctx, { nFCntDown: 4, aFCntDown: 0 });
    reserveFCntDown(s);
    fCntDownCommitted(s, fCntDownToCommit(s));
    fCntDownCommitted(s, fCntDownToCommit(s));
    expect(isFCntDownOnDisk(s, 'NFCntDown', 4)).toBe(false);
  });
});
