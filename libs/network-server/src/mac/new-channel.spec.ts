import { EU868, NewChannelAns, NewChannelReq, US915 } from '@lns/lorawan';
import { ctxFor, logs, recordingEnv, sent, settingsWith, stateFor } from './mac-test-support';
import { handleNewChannelAns, newChannelRequester, wantedNewChannelReqs } from './new-channel';

const ch = (frequency: number) => ({ frequency, minDr: 0, maxDr: 5 });
const settings = settingsWith({ extraChannels: { EU868: [ch(867_100_000), ch(867_300_000)] } });
const ACK: NewChannelAns = { cid: 'NewChannelAns', dataRateRangeOk: true, channelFrequencyOk: true };

describe('NewChannelReq', () => {
  it('defines each wanted extra channel the device lacks, after the default channels', () => {
    expect(wantedNewChannelReqs(stateFor(EU868), ctxFor(EU868), settings)).toEqual([
      { cid: 'NewChannelReq', chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 },
      { cid: 'NewChannelReq', chIndex: 4, frequency: 867_300_000, minDr: 0, maxDr: 5 },
    ]);
  });

  it('asks nothing when the device has them, or when no extra channels are configured', () => {
    const state = stateFor(EU868, { extraChannels: { 3: ch(867_100_000), 4: ch(867_300_000) } });
    expect(wantedNewChannelReqs(state, ctxFor(EU868), settings)).toEqual([]);
    expect(wantedNewChannelReqs(stateFor(EU868), ctxFor(EU868), settingsWith())).toEqual([]);
  });

  it('redefines a different channel and removes one the network does not want (frequency 0)', () => {
    const state = stateFor(EU868, {
      extraChannels: { 3: ch(867_500_000), 4: ch(867_300_000), 5: ch(867_700_000) },
    });
    expect(wantedNewChannelReqs(state, ctxFor(EU868), settings)).toEqual([
      { cid: 'NewChannelReq', chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 },
      { cid: 'NewChannelReq', chIndex: 5, frequency: 0, minDr: 0, maxDr: 0 },
    ]);
  });

  it('never asks for a channel outside the band', () => {
    const outside = settingsWith({ extraChannels: { EU868: [ch(902_300_000)] } });
    expect(wantedNewChannelReqs(stateFor(EU868), ctxFor(EU868), outside)).toEqual([]);
  });

  it('is not used in US915/AU915 (fixed channel plans)', () => {
    expect(newChannelRequester.supported({ region: US915, macVersion: '1.0.4' })).toBe(false);
    expect(newChannelRequester.supported({ region: EU868, macVersion: '1.0.2' })).toBe(true);
    expect(wantedNewChannelReqs(stateFor(US915), ctxFor(US915), settings)).toEqual([]);
  });
});

describe('NewChannelAns', () => {
  const add: NewChannelReq = { cid: 'NewChannelReq', chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 };

  it('adds and enables the channel when both bits are set', () => {
    const state = stateFor(EU868);
    sent(state, [add]);
    handleNewChannelAns(recordingEnv(state, ctxFor(EU868)).env, ACK, []);
    expect(state.extraChannels[3]).toEqual(ch(867_100_000));
    expect(state.enabledChannels).toEqual([0, 1, 2, 3]);
  });

  it('removes the channel for frequency 0', () => {
    const state = stateFor(EU868, { extraChannels: { 3: ch(867_100_000) }, enabledChannels: [0, 1, 2, 3] });
    sent(state, [{ ...add, frequency: 0, maxDr: 0 }]);
    handleNewChannelAns(recordingEnv(state, ctxFor(EU868)).env, ACK, []);
    expect(state.extraChannels[3]).toBeUndefined();
    expect(state.enabledChannels).toEqual([0, 1, 2]);
  });

  it('matches answers to requests in order', () => {
    const state = stateFor(EU868);
    sent(state, [add, { ...add, chIndex: 4, frequency: 867_300_000 }]);
    const { env } = recordingEnv(state, ctxFor(EU868));
    handleNewChannelAns(env, ACK, []);
    handleNewChannelAns(env, { ...ACK, channelFrequencyOk: false }, []);
    expect(Object.keys(state.extraChannels)).toEqual(['3']);
  });

  it.each([
    ['DataRateRangeOK', { dataRateRangeOk: false }],
    ['ChannelFrequencyOK', { channelFrequencyOk: false }],
  ])('%s = 0: nothing changes, counted as a refusal', (bit, nack) => {
    const state = stateFor(EU868);
    sent(state, [add]);
    const rec = recordingEnv(state, ctxFor(EU868));
    handleNewChannelAns(rec.env, { ...ACK, ...nack }, []);
    expect(state.extraChannels).toEqual({});
    expect(state.rejections.NewChannelReq).toBe(1);
    expect(logs(rec.effects)).toEqual([`WARNING NewChannelReq refused: channel 3: ${bit}=0`]);
  });
});
