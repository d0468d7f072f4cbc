import { DownlinkTracker, TX_ACK_WAIT_MS } from './downlink-tracker';

describe('DownlinkTracker', () => {
  it('finds the downlink of a TX_ACK once, by gateway and token', () => {
    const t = new DownlinkTracker();
    const p = t.reserve('gw1', 'dl-1', 1000);
    expect(p.token).toBeGreaterThanOrEqual(1);
    expect(p.token).toBeLessThanOrEqual(0xffff);
    expect(t.take('gw2', p.token, 1001)).toBeUndefined();
    expect(t.take('gw1', p.token, 1001)).toMatchObject({ downlinkId: 'dl-1', gatewayId: 'gw1' });
    expect(t.take('gw1', p.token, 1002)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('never hands out a token still pending on the same gateway', () => {
    const t = new DownlinkTracker();
    t.randomToken = () => 7;
    const a = t.reserve('gw1', 'a', 0);
    const b = t.reserve('gw1', 'b', 0);
    const c = t.reserve('gw2', 'c', 0);
    expect([a.token, b.token, c.token]).toEqual([7, 8, 7]);
    t.randomToken = () => 0xffff;
    t.reserve('gw3', 'x', 0);
    expect(t.reserve('gw3', 'y', 0).token).toBe(1);
  });

  it('does not match an expired downlink, and sweeps it', () => {
    const t = new DownlinkTracker();
    const p = t.reserve('gw1', 'late', 0);
    expect(t.take('gw1', p.token, TX_ACK_WAIT_MS + 1)).toBeUndefined();
    const q = t.reserve('gw1', 'lost', 0);
    t.reserve('gw1', 'fresh', TX_ACK_WAIT_MS);
    expect(t.sweep(TX_ACK_WAIT_MS + 1).map((e) => e.downlinkId)).toEqual(['lost']);
    expect(t.take('gw1', q.token, 0)).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('cancels a reservation whose PULL_RESP was never sent', () => {
    const t = new DownlinkTracker();
    t.cancel(t.reserve('gw1', 'a', 0));
    expect(t.size).toBe(0);
  });
});
