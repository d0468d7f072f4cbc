import { EU868, LinkADRAns, LinkADRReq, US915 } from '@lns/lorawan';
import { handleLinkAdrAns, linkAdrRequester, wantedLinkAdrReqs } from './link-adr';
import { ctxFor, logs, recordingEnv, sent, settingsWith, stateFor, uplinkHistory } from './mac-test-support';

const ACK: LinkADRAns = { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true };
const settings = settingsWith();
const us915All = () =>
  stateFor(US915, { dataRate: 0, enabledChannels: Array.from({ length: 72 }, (_, i) => i) });
const subBand2 = [8, 9, 10, 11, 12, 13, 14, 15, 65];

describe('LinkADRReq: when the network asks', () => {
  it('asks nothing when channels, data rate, power and NbTrans are as wanted', () => {
    expect(wantedLinkAdrReqs(stateFor(EU868), ctxFor(EU868), settings)).toEqual([]);
  });

  it('asks for the ADR result with a mask restating the enabled channels (EU868)', () => {
    const state = stateFor(EU868, { dataRate: 2, uplinkHistory: uplinkHistory(10) });
    expect(wantedLinkAdrReqs(state, ctxFor(EU868, { dataRate: 2 }), settings)).toEqual([
      { cid: 'LinkADRReq', dataRate: 5, txPower: 2, nbTrans: 1, chMask: 0x0007, chMaskCntl: 0 },
    ]);
  });

  it('does not follow ADR when the profile disables it or the device clears its ADR bit', () => {
    const state = stateFor(EU868, { dataRate: 2, uplinkHistory: uplinkHistory(10) });
    expect(wantedLinkAdrReqs(state, ctxFor(EU868, { adrEnabled: false }), settings)).toEqual([]);
    expect(wantedLinkAdrReqs(state, ctxFor(EU868, { adr: false }), settings)).toEqual([]);
  });

  it('US915 sub-band 2 from all 72 channels: one ChMaskCntl 5 (RP002, LoRaWAN ≥ 1.0.3)', () => {
    const reqs = wantedLinkAdrReqs(us915All(), ctxFor(US915, { subBand: 2, dataRate: 0 }), settings);
    expect(reqs).toEqual([
      { cid: 'LinkADRReq', dataRate: 0, txPower: 0, nbTrans: 1, chMask: 0x0002, chMaskCntl: 5 },
    ]);
  });

  it('US915 sub-band 2 for a LoRaWAN 1.0.2 device: ChMaskCntl 7 (500 kHz) then 0 (channels 8..15)', () => {
    const reqs = wantedLinkAdrReqs(us915All(), ctxFor(US915, { subBand: 2, macVersion: '1.0.2' }), settings);
    expect(reqs.map((r) => [r.chMaskCntl, r.chMask])).toEqual([
      [7, 0x0002],
      [0, 0xff00],
    ]);
  });

  it('US915 ADR change on the sub-band already in force restates one block of sixteen', () => {
    const state = stateFor(US915, {
      dataRate: 0,
      enabledChannels: subBand2,
      uplinkHistory: uplinkHistory(5),
    });
    const reqs = wantedLinkAdrReqs(state, ctxFor(US915, { subBand: 2, dataRate: 0 }), settings);
    // SF10 needs −15 dB: margin 10 → NStep 3: DR0 → DR3.
    expect(reqs).toEqual([
      { cid: 'LinkADRReq', dataRate: 3, txPower: 0, nbTrans: 1, chMask: 0xff00, chMaskCntl: 0 },
    ]);
  });

  it('reconfigures channels with ADR off, keeping the current data rate and power', () => {
    const reqs = wantedLinkAdrReqs(us915All(), ctxFor(US915, { subBand: 2, adrEnabled: false }), settings);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ dataRate: 0, txPower: 0, nbTrans: 1 });
  });

  it('is known to every version and region', () => {
    expect(linkAdrRequester.supported({ region: EU868, macVersion: '1.0.2' })).toBe(true);
    expect(linkAdrRequester.block).toBe(true);
  });
});

describe('LinkADRAns: reading the answer', () => {
  function pendingSubBand(macVersion: '1.0.2' | '1.0.4' | '1.1.0') {
    const state = us915All();
    const ctx = ctxFor(US915, { subBand: 2, macVersion, dataRate: 0 });
    const reqs = wantedLinkAdrReqs(state, ctx, settings);
    sent(state, reqs);
    return { state, ctx, reqs };
  }

  it('applies the accepted block: channels, data rate, power, NbTrans; clears the history', () => {
    const state = stateFor(EU868, {
      dataRate: 2,
      uplinkHistory: uplinkHistory(10),
      rejections: { LinkADRReq: 2 },
    });
    const req: LinkADRReq = {
      cid: 'LinkADRReq',
      dataRate: 5,
      txPower: 2,
      nbTrans: 2,
      chMask: 0x0003,
      chMaskCntl: 0,
    };
    sent(state, [req]);
    const { env } = recordingEnv(state, ctxFor(EU868));
    expect(handleLinkAdrAns(env, ACK, [])).toBe(0);
    expect(state).toMatchObject({
      dataRate: 5,
      txPower: 2,
      nbTrans: 2,
      enabledChannels: [0, 1],
      pending: [],
    });
    expect(state.uplinkHistory).toEqual([]);
    expect(state.rejections.LinkADRReq).toBeUndefined();
  });

  it('US915 ChMaskCntl 5 accepted → sub-band 2 enabled', () => {
    const { state, ctx } = pendingSubBand('1.0.4');
    handleLinkAdrAns(recordingEnv(state, ctx).env, ACK, []);
    expect(state.enabledChannels).toEqual(subBand2);
  });

  it('LoRaWAN 1.0.x answers each request of a block: the repeats are consumed', () => {
    const { state, ctx, reqs } = pendingSubBand('1.0.2');
    expect(reqs).toHaveLength(2);
    const { env, effects } = recordingEnv(state, ctx);
    expect(handleLinkAdrAns(env, ACK, [ACK, { cid: 'DevStatusAns', battery: 1, margin: 2 }])).toBe(1);
    expect(state.enabledChannels).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    expect(logs(effects)).toEqual([]);
  });

  it('LoRaWAN 1.0.x: one answer for the whole block is enough', () => {
    const { state, ctx } = pendingSubBand('1.0.2');
    expect(handleLinkAdrAns(recordingEnv(state, ctx).env, ACK, [])).toBe(0);
    expect(state.enabledChannels).toEqual(subBand2);
  });

  it('LoRaWAN 1.1 answers a block once: a second LinkADRAns is not part of it', () => {
    const { state, ctx } = pendingSubBand('1.1.0');
    expect(handleLinkAdrAns(recordingEnv(state, ctx).env, ACK, [ACK])).toBe(0);
  });

  it.each([
    ['PowerACK', { powerAck: false }],
    ['DataRateACK', { dataRateAck: false }],
    ['ChannelMaskACK', { channelMaskAck: false }],
  ])('%s = 0: nothing applied, counted as a refusal', (bit, nack) => {
    const state = stateFor(EU868, { dataRate: 2 });
    const req: LinkADRReq = {
      cid: 'LinkADRReq',
      dataRate: 5,
      txPower: 2,
      nbTrans: 1,
      chMask: 0x0003,
      chMaskCntl: 0,
    };
    sent(state, [req]);
    const { env, effects } = recordingEnv(state, ctxFor(EU868));
    handleLinkAdrAns(env, { ...ACK, ...nack }, []);
    expect(state).toMatchObject({ dataRate: 2, txPower: 0, enabledChannels: [0, 1, 2], pending: [] });
    expect(state.rejections.LinkADRReq).toBe(1);
    expect(logs(effects)).toEqual([`WARNING LinkADRReq refused: ${bit}=0`]);
  });

  it('a 1.0.x repeat that refuses makes the whole block refused', () => {
    const { state, ctx } = pendingSubBand('1.0.2');
    handleLinkAdrAns(recordingEnv(state, ctx).env, ACK, [{ ...ACK, channelMaskAck: false }]);
    expect(state.enabledChannels).toHaveLength(72);
    expect(state.rejections.LinkADRReq).toBe(1);
  });

  it('a device with ADR off takes only the channel mask', () => {
    const state = stateFor(EU868, { dataRate: 2 });
    sent(state, [{ cid: 'LinkADRReq', dataRate: 5, txPower: 2, nbTrans: 1, chMask: 0x0003, chMaskCntl: 0 }]);
    handleLinkAdrAns(recordingEnv(state, ctxFor(EU868, { adr: false })).env, ACK, []);
    expect(state).toMatchObject({ dataRate: 2, txPower: 0, enabledChannels: [0, 1] });
  });

  it('LoRaWAN 1.0.4: DataRate/TXPower 0xF keep the current values; NbTrans 0 keeps NbTrans', () => {
    const state = stateFor(EU868, { dataRate: 3, txPower: 1, nbTrans: 2 });
    sent(state, [
      { cid: 'LinkADRReq', dataRate: 15, txPower: 15, nbTrans: 0, chMask: 0x0007, chMaskCntl: 0 },
    ]);
    handleLinkAdrAns(recordingEnv(state, ctxFor(EU868, { macVersion: '1.0.4' })).env, ACK, []);
    expect(state).toMatchObject({ dataRate: 3, txPower: 1, nbTrans: 2 });
  });

  it('an answer without a pending request changes nothing (its repeats included)', () => {
    const state = stateFor(EU868);
    const { env, effects } = recordingEnv(state, ctxFor(EU868));
    expect(handleLinkAdrAns(env, ACK, [ACK])).toBe(1);
    expect(state.enabledChannels).toEqual([0, 1, 2]);
    expect(logs(effects)).toEqual(['INFO LinkADRAns without a pending LinkADRReq: ignored']);
  });
});
