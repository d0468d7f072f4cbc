import { EU868, MacCommand } from '@lns/lorawan';
import { ctxFor, logs, NOW, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';
import {
  accept,
  commandKey,
  isBlocked,
  judgeUnanswered,
  nacks,
  refuse,
  takePending,
  takePendingBlock,
} from './pending-requests';

const RX: MacCommand = { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequency: 869_525_000 };
const RX2: MacCommand = { ...RX, rx2DataRate: 2 } as MacCommand;

describe('pending requests', () => {
  it('answers are matched oldest first', () => {
    const state = stateFor(EU868);
    sent(state, [RX], 1);
    sent(state, [RX2], 2);
    expect(takePending(state, 'RXParamSetupReq')?.command).toEqual(RX);
    expect(takePending(state, 'RXParamSetupReq')?.command).toEqual(RX2);
    expect(takePending(state, 'RXParamSetupReq')).toBeUndefined();
  });

  it('a block is the pending requests of one downlink', () => {
    const state = stateFor(EU868);
    const adr = (chMaskCntl: number): MacCommand => ({
      cid: 'LinkADRReq',
      dataRate: 1,
      txPower: 0,
      nbTrans: 1,
      chMask: 1,
      chMaskCntl,
    });
    sent(state, [adr(7), adr(0), { cid: 'DevStatusReq' }], 1);
    sent(state, [adr(5)], 2);
    expect(takePendingBlock(state, 'LinkADRReq').map((p) => p.command)).toEqual([adr(7), adr(0)]);
    expect(state.pending.map((p) => p.command)).toEqual([{ cid: 'DevStatusReq' }, adr(5)]);
  });

  it('names the refused bits', () => {
    expect(nacks({ PowerACK: false, DataRateACK: true, ChannelMaskACK: false })).toBe(
      'PowerACK=0, ChannelMaskACK=0',
    );
  });
});

describe('refusals', () => {
  it('the same request refused 3 times in a row is blocked, with a log saying so', () => {
    const state = stateFor(EU868);
    const rec = recordingEnv(state, ctxFor(EU868));
    refuse(rec.env, 'RXParamSetupReq', [RX], 'ChannelACK=0');
    refuse(rec.env, 'RXParamSetupReq', [RX], 'ChannelACK=0');
    expect(isBlocked(state, 'RXParamSetupReq', [RX], 3)).toBe(false);
    refuse(rec.env, 'RXParamSetupReq', [RX], 'ChannelACK=0');
    expect(state.rejections.RXParamSetupReq).toBe(3);
    expect(isBlocked(state, 'RXParamSetupReq', [RX], 3)).toBe(true);
    expect(logs(rec.effects).at(-1)).toBe(
      'WARNING RXParamSetupReq refused 3 times in a row: not sent again until the wanted settings change',
    );
  });

  it('a different request starts a new count', () => {
    const state = stateFor(EU868, {
      rejections: { RXParamSetupReq: 3 },
      refused: { RXParamSetupReq: commandKey([RX]) },
    });
    expect(isBlocked(state, 'RXParamSetupReq', [RX2], 3)).toBe(false);
    refuse(recordingEnv(state, ctxFor(EU868)).env, 'RXParamSetupReq', [RX2]);
    expect(state.rejections.RXParamSetupReq).toBe(1);
  });

  it('an accepted request clears the count and its operator queue entry', () => {
    const state = stateFor(EU868, {
      rejections: { RXParamSetupReq: 2 },
      queued: [RX, { cid: 'DevStatusReq' }],
    });
    accept(state, 'RXParamSetupReq', [RX]);
    expect(state.rejections).toEqual({});
    expect(state.queued).toEqual([{ cid: 'DevStatusReq' }]);
  });

  it('an operator request refused too often leaves the queue', () => {
    const state = stateFor(EU868, { queued: [RX] });
    const rec = recordingEnv(state, ctxFor(EU868), settingsWith({ maxRejections: 1 }));
    refuse(rec.env, 'RXParamSetupReq', [RX]);
    expect(state.queued).toEqual([]);
    expect(logs(rec.effects)).toEqual([
      'WARNING RXParamSetupReq unanswered 1 times in a row: not sent again until the wanted settings change',
    ]);
  });
});

describe('unanswered requests', () => {
  it('a request sent before the grace period and not answered counts as ignored and leaves pending', () => {
    const state = stateFor(EU868);
    sent(state, [RX, { cid: 'DevStatusReq' }], 1, NOW - 5000);
    judgeUnanswered(recordingEnv(state, ctxFor(EU868)).env);
    expect(state.pending).toEqual([]);
    expect(state.rejections).toEqual({ RXParamSetupReq: 1, DevStatusReq: 1 });
  });

  it('a request sent just before this uplink may not have been heard yet: it stays pending', () => {
    const state = stateFor(EU868);
    sent(state, [RX], 1, NOW - 500);
    judgeUnanswered(recordingEnv(state, ctxFor(EU868)).env);
    expect(state.pending).toHaveLength(1);
    expect(state.rejections).toEqual({});
  });

  it('an unanswered LinkADRReq block counts once', () => {
    const state = stateFor(EU868);
    const adr = (chMaskCntl: number): MacCommand => ({
      cid: 'LinkADRReq',
      dataRate: 1,
      txPower: 0,
      nbTrans: 1,
      chMask: 1,
      chMaskCntl,
    });
    sent(state, [adr(7), adr(0)], 1);
    judgeUnanswered(recordingEnv(state, ctxFor(EU868)).env);
    expect(state.rejections).toEqual({ LinkADRReq: 1 });
    expect(state.refused?.LinkADRReq).toBe(commandKey([adr(7), adr(0)]));
  });
});
