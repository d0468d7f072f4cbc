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

  it('never writes less than a commit before it: a frame may have left on the strength of that value', () => {
    const s = sessionFor(ctx, { nFCntDown: 4, aFCntDown: 0 });
    reserveFCntDown(s);
    fCntDownCommitted(s, fCntDownToCommit(s)); // writes [5, 1]
    // The answer takes 4, covered on disk, and leaves without a commit of its own...
    expect(isFCntDownOnDisk(s, 'NFCntDown', s.nFCntDown++)).toBe(true);
    // ...while a commit of the session without a reservation (the MAC state, the next uplink)
    // had read the counters before: it must not write 4 back, or a restart would send 4 again.
    s.nFCntDown = 4;
    expect(fCntDownToCommit(s)).toEqual([5, 1]);
    s.nFCntDown = 5;
    fCntDownCommitted(s, fCntDownToCommit(s));
    expect(isFCntDownOnDisk(s, 'NFCntDown', 4)).toBe(true);
    expect(isFCntDownOnDisk(s, 'NFCntDown', 5)).toBe(false);
    // Once the counters pass what is on disk, they are written as they are.
    s.nFCntDown = 7;
    expect(fCntDownToCommit(s)).toEqual([7, 1]);
  });
});
