// MAC commands end to end: the network side (test-network.ts, @lns/lorawan primitives only) sends the
// requests, the simulated device answers in its next uplink. LoRaWAN 1.1 §5, TS001-1.0.4 §5, RP002-1.0.4.
import { DownlinkMacCommand, encodeMacCommands } from '@lns/lorawan';
import { VirtualDevice } from '../virtual-device';
import {
  APP_KEY,
  APP_S_KEY,
  DEV_ADDR,
  DEV_EUI,
  JOIN_EUI,
  NWK_KEY,
  NWK_S_ENC_KEY,
  NWK_S_KEY,
  S_NWK_S_INT_KEY,
  TestNetwork,
} from './test-network';
import type { DownlinkAccepted, DownlinkResult, MacVersion, VirtualDeviceConfig } from './types';

function device(macVersion: MacVersion, extra: Partial<VirtualDeviceConfig> = {}) {
  const dev = new VirtualDevice({
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    region: 'EU868',
    macVersion,
    activation: { type: 'OTAA', appKey: APP_KEY, nwkKey: macVersion === '1.1.0' ? NWK_KEY : undefined },
    seed: 3,
    ...extra,
  });
  const net = new TestNetwork({
    macVersion,
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    appKey: APP_KEY,
    nwkKey: NWK_KEY,
  });
  const jr = dev.joinRequest();
  expect(dev.handleJoinAccept(net.acceptJoin(jr.phyPayload))).toBe(true);
  if (macVersion === '1.1.0')
    ok(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'RekeyConf', minor: 1 }] })));
  return { dev, net };
}

function ok(r: DownlinkResult): DownlinkAccepted {
  if (!r.accepted) throw new Error(`downlink rejected: ${r.reason} ${r.message}`);
  return r;
}

/** Sends `cmds` in a downlink, then returns the MAC commands of the next uplink as the network reads them. */
function exchange(dev: VirtualDevice, net: TestNetwork, cmds: DownlinkMacCommand[], snr?: number) {
  // More than 15 bytes of commands go in an FPort 0 frame.
  const macInFrmPayload = encodeMacCommands(cmds).length > 15;
  const r = ok(dev.handleDownlink(net.downlink({ macCommands: cmds, macInFrmPayload }), { snr }));
  const u = dev.uplink({ fPort: 1, payload: Buffer.from('x') });
  const p = net.readUplink(u.phyPayload, u);
  expect(p.micOk).toBe(true);
  return { r, u, answers: p.macCommands };
}

const linkAdr = (
  dataRate: number,
  txPower: number,
  chMask: number,
  chMaskCntl = 0,
  nbTrans = 1,
): DownlinkMacCommand => ({ cid: 'LinkADRReq', dataRate, txPower, chMask, chMaskCntl, nbTrans });

const ADR_ALL_OK = { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true };

describe('MAC commands — LinkADRReq', () => {
  it('EU868: accepted and applied (DR, TX power, channel mask, NbTrans)', () => {
    const { dev, net } = device('1.0.3');
    const { answers, u } = exchange(dev, net, [linkAdr(3, 2, 0x0003, 0, 2)]);
    expect(answers).toEqual([ADR_ALL_OK]);
    expect(u.dataRate).toBe(3);
    expect(u.txPower).toBe(2);
    expect(u.eirp).toBe(12);
    expect(u.nbTrans).toBe(2);
    expect([0, 1]).toContain(u.channel);
    expect(dev.state()).toMatchObject({ dataRate: 3, txPower: 2, nbTrans: 2 });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([0, 1]);
    expect(dev.counters.macCommandsReceived).toBe(1);
    expect(dev.counters.macCommandsAnswered).toBe(1);
  });

  it('EU868: refused bit by bit, and nothing applied', () => {
    const { dev, net } = device('1.0.3');
    const before = dev.state();
    // Channel 5 is not defined.
    expect(exchange(dev, net, [linkAdr(3, 2, 0x0021)]).answers).toEqual([
      { ...ADR_ALL_OK, channelMaskAck: false },
    ]);
    // DR15 is not a data rate before 1.0.4; TXPower 8 is beyond EU868's 0..7.
    expect(exchange(dev, net, [linkAdr(15, 8, 0x0007)]).answers).toEqual([
      { cid: 'LinkADRAns', powerAck: false, dataRateAck: false, channelMaskAck: true },
    ]);
    // No channel enabled at all; ChMaskCntl 1 is RFU in EU868.
    expect(exchange(dev, net, [linkAdr(3, 2, 0x0000)]).answers[0]).toMatchObject({ channelMaskAck: false });
    expect(exchange(dev, net, [linkAdr(3, 2, 0x0007, 1)]).answers[0]).toMatchObject({
      channelMaskAck: false,
    });
    // DR6 exists but no enabled channel carries it (the defaults stop at DR5).
    expect(exchange(dev, net, [linkAdr(6, 2, 0x0007)]).answers[0]).toMatchObject({ dataRateAck: false });
    const after = dev.state();
    expect(after.dataRate).toBe(before.dataRate);
    expect(after.txPower).toBe(before.txPower);
    expect(after.enabledChannels).toEqual(before.enabledChannels);
  });

  it('1.0.4: DataRate/TXPower 0xF keep the current values', () => {
    const { dev, net } = device('1.0.4');
    expect(exchange(dev, net, [linkAdr(15, 15, 0x0005)]).answers).toEqual([ADR_ALL_OK]);
    expect(dev.state()).toMatchObject({ dataRate: 5, txPower: 0 });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([0, 2]);
  });

  it('a contiguous block: one answer per request in 1.0.x, a single answer in 1.1', () => {
    const block = [linkAdr(1, 1, 0x0001), linkAdr(2, 3, 0x0006)];
    const v10 = device('1.0.3');
    expect(exchange(v10.dev, v10.net, block).answers).toEqual([ADR_ALL_OK, ADR_ALL_OK]);
    // The last request's DR/power apply, the masks in order.
    expect(v10.dev.state()).toMatchObject({ dataRate: 2, txPower: 3 });
    expect(v10.dev.state().enabledChannels.map((c) => c.index)).toEqual([1, 2]);
    const v11 = device('1.1.0');
    expect(exchange(v11.dev, v11.net, block).answers).toEqual([ADR_ALL_OK]);
  });

  it('ADR off: only the channel mask is applied', () => {
    const { dev, net } = device('1.0.3', { adr: false });
    expect(exchange(dev, net, [linkAdr(0, 5, 0x0001)]).answers).toEqual([ADR_ALL_OK]);
    expect(dev.state()).toMatchObject({ dataRate: 5, txPower: 0 });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([0]);
  });

  it('US915 sub-band 2: ChMaskCntl blocks accepted and refused per bit', () => {
    const { dev, net } = device('1.0.3', { region: 'US915' });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    // All 125 kHz off + channel 65, then 8..15 on: the sub-band 2 plan, at DR2.
    expect(exchange(dev, net, [linkAdr(2, 5, 0x0002, 7), linkAdr(2, 5, 0xff00, 0)]).answers).toEqual([
      ADR_ALL_OK,
      ADR_ALL_OK,
    ]);
    expect(dev.state()).toMatchObject({ dataRate: 2, txPower: 5 });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    // ChMaskCntl 5: bank 0 (channels 0..7 + 64).
    expect(exchange(dev, net, [linkAdr(1, 5, 0x0001, 5)]).answers).toEqual([ADR_ALL_OK]);
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 64]);
    // Every channel off: the mask is refused (DR1 stays acceptable on the channels the device keeps).
    expect(exchange(dev, net, [linkAdr(1, 5, 0x0000, 7)]).answers).toEqual([
      { ...ADR_ALL_OK, channelMaskAck: false },
    ]);
    // DR4 needs a 500 kHz channel: 125 kHz channels only → DataRateACK 0.
    expect(exchange(dev, net, [linkAdr(4, 5, 0x0000, 6)]).answers[0]).toMatchObject({
      channelMaskAck: true,
      dataRateAck: false,
    });
    // TXPower 15 is not a US915 index before 1.0.4.
    expect(exchange(dev, net, [linkAdr(1, 15, 0x00ff, 0)]).answers[0]).toMatchObject({ powerAck: false });
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 64]);
    // Uplinks use the applied plan.
    for (let i = 0; i < 20; i++) expect(dev.uplink({ fPort: 1 }).channel).toBeLessThan(8);
  });
});

describe('MAC commands — the others', () => {
  it('RXParamSetupReq: validated, applied, its answer sticky until a downlink arrives', () => {
    const { dev, net } = device('1.0.3');
    const ans = { cid: 'RXParamSetupAns', rx1DrOffsetAck: true, rx2DataRateAck: true, channelAck: true };
    const first = exchange(dev, net, [
      { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequency: 869_100_000 },
    ]);
    expect(first.answers).toEqual([ans]);
    expect(dev.state()).toMatchObject({ rx1DrOffset: 1, rx2: { frequency: 869_100_000, dataRate: 3 } });
    // No downlink yet: the answer is repeated.
    const again = dev.uplink({ fPort: 1 });
    expect(net.readUplink(again.phyPayload, again).macCommands).toEqual([ans]);
    expect(dev.rxWindows().rx2).toMatchObject({ frequency: 869_100_000, dataRate: 3 });
    // A downlink (even empty) ends it.
    ok(dev.handleDownlink(net.downlink()));
    const after = dev.uplink({ fPort: 1 });
    expect(net.readUplink(after.phyPayload, after).macCommands).toEqual([]);
    // Invalid values: refused per bit, nothing applied.
    const bad = exchange(dev, net, [
      { cid: 'RXParamSetupReq', rx1DrOffset: 6, rx2DataRate: 8, frequency: 915_000_000 },
    ]);
    expect(bad.answers).toEqual([
      { cid: 'RXParamSetupAns', rx1DrOffsetAck: false, rx2DataRateAck: false, channelAck: false },
    ]);
    expect(dev.state()).toMatchObject({ rx1DrOffset: 1, rx2: { frequency: 869_100_000, dataRate: 3 } });
  });

  it('DevStatusReq: configured battery, margin from the SNR of the downlink', () => {
    const { dev, net } = device('1.0.3', { battery: 200 });
    expect(exchange(dev, net, [{ cid: 'DevStatusReq' }], 7.6).answers).toEqual([
      { cid: 'DevStatusAns', battery: 200, margin: 8 },
    ]);
    dev.setBattery(0);
    expect(exchange(dev, net, [{ cid: 'DevStatusReq' }], -40).answers).toEqual([
      { cid: 'DevStatusAns', battery: 0, margin: -32 },
    ]);
  });

  it('NewChannelReq / DlChannelReq (EU868): add, refuse, remap RX1 (sticky DlChannelAns)', () => {
    const { dev, net } = device('1.0.3');
    const add = exchange(dev, net, [
      { cid: 'NewChannelReq', chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 },
      { cid: 'NewChannelReq', chIndex: 0, frequency: 0, minDr: 0, maxDr: 5 }, // default channel: not removable
      { cid: 'NewChannelReq', chIndex: 4, frequency: 915_000_000, minDr: 0, maxDr: 5 }, // out of band
      { cid: 'NewChannelReq', chIndex: 5, frequency: 867_300_000, minDr: 5, maxDr: 2 }, // bad range
    ]);
    expect(add.answers).toEqual([
      { cid: 'NewChannelAns', channelFrequencyOk: true, dataRateRangeOk: true },
      { cid: 'NewChannelAns', channelFrequencyOk: false, dataRateRangeOk: false },
      { cid: 'NewChannelAns', channelFrequencyOk: false, dataRateRangeOk: true },
      { cid: 'NewChannelAns', channelFrequencyOk: true, dataRateRangeOk: false },
    ]);
    expect(dev.state().enabledChannels.map((c) => c.frequency)).toEqual([
      868_100_000, 868_300_000, 868_500_000, 867_100_000,
    ]);
    const dl = exchange(dev, net, [
      { cid: 'DlChannelReq', chIndex: 3, frequency: 869_000_000 },
      { cid: 'DlChannelReq', chIndex: 9, frequency: 869_000_000 },
    ]);
    expect(dl.answers).toEqual([
      { cid: 'DlChannelAns', uplinkFrequencyExists: true, channelFrequencyOk: true },
      { cid: 'DlChannelAns', uplinkFrequencyExists: false, channelFrequencyOk: true },
    ]);
    // Sticky: still there in the next uplink; RX1 of channel 3 now on 869.0 MHz.
    let u = dev.uplink({ fPort: 1 });
    expect(net.readUplink(u.phyPayload, u).macCommands.map((c) => c.cid)).toEqual([
      'DlChannelAns',
      'DlChannelAns',
    ]);
    while (u.channel !== 3) u = dev.uplink({ fPort: 1 });
    expect(dev.rxWindows().rx1.frequency).toBe(869_000_000);
  });

  it('NewChannelReq / DlChannelReq do not exist in US915: no answer', () => {
    const { dev, net } = device('1.0.3', { region: 'US915' });
    const r = exchange(dev, net, [
      { cid: 'NewChannelReq', chIndex: 3, frequency: 903_000_000, minDr: 0, maxDr: 3 },
      { cid: 'DevStatusReq' },
    ]);
    expect(r.answers.map((c) => c.cid)).toEqual(['DevStatusAns']);
  });

  it('RXTimingSetupReq (sticky), DutyCycleReq, LinkCheckAns', () => {
    const { dev, net } = device('1.0.3');
    const r = exchange(dev, net, [
      { cid: 'RXTimingSetupReq', delay: 3 },
      { cid: 'DutyCycleReq', maxDutyCycle: 7 },
      { cid: 'LinkCheckAns', margin: 20, gwCnt: 3 },
    ]);
    expect(r.answers).toEqual([{ cid: 'RXTimingSetupAns' }, { cid: 'DutyCycleAns' }]);
    expect(dev.rxWindows(0)).toMatchObject({ rx1: { delay: 3, tmst: 3_000_000 }, rx2: { delay: 4 } });
    expect(dev.state()).toMatchObject({
      rxDelay: 3,
      maxDutyCycle: 7,
      lastLinkCheck: { margin: 20, gwCnt: 3 },
    });
    const u = dev.uplink({ fPort: 1 });
    expect(net.readUplink(u.phyPayload, u).macCommands).toEqual([{ cid: 'RXTimingSetupAns' }]);
    // Delay 0 means 1 s.
    ok(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'RXTimingSetupReq', delay: 0 }] })));
    expect(dev.state().rxDelay).toBe(1);
  });

  it('TxParamSetupReq: answered and applied in AS923, ignored in EU868', () => {
    const eu = device('1.0.3');
    const req: DownlinkMacCommand = {
      cid: 'TxParamSetupReq',
      downlinkDwellTime: true,
      uplinkDwellTime: true,
      maxEirp: 4,
    };
    expect(exchange(eu.dev, eu.net, [req]).answers).toEqual([]);
    const as = device('1.0.3', { region: 'AS923' });
    const r = exchange(as.dev, as.net, [
      req,
      { cid: 'LinkADRReq', dataRate: 0, txPower: 1, chMask: 3, chMaskCntl: 0, nbTrans: 1 },
    ]);
    // DR0 is forbidden under the 400 ms dwell time in AS923.
    expect(r.answers).toEqual([
      { cid: 'TxParamSetupAns' },
      { cid: 'LinkADRAns', powerAck: true, dataRateAck: false, channelMaskAck: true },
    ]);
    expect(as.dev.state()).toMatchObject({ maxEirp: 14, uplinkDwellTime: true, downlinkDwellTime: true });
    expect(r.u.eirp).toBe(14);
  });

  it('1.1: ADRParamSetupReq, RejoinParamSetupReq, ForceRejoinReq, DeviceTimeAns, DeviceModeInd/Conf', () => {
    const { dev, net } = device('1.1.0');
    const r = exchange(dev, net, [
      { cid: 'ADRParamSetupReq', limitExp: 4, delayExp: 2 },
      { cid: 'RejoinParamSetupReq', maxTimeN: 3, maxCountN: 5 },
      { cid: 'ForceRejoinReq', period: 1, maxRetries: 2, rejoinType: 0, dataRate: 3 },
      { cid: 'DeviceTimeAns', gpsEpochSeconds: 1_400_000_000, fractionalSecond: 128 },
    ]);
    expect(r.answers).toEqual([{ cid: 'ADRParamSetupAns' }, { cid: 'RejoinParamSetupAns', timeOk: true }]);
    expect(dev.state()).toMatchObject({
      adrAckLimit: 16,
      adrAckDelay: 4,
      rejoinParams: { maxTimeN: 3, maxCountN: 5 },
      forceRejoin: { period: 1, maxRetries: 2, rejoinType: 0, dataRate: 3 },
      lastDeviceTime: { gpsEpochSeconds: 1_400_000_000, fractionalSecond: 128 },
    });
    expect(dev.log.some((e) => e.type === 'force-rejoin')).toBe(true);

    // DeviceModeInd is repeated until DeviceModeConf, which switches the class.
    let u = dev.uplink({ fPort: 1, macCommands: [{ cid: 'DeviceModeInd', deviceClass: 2 }] });
    expect(net.readUplink(u.phyPayload, u).macCommands).toEqual([{ cid: 'DeviceModeInd', deviceClass: 2 }]);
    u = dev.uplink({ fPort: 1 });
    expect(net.readUplink(u.phyPayload, u).macCommands).toEqual([{ cid: 'DeviceModeInd', deviceClass: 2 }]);
    ok(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'DeviceModeConf', deviceClass: 2 }] })));
    expect(dev.deviceClass).toBe('C');
    u = dev.uplink({ fPort: 1 });
    expect(net.readUplink(u.phyPayload, u).macCommands).toEqual([]);
  });

  it('1.1 ABP: ResetInd in every uplink until ResetConf; FOpts encrypted', () => {
    const dev = new VirtualDevice({
      devEui: DEV_EUI,
      region: 'EU868',
      macVersion: '1.1.0',
      activation: {
        type: 'ABP',
        devAddr: DEV_ADDR,
        fNwkSIntKey: NWK_S_KEY,
        sNwkSIntKey: S_NWK_S_INT_KEY,
        nwkSEncKey: NWK_S_ENC_KEY,
        appSKey: APP_S_KEY,
      },
      seed: 5,
    });
    const net = new TestNetwork({ macVersion: '1.1.0', devEui: DEV_EUI, joinEui: JOIN_EUI });
    net.activate(
      '1.1',
      { fNwkSIntKey: NWK_S_KEY, sNwkSIntKey: S_NWK_S_INT_KEY, nwkSEncKey: NWK_S_ENC_KEY, appSKey: APP_S_KEY },
      DEV_ADDR,
    );
    for (let i = 0; i < 2; i++) {
      const u = dev.uplink({ fPort: 1 });
      const p = net.readUplink(u.phyPayload, u);
      expect(p.micOk).toBe(true);
      expect(p.macCommands).toEqual([{ cid: 'ResetInd', minor: 1 }]);
      expect(p.fOptsOnAir).not.toEqual(Buffer.from([0x01, 0x01]));
    }
    ok(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'ResetConf', minor: 1 }] })));
    const u = dev.uplink({ fPort: 1 });
    expect(net.readUplink(u.phyPayload, u).macCommands).toEqual([]);
    expect(dev.state().resetPending).toBe(false);
  });

  it('a command the version does not know stops the processing (its length is unknown to the device)', () => {
    const v102 = device('1.0.2');
    const r = exchange(v102.dev, v102.net, [
      { cid: 'DevStatusReq' },
      { cid: 'DeviceTimeAns', gpsEpochSeconds: 1, fractionalSecond: 0 },
      { cid: 'DutyCycleReq', maxDutyCycle: 1 },
    ]);
    expect(r.answers.map((c) => c.cid)).toEqual(['DevStatusAns']);
    expect(r.r.macCommands.map((c) => c.cid)).toEqual(['DevStatusReq']);
    expect(v102.dev.log.some((e) => e.type === 'mac-ignored')).toBe(true);
    const v103 = device('1.0.3');
    expect(
      exchange(v103.dev, v103.net, [{ cid: 'RekeyConf', minor: 1 }, { cid: 'DevStatusReq' }]).answers,
    ).toEqual([]);
  });

  it('MAC commands in an FPort 0 downlink; answers over 15 bytes go out on FPort 0 (app data skipped)', () => {
    const { dev, net } = device('1.0.3');
    const six = Array.from({ length: 6 }, (): DownlinkMacCommand => ({ cid: 'DevStatusReq' }));
    ok(dev.handleDownlink(net.downlink({ macCommands: six, macInFrmPayload: true })));
    const u = dev.uplink({ fPort: 4, payload: Buffer.from('app') });
    expect(u).toMatchObject({ fPort: 0, macInFrmPayload: true, appPayloadSkipped: true });
    const p = net.readUplink(u.phyPayload, u);
    expect(p.micOk).toBe(true);
    expect(p.fPort).toBe(0);
    expect(p.macCommands).toHaveLength(6);
    expect(p.macCommands.every((c) => c.cid === 'DevStatusAns')).toBe(true);
  });
});

describe('ADR_ACK back-off', () => {
  it('ADRACKReq from ADR_ACK_LIMIT, default power after +DELAY, DR steps down after +2·DELAY, reset by a downlink', () => {
    const { dev, net } = device('1.0.3');
    exchange(dev, net, [linkAdr(5, 3, 0x0007)]); // an uplink without downlink follows: cnt = 1
    const flags: boolean[] = [];
    const drs: number[] = [];
    const powers: number[] = [];
    for (let i = 1; i <= 130; i++) {
      const u = dev.uplink({ fPort: 1 });
      flags.push(u.adrAckReq);
      drs.push(u.dataRate);
      powers.push(u.txPower);
    }
    // The i-th uplink of the loop is sent with ADR_ACK_CNT = i.
    expect(flags.indexOf(true)).toBe(63); // cnt 64
    expect(powers[95]).toBe(0); // cnt 96 = LIMIT + DELAY
    expect(powers[94]).toBe(3);
    expect(drs[127]).toBe(4); // cnt 128 = LIMIT + 2·DELAY
    expect(drs[126]).toBe(5);
    expect(dev.log.some((e) => e.type === 'adr-backoff')).toBe(true);
    ok(dev.handleDownlink(net.downlink()));
    expect(dev.uplink({ fPort: 1 }).adrAckReq).toBe(false);
    expect(dev.state().adrAckCnt).toBe(1);
  });

  it('restores the default channels once at the lowest data rate', () => {
    const { dev, net } = device('1.0.3');
    exchange(dev, net, [linkAdr(0, 0, 0x0001)]);
    expect(dev.state().enabledChannels).toHaveLength(1);
    for (let i = 0; i < 128; i++) dev.uplink({ fPort: 1 });
    expect(dev.state().enabledChannels).toHaveLength(3);
  });
});
