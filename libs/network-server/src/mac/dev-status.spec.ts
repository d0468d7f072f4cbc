import { EU868 } from '@lns/lorawan';
import { devStatusRequester, handleDevStatusAns, wantedDevStatusReqs } from './dev-status';
import { ctxFor, NOW, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';

const DAY = 24 * 3600 * 1000;
const settings = settingsWith({ devStatusIntervalMs: DAY });

describe('DevStatusReq: when the network asks', () => {
  it('asks on the first uplink after activation', () => {
    expect(wantedDevStatusReqs(stateFor(EU868), ctxFor(EU868), settings)).toEqual([{ cid: 'DevStatusReq' }]);
  });

  it('asks again once the interval has passed, not before', () => {
    expect(
      wantedDevStatusReqs(
        stateFor(EU868, { lastDevStatusRequestAt: NOW - DAY + 1 }),
        ctxFor(EU868),
        settings,
      ),
    ).toEqual([]);
    expect(
      wantedDevStatusReqs(stateFor(EU868, { lastDevStatusRequestAt: NOW - DAY }), ctxFor(EU868), settings),
    ).toHaveLength(1);
  });

  it('asks again at once after an unanswered request', () => {
    const state = stateFor(EU868, { lastDevStatusRequestAt: NOW - 1000, rejections: { DevStatusReq: 1 } });
    expect(wantedDevStatusReqs(state, ctxFor(EU868), settings)).toHaveLength(1);
  });

  it('records when it was sent', () => {
    const state = stateFor(EU868);
    devStatusRequester.onSent?.(state, [{ cid: 'DevStatusReq' }], ctxFor(EU868));
    expect(state.lastDevStatusRequestAt).toBe(NOW);
  });
});

describe('DevStatusAns', () => {
  it.each([
    ['external power', 0, -3],
    ['a battery level', 127, 12],
    ['an unknown level', 255, -32],
  ])('passes %s on as a status effect with the signed margin', (_what, battery, margin) => {
    const state = stateFor(EU868);
    sent(state, [{ cid: 'DevStatusReq' }]);
    const rec = recordingEnv(state, ctxFor(EU868));
    handleDevStatusAns(rec.env, { cid: 'DevStatusAns', battery, margin }, []);
    expect(rec.effects).toEqual([{ kind: 'status', battery, margin }]);
    expect(state.pending).toEqual([]);
  });

  it('clears the unanswered count once answered', () => {
    const state = stateFor(EU868, { rejections: { DevStatusReq: 2 } });
    sent(state, [{ cid: 'DevStatusReq' }]);
    handleDevStatusAns(
      recordingEnv(state, ctxFor(EU868)).env,
      { cid: 'DevStatusAns', battery: 1, margin: 0 },
      [],
    );
    expect(state.rejections.DevStatusReq).toBeUndefined();
  });
});
