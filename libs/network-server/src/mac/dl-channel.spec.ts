import { DlChannelAns, DlChannelReq, EU868, US915 } from '@lns/lorawan';
import { dlChannelRequester, handleDlChannelAns } from './dl-channel';
import { ctxFor, recordingEnv, sent, stateFor } from './mac-test-support';

const REQ: DlChannelReq = { cid: 'DlChannelReq', chIndex: 1, frequency: 869_100_000 };
const ACK: DlChannelAns = { cid: 'DlChannelAns', uplinkFrequencyExists: true, channelFrequencyOk: true };

describe('DlChannelReq / DlChannelAns', () => {
  it('is operator-queued only: nothing is asked automatically', () => {
    expect(dlChannelRequester.wanted(stateFor(EU868), ctxFor(EU868), {} as never)).toEqual([]);
  });

  it('needs LoRaWAN ≥ 1.0.2 and a 16-channel region', () => {
    expect(dlChannelRequester.supported({ region: EU868, macVersion: '1.0.2' })).toBe(true);
    expect(dlChannelRequester.supported({ region: US915, macVersion: '1.1.0' })).toBe(false);
  });

  it('records the RX1 frequency of the channel when both bits are set; the answer is sticky', () => {
    const state = stateFor(EU868);
    sent(state, [REQ]);
    const rec = recordingEnv(state, ctxFor(EU868));
    handleDlChannelAns(rec.env, ACK, []);
    expect(state.rx1Frequencies).toEqual({ 1: 869_100_000 });
    expect(rec.sticky.has('DlChannelReq')).toBe(true);
  });

  it.each([
    ['UplinkFrequencyExists', { uplinkFrequencyExists: false }],
    ['ChannelFrequencyOK', { channelFrequencyOk: false }],
  ])('%s = 0: nothing recorded, counted as a refusal', (_bit, nack) => {
    const state = stateFor(EU868);
    sent(state, [REQ]);
    handleDlChannelAns(recordingEnv(state, ctxFor(EU868)).env, { ...ACK, ...nack }, []);
    expect(state.rx1Frequencies).toBeUndefined();
    expect(state.rejections.DlChannelReq).toBe(1);
  });

  it('a sticky repeat changes nothing', () => {
    const state = stateFor(EU868);
    handleDlChannelAns(recordingEnv(state, ctxFor(EU868)).env, ACK, []);
    expect(state.rx1Frequencies).toBeUndefined();
  });
});
