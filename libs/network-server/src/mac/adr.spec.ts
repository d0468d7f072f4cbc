import { EU868, US915 } from '@lns/lorawan';
import { adr, AdrInput, nbTransForLoss, packetLossPercent } from './adr';
import { history } from './mac-test-support';

/** EU868 DR2 = SF10 (needs −15 dB); margin 10 dB: each 3 dB above −5 dB is one step. */
function input(overrides: Partial<AdrInput> = {}): AdrInput {
  return {
    region: EU868,
    enabled: true,
    dataRate: 2,
    txPower: 0,
    nbTrans: 1,
    history: history(-5),
    ...overrides,
  };
}

describe('adr (standard algorithm)', () => {
  it('keeps everything with no margin to spare', () => {
    // maxSnr −5 − (−15) − 10 = 0 dB → NStep 0.
    expect(adr(input())).toEqual({ dataRate: 2, txPower: 0, nbTrans: 1 });
  });

  it('steps the data rate up, one DR per 3 dB of margin', () => {
    // margin 6.5 dB → NStep 2: DR2 → DR4.
    expect(adr(input({ history: history(1.5) }))).toEqual({ dataRate: 4, txPower: 0, nbTrans: 1 });
  });

  it('takes the best SNR over the history (max over uplinks, each already the best gateway)', () => {
    const h = history(-10);
    h[7] = { ...h[7], maxSnr: 1.5 };
    expect(adr(input({ history: h })).dataRate).toBe(4);
  });

  it('floors NStep: 5.9 dB of margin is one step, not two', () => {
    expect(adr(input({ history: history(0.9) })).dataRate).toBe(3);
  });

  it('caps the data rate at the region maximum, then lowers the TX power', () => {
    // margin 15 dB → NStep 5: DR2 → DR5 (3 steps), then TXPower 0 → 2.
    expect(adr(input({ history: history(10) }))).toEqual({ dataRate: 5, txPower: 2, nbTrans: 1 });
  });

  it('lowers the TX power only down to the last TXPower index', () => {
    expect(adr(input({ dataRate: 5, txPower: 6, history: history(40, 6) }))).toEqual({
      dataRate: 5,
      txPower: 7,
      nbTrans: 1,
    });
    expect(adr(input({ dataRate: 5, txPower: 0, history: history(40), maxTxPower: 3 })).txPower).toBe(3);
  });

  it('caps at a lower maxDataRate when given one, and never above the region maximum', () => {
    expect(adr(input({ history: history(10), maxDataRate: 3 })).dataRate).toBe(3);
    expect(adr(input({ history: history(10), maxDataRate: 9 })).dataRate).toBe(5);
    // US915: ADR stops at DR3 (SF7/125), DR4 is the 500 kHz channel.
    expect(adr(input({ region: US915, dataRate: 0, history: history(20) })).dataRate).toBe(3);
  });

  it('brings a data rate above the maximum back under it, even without history', () => {
    // EU868 DR6 = SF7/250: above the ADR maximum DR5.
    expect(adr(input({ dataRate: 6, history: [] })).dataRate).toBe(5);
  });

  it('raises the TX power on a negative margin, never lowering the data rate', () => {
    // DR5 (SF7, −7.5 dB): maxSnr −9 → margin −11.5 → NStep −4: TXPower 3 → 0 (stops at 0).
    expect(adr(input({ dataRate: 5, txPower: 3, history: history(-9, 3) }))).toEqual({
      dataRate: 5,
      txPower: 0,
      nbTrans: 1,
    });
    // margin −3 dB → one step up in power; −0.5 dB already floors to −1.
    expect(adr(input({ dataRate: 5, txPower: 3, history: history(-0.5, 3) })).txPower).toBe(2);
    expect(adr(input({ dataRate: 5, txPower: 3, history: history(2, 3) })).txPower).toBe(2);
  });

  it('does not raise the power on a history sent partly at another power', () => {
    const h = history(-9, 3);
    h[0] = { ...h[0], txPower: 2 };
    expect(adr(input({ dataRate: 5, txPower: 3, history: h }))).toEqual({
      dataRate: 5,
      txPower: 3,
      nbTrans: 1,
    });
  });

  it('changes nothing with fewer than 20 uplinks', () => {
    expect(adr(input({ history: history(10).slice(0, 19) }))).toEqual({
      dataRate: 2,
      txPower: 0,
      nbTrans: 1,
    });
  });

  it('changes nothing when ADR is disabled', () => {
    expect(adr(input({ enabled: false, history: history(10), dataRate: 6, nbTrans: 3 }))).toEqual({
      dataRate: 6,
      txPower: 0,
      nbTrans: 3,
    });
  });

  it('leaves FSK and LR-FHSS data rates alone', () => {
    expect(adr(input({ dataRate: 7, history: history(10) }))).toEqual({
      dataRate: 7,
      txPower: 0,
      nbTrans: 1,
    });
    expect(adr(input({ dataRate: 8, history: history(10) }))).toEqual({
      dataRate: 8,
      txPower: 0,
      nbTrans: 1,
    });
  });

  it('uses the installation margin given', () => {
    // margin with 4 dB reserve: −5 + 15 − 4 = 6 → NStep 2.
    expect(adr(input({ installationMargin: 4 })).dataRate).toBe(4);
  });

  describe('NbTrans from packet loss (ChirpStack table)', () => {
    it('measures loss from FCnt gaps over a full history', () => {
      // ChirpStack test_get_packet_loss_percentage: 2 frames lost over 20 → 10 %.
      expect(packetLossPercent(history(0, 0, 1, [5, 10]))).toBe(10);
      expect(packetLossPercent(history(0).slice(0, 10))).toBe(0);
      // A counter going backwards (device reset) is not negative loss.
      const h = history(0);
      h[10] = { ...h[10], fCnt: 0 };
      expect(packetLossPercent(h)).toBeGreaterThanOrEqual(0);
    });

    it('maps loss and the current NbTrans to the new NbTrans', () => {
      expect(nbTransForLoss(3, 4.99)).toBe(2);
      expect(nbTransForLoss(2, 9.99)).toBe(2);
      expect(nbTransForLoss(1, 10)).toBe(2);
      expect(nbTransForLoss(3, 30)).toBe(3);
      expect(nbTransForLoss(1, 0)).toBe(1);
    });

    it('raises NbTrans in the ADR result when uplinks get lost', () => {
      // 4 of 20 lost = 20 % → row "< 30 %": NbTrans 1 → 2.
      expect(adr(input({ history: history(-5, 0, 1, [2, 4, 6, 8]) })).nbTrans).toBe(2);
    });
  });
});
