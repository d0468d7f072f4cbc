// The device is checked against an independent network side (device/test-network.ts) built only from
// @lns/lorawan primitives, and one uplink against the npm package lora-packet.
import {
  computeJoinRequestMic,
  decodePhyPayload,
  deriveSessionKeys10,
  encodeCFList,
  encodeMacCommands,
  EU868,
  micInput,
  MType,
  US915,
} from '@lns/lorawan';
import fc from 'fast-check';
import lp from 'lora-packet';
import { DeviceError } from './device/errors';
import {
  APP_KEY,
  APP_S_KEY,
  DEV_ADDR,
  DEV_EUI,
  JOIN_EUI,
  NWK_KEY,
  NWK_S_KEY,
  TestNetwork,
  JoinAcceptOptions,
} from './device/test-network';
import type { DownlinkAccepted, DownlinkResult, MacVersion, VirtualDeviceConfig } from './device/types';
import * as simulator from './index';
import { VirtualDevice } from './virtual-device';

function otaa(macVersion: MacVersion, extra: Partial<VirtualDeviceConfig> = {}) {
  const dev = new VirtualDevice({
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    region: 'EU868',
    macVersion,
    activation: { type: 'OTAA', appKey: APP_KEY, nwkKey: macVersion === '1.1.0' ? NWK_KEY : undefined },
    seed: 42,
    ...extra,
  });
  const net = new TestNetwork({
    macVersion,
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    appKey: APP_KEY,
    nwkKey: NWK_KEY,
  });
  return { dev, net };
}

function joined(
  macVersion: MacVersion,
  extra: Partial<VirtualDeviceConfig> = {},
  ja: JoinAcceptOptions = {},
) {
  const { dev, net } = otaa(macVersion, extra);
  const jr = dev.joinRequest();
  expect(dev.handleJoinAccept(net.acceptJoin(jr.phyPayload, ja))).toBe(true);
  return { dev, net };
}

function abp10(extra: Partial<VirtualDeviceConfig> = {}, fCntUp = 0, fCntDown = 0) {
  const dev = new VirtualDevice({
    devEui: DEV_EUI,
    region: 'EU868',
    macVersion: '1.0.3',
    activation: { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY, fCntUp, fCntDown },
    seed: 7,
    ...extra,
  });
  const net = new TestNetwork({ macVersion: '1.0.3', devEui: DEV_EUI, joinEui: JOIN_EUI });
  net.activate(
    '1.0',
    { fNwkSIntKey: NWK_S_KEY, sNwkSIntKey: NWK_S_KEY, nwkSEncKey: NWK_S_KEY, appSKey: APP_S_KEY },
    DEV_ADDR,
    fCntUp,
    fCntDown,
  );
  return { dev, net };
}

function send(dev: VirtualDevice, net: TestNetwork, opts: Parameters<VirtualDevice['uplink']>[0] = {}) {
  const u = dev.uplink(opts);
  const p = net.readUplink(u.phyPayload, u);
  expect(p.micOk).toBe(true);
  return { u, p };
}

function accepted(r: DownlinkResult): DownlinkAccepted {
  if (!r.accepted) throw new Error(`downlink rejected: ${r.reason} ${r.message}`);
  return r;
}

const EU868_DEFAULTS = [868_100_000, 868_300_000, 868_500_000];

describe('VirtualDevice — join', () => {
  it('1.0.3: builds a join-request the network verifies, on a default channel at DR5, random DevNonces never reused', () => {
    const { dev } = otaa('1.0.3');
    const nonces = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const jr = dev.joinRequest();
      expect(jr.phyPayload).toHaveLength(23);
      expect(EU868_DEFAULTS).toContain(jr.frequency);
      expect(jr.dataRate).toBe(5);
      expect(jr.channel).toBe(EU868_DEFAULTS.indexOf(jr.frequency));
      const f = decodePhyPayload(jr.phyPayload);
      expect(f.mType).toBe(MType.JoinRequest);
      if (f.mType !== MType.JoinRequest) return;
      expect(f.devEui).toEqual(DEV_EUI);
      expect(f.joinEui).toEqual(JOIN_EUI);
      expect(f.devNonce).toBe(jr.devNonce);
      expect(computeJoinRequestMic({ key: APP_KEY, msg: micInput(jr.phyPayload) })).toEqual(f.mic);
      expect(nonces.has(jr.devNonce)).toBe(false);
      nonces.add(jr.devNonce);
    }
    // Random, not a counter.
    expect([...nonces].slice(0, 5)).not.toEqual([0, 1, 2, 3, 4]);
    expect(dev.state().usedDevNonces).toHaveLength(50);
    // A device restarted with the used nonces avoids them too.
    const again = new VirtualDevice({
      devEui: DEV_EUI,
      region: 'EU868',
      macVersion: '1.0.3',
      activation: { type: 'OTAA', appKey: APP_KEY },
      seed: 42,
      usedDevNonces: [...nonces],
    });
    expect(nonces.has(again.joinRequest().devNonce)).toBe(false);
  });

  it('1.0.3: applies the join-accept (DLSettings, RxDelay, CFList type 0) and resets the counters', () => {
    const cfList = encodeCFList(EU868.buildCFList({ frequencies: [867_100_000, 867_300_000, 867_500_000] }));
    const { dev, net } = joined(
      '1.0.3',
      {},
      { rx1DrOffset: 2, rx2DataRate: 3, rxDelay: 5, cfList, joinNonce: 9 },
    );
    const st = dev.state();
    expect(st.joined).toBe(true);
    expect(st.devAddr).toBe(net.devAddr);
    expect(st.netId).toBe(net.netId);
    expect(st.rx1DrOffset).toBe(2);
    expect(st.rx2).toEqual({ frequency: 869_525_000, dataRate: 3 });
    expect(st.rxDelay).toBe(5);
    expect(st.fCntUp).toBe(0);
    expect(st.fCntDown).toBe(0);
    expect(st.lorawan11Session).toBe(false);
    expect(st.enabledChannels.map((c) => c.frequency)).toEqual([
      ...EU868_DEFAULTS,
      867_100_000,
      867_300_000,
      867_500_000,
    ]);
    expect(dev.counters.joinAccepts).toBe(1);
    expect(dev.log.map((e) => e.type)).toEqual(['join-request', 'join-accept']);
    // The session keys are those of the network side.
    const keys = deriveSessionKeys10({
      appKey: APP_KEY,
      joinNonce: 9,
      netId: net.netId,
      devNonce: net.lastDevNonce as number,
    });
    expect(dev.sessionKeys()?.fNwkSIntKey).toEqual(keys.nwkSKey);
    expect(dev.sessionKeys()?.appSKey).toEqual(keys.appSKey);
    // Uplinks hop over the six channels.
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++)
      seen.add(send(dev, net, { fPort: 1, payload: Buffer.from([i]) }).u.frequency);
    expect(seen.size).toBe(6);
  });

  it('rejects a join-accept with a bad MIC, without a pending join-request, or replayed', () => {
    const { dev, net } = otaa('1.0.3');
    const jr = dev.joinRequest();
    const bad = net.acceptJoin(jr.phyPayload, { wrongKey: NWK_KEY });
    expect(dev.handleJoinAccept(bad)).toBe(false);
    expect(dev.joined).toBe(false);
    expect(dev.counters.micFailures).toBe(1);
    expect(dev.handleJoinAccept(Buffer.from('20aabb', 'hex'))).toBe(false);
    const good = net.acceptJoin(jr.phyPayload);
    expect(dev.handleJoinAccept(good)).toBe(true);
    expect(dev.handleJoinAccept(good)).toBe(false); // answered already
    expect(dev.counters.joinAcceptsRejected).toBe(3);
    expect(dev.log.filter((e) => e.type === 'join-accept-rejected')).toHaveLength(3);
  });

  it('1.0.4: DevNonce is a persisted counter and JoinNonce must grow', () => {
    const { dev, net } = otaa('1.0.4', { devNonce: 10 });
    const jr1 = dev.joinRequest();
    expect(jr1.devNonce).toBe(10);
    const ja1 = net.acceptJoin(jr1.phyPayload, { joinNonce: 5 });
    expect(dev.handleJoinAccept(ja1)).toBe(true);
    expect(dev.state().lastJoinNonce).toBe(5);
    const jr2 = dev.joinRequest();
    expect(jr2.devNonce).toBe(11);
    // A replayed join-accept (1.0 MICs do not cover DevNonce) is refused on its JoinNonce.
    expect(dev.handleJoinAccept(ja1)).toBe(false);
    expect(dev.log.at(-1)).toMatchObject({ type: 'join-accept-rejected' });
    expect(dev.handleJoinAccept(net.acceptJoin(jr2.phyPayload, { joinNonce: 5 }))).toBe(false);
    expect(dev.handleJoinAccept(net.acceptJoin(jr2.phyPayload, { joinNonce: 6 }))).toBe(true);
    // Persist and restore.
    const st = dev.state();
    const restored = new VirtualDevice({
      devEui: DEV_EUI,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: '1.0.4',
      activation: { type: 'OTAA', appKey: APP_KEY },
      seed: 1,
      devNonce: st.devNonce,
      lastJoinNonce: st.lastJoinNonce,
    });
    const jr3 = restored.joinRequest();
    expect(jr3.devNonce).toBe(12);
    expect(restored.handleJoinAccept(net.acceptJoin(jr3.phyPayload, { joinNonce: 6 }))).toBe(false);
  });

  it('1.0.3 does not check JoinNonce (only 1.0.4 and 1.1 do)', () => {
    const { dev, net } = otaa('1.0.3');
    expect(dev.handleJoinAccept(net.acceptJoin(dev.joinRequest().phyPayload, { joinNonce: 5 }))).toBe(true);
    expect(dev.handleJoinAccept(net.acceptJoin(dev.joinRequest().phyPayload, { joinNonce: 5 }))).toBe(true);
  });

  it('1.1 OptNeg: NwkKey MIC, JSIntKey join-accept MIC, 1.1 keys, RekeyInd until RekeyConf', () => {
    const { dev, net } = otaa('1.1.0');
    const jr = dev.joinRequest();
    expect(jr.devNonce).toBe(0);
    const f = decodePhyPayload(jr.phyPayload);
    expect(computeJoinRequestMic({ key: NWK_KEY, msg: micInput(jr.phyPayload) })).toEqual(
      (f as { mic: Buffer }).mic,
    );
    expect(dev.handleJoinAccept(net.acceptJoin(jr.phyPayload, { joinNonce: 1 }))).toBe(true);
    expect(net.mode).toBe('1.1');
    expect(dev.state().lorawan11Session).toBe(true);
    expect(dev.sessionKeys()).toEqual(net.keys);
    expect(dev.state().rekeyPending).toBe(true);

    for (let i = 0; i < 2; i++) {
      const { u, p } = send(dev, net, { fPort: 3, payload: Buffer.from('hi') });
      expect(p.macCommands).toEqual([{ cid: 'RekeyInd', minor: 1 }]);
      expect(u.macCommands).toEqual([{ cid: 'RekeyInd', minor: 1 }]);
      // 1.1 FOpts are encrypted on the air.
      expect(p.fOptsOnAir).not.toEqual(encodeMacCommands([{ cid: 'RekeyInd', minor: 1 }]));
      expect(p.payload?.toString()).toBe('hi');
    }
    accepted(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'RekeyConf', minor: 1 }] })));
    expect(dev.state().rekeyPending).toBe(false);
    expect(send(dev, net, { fPort: 3, payload: Buffer.from('x') }).p.macCommands).toEqual([]);
    expect(dev.log.some((e) => e.type === 'rekey-confirmed')).toBe(true);
  });

  it('1.1 OptNeg: without RekeyConf within ADR_ACK_LIMIT uplinks the device reverts to join', () => {
    const { dev, net } = joined('1.1.0');
    for (let i = 0; i < 64; i++) send(dev, net, { fPort: 1, payload: Buffer.from([i]) });
    expect(() => dev.uplink({ fPort: 1, payload: Buffer.from([0]) })).toThrow(DeviceError);
    expect(dev.joined).toBe(false);
    expect(dev.log.at(-1)).toMatchObject({ type: 'revert-to-join' });
  });

  it('1.1 device on a 1.0 network (OptNeg = 0): cmacF MIC, clear FOpts, no RekeyInd', () => {
    const { dev, net } = joined('1.1.0', {}, { optNeg: false });
    expect(net.mode).toBe('1.1-optneg0');
    expect(dev.state().lorawan11Session).toBe(false);
    expect(dev.state().rekeyPending).toBe(false);
    const { p } = send(dev, net, {
      fPort: 2,
      payload: Buffer.from('a'),
      macCommands: [{ cid: 'LinkCheckReq' }],
    });
    expect(p.fOptsOnAir).toEqual(Buffer.from([0x02]));
    expect(p.macCommands).toEqual([{ cid: 'LinkCheckReq' }]);
  });

  it('refuses misuse: 1.1 without NwkKey, joining an ABP device, uplink before join', () => {
    expect(
      () =>
        new VirtualDevice({
          devEui: DEV_EUI,
          region: 'EU868',
          macVersion: '1.1.0',
          activation: { type: 'OTAA', appKey: APP_KEY },
          seed: 1,
        }),
    ).toThrow(/nwkKey/);
    expect(() => abp10().dev.joinRequest()).toThrow(DeviceError);
    expect(() => otaa('1.0.3').dev.uplink({ fPort: 1 })).toThrow(/not joined/);
  });

  it('US915: joins in sub-band 2 (125 kHz at DR0 or 500 kHz at DR4); CFList type 1 sets the mask', () => {
    const { dev, net } = otaa('1.0.3', { region: 'US915' });
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const jr = dev.joinRequest();
      seen.add(`${jr.channel}/${jr.dataRate}`);
      expect(jr.frequency).toBe(US915.defaultChannels[jr.channel].frequency);
      if (jr.channel < 64) {
        expect(jr.channel).toBeGreaterThanOrEqual(8);
        expect(jr.channel).toBeLessThanOrEqual(15);
        expect(jr.dataRate).toBe(0);
      } else {
        expect(jr.channel).toBe(65);
        expect(jr.dataRate).toBe(4);
      }
    }
    expect(seen.size).toBe(9);
    const only500 = otaa('1.0.3', { region: 'US915', joinDataRate: 4 }).dev.joinRequest();
    expect(only500.channel).toBe(65);

    const enabled = Array.from({ length: 72 }, (_, i) => (i >= 16 && i < 24) || i === 66);
    const cfList = encodeCFList(US915.buildCFList({ enabledChannels: enabled }));
    const jr = dev.joinRequest();
    expect(dev.handleJoinAccept(net.acceptJoin(jr.phyPayload, { cfList }))).toBe(true);
    expect(dev.state().enabledChannels.map((c) => c.index)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 66]);
  });
});

describe('VirtualDevice — uplink', () => {
  it('1.0.3: FCnt counts up, FRMPayload decrypts, confirmed MType, ADR bit, MIC verifies', () => {
    const { dev, net } = joined('1.0.3');
    for (let i = 0; i < 3; i++) {
      const { u, p } = send(dev, net, { fPort: 10, payload: Buffer.from(`msg${i}`), confirmed: i === 2 });
      expect(u.fCnt).toBe(i);
      expect(p.fCnt).toBe(i);
      expect(p.fPort).toBe(10);
      expect(p.payload?.toString()).toBe(`msg${i}`);
      expect(p.confirmed).toBe(i === 2);
      expect(p.adr).toBe(true);
      expect(u.dataRate).toBe(5);
      expect(u.txPower).toBe(0);
      expect(u.eirp).toBe(16);
    }
    expect(dev.state().fCntUp).toBe(3);
    expect(dev.counters.uplinks).toBe(3);
  });

  it('is parsed, MIC-checked and decrypted by lora-packet', () => {
    const { dev } = abp10({}, 5);
    const u = dev.uplink({ fPort: 7, payload: Buffer.from('lora-packet cross-check') });
    const packet = lp.fromWire(u.phyPayload);
    expect(packet.getMType()).toBe('Unconfirmed Data Up');
    expect(packet.getFCnt()).toBe(5);
    expect(packet.getFPort()).toBe(7);
    expect(packet.getBuffers().DevAddr).toEqual(Buffer.from('26011bda', 'hex'));
    expect(lp.verifyMIC(packet, NWK_S_KEY)).toBe(true);
    expect(lp.decrypt(packet, APP_S_KEY, NWK_S_KEY).toString()).toBe('lora-packet cross-check');

    // Above 16 bits: lora-packet needs the counter's upper 16 bits (little-endian, as in B0/A_i).
    const { dev: high } = abp10({}, 0x0001_0005);
    const u2 = high.uplink({ fPort: 8, payload: Buffer.from('high') });
    const p2 = lp.fromWire(u2.phyPayload);
    const msb = Buffer.alloc(2);
    msb.writeUInt16LE(0x0001);
    expect(p2.getFCnt()).toBe(5);
    expect(lp.verifyMIC(p2, NWK_S_KEY)).toBe(false);
    expect(lp.verifyMIC(p2, NWK_S_KEY, undefined, msb)).toBe(true);
    expect(lp.decrypt(p2, APP_S_KEY, NWK_S_KEY, msb).toString()).toBe('high');
  });

  it('FCnt is 32-bit with the 16 LSB on the air across the 16-bit rollover', () => {
    const { dev, net } = abp10({}, 0xfffe);
    const onAir: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { u, p } = send(dev, net, { fPort: 1, payload: Buffer.from([i]) });
      expect(p.fCnt).toBe(0xfffe + i);
      expect(u.fCnt).toBe(0xfffe + i);
      const f = decodePhyPayload(u.phyPayload) as { fCnt: number };
      onAir.push(f.fCnt);
    }
    expect(onAir).toEqual([0xfffe, 0xffff, 0x0000, 0x0001]);
    expect(dev.state().fCntUp).toBe(0x10002);
  });

  it('repeat() keeps the FCnt (NbTrans, retransmissions); 1.1 re-signs for the new channel', () => {
    const { dev, net } = abp10();
    const u = dev.uplink({ fPort: 1, payload: Buffer.from('r'), confirmed: true });
    const r = dev.repeat();
    expect(r.fCnt).toBe(u.fCnt);
    expect(r.transmission).toBe(2);
    expect(r.phyPayload).toEqual(u.phyPayload); // 1.0: same bytes on any channel
    expect(net.readUplink(u.phyPayload, u).micOk).toBe(true);
    expect(dev.counters).toMatchObject({ uplinks: 1, transmissions: 2 });

    const { dev: d11, net: n11 } = joined('1.1.0');
    const a = d11.uplink({ fPort: 1, payload: Buffer.from('r') });
    let b = d11.repeat();
    while (b.channel === a.channel) b = d11.repeat();
    expect(b.phyPayload).not.toEqual(a.phyPayload);
    expect(n11.readUplink(b.phyPayload, b).micOk).toBe(true);
    expect(() => otaa('1.0.3').dev.repeat()).toThrow(DeviceError);
  });

  it('checks FPort and size against the region (M at the data rate)', () => {
    const { dev } = abp10({ dataRate: 0 });
    expect(() => dev.uplink({ fPort: 1, payload: Buffer.alloc(52) })).toThrow(/exceeds M = 59/);
    expect(dev.uplink({ fPort: 1, payload: Buffer.alloc(51) }).fCnt).toBe(0);
    expect(() => dev.uplink({ payload: Buffer.from('x') })).toThrow(/FPort/);
    expect(() => dev.uplink({ fPort: 256 })).toThrow(/FPort/);
    // A frame without FPort (FHDR only) is valid.
    const empty = dev.uplink();
    expect(empty.fPort).toBeUndefined();
  });

  it('FPort 0 on request: MAC commands in the FRMPayload, encrypted with NwkSKey', () => {
    const { dev, net } = abp10();
    const { u, p } = send(dev, net, {
      fPort: 0,
      macCommands: [{ cid: 'LinkCheckReq' }, { cid: 'DeviceTimeReq' }],
    });
    expect(u.macInFrmPayload).toBe(true);
    expect(p.fPort).toBe(0);
    expect(p.fOptsOnAir).toHaveLength(0);
    expect(p.macCommands).toEqual([{ cid: 'LinkCheckReq' }, { cid: 'DeviceTimeReq' }]);
  });
});

describe('VirtualDevice — downlink', () => {
  it('1.0: accepts, decrypts, ACKs a confirmed downlink in the next uplink only', () => {
    const { dev, net } = joined('1.0.3');
    send(dev, net, { fPort: 1, payload: Buffer.from('up') });
    const r = accepted(
      dev.handleDownlink(
        net.downlink({ fPort: 5, payload: Buffer.from('down'), confirmed: true, fPending: true }),
      ),
    );
    expect(r).toMatchObject({
      fPort: 5,
      confirmed: true,
      fPending: true,
      ack: false,
      fCnt: 0,
      counter: 'FCntDown',
    });
    expect(r.payload?.toString()).toBe('down');
    expect(dev.state()).toMatchObject({ ackPending: true, fCntDown: 1 });
    expect(send(dev, net, { fPort: 1 }).p.ack).toBe(true);
    expect(send(dev, net, { fPort: 1 }).p.ack).toBe(false);
    expect(dev.counters).toMatchObject({ downlinks: 1, downlinksAccepted: 1 });
  });

  it('counts the ACK of a confirmed uplink', () => {
    const { dev, net } = joined('1.0.3');
    send(dev, net, { fPort: 1, confirmed: true });
    accepted(dev.handleDownlink(net.downlink({ ack: true })));
    expect(dev.counters.acksReceived).toBe(1);
  });

  it('rejects replays, bad MICs, other DevAddrs, garbage and uplinks', () => {
    const { dev, net } = joined('1.0.3');
    send(dev, net, { fPort: 1 });
    const d0 = net.downlink({ fPort: 1, payload: Buffer.from('a') });
    const d1 = net.downlink({ fPort: 1, payload: Buffer.from('b') });
    accepted(dev.handleDownlink(d0));
    accepted(dev.handleDownlink(d1));
    expect(dev.handleDownlink(d1)).toMatchObject({ accepted: false, reason: 'REPLAY' });
    // An older frame reconstructs to a counter far ahead, so its MIC fails: rejected as well.
    expect(dev.handleDownlink(d0)).toMatchObject({ accepted: false, reason: 'MIC_FAILED' });
    expect(dev.handleDownlink(net.downlink({ fPort: 1, corruptMic: true }))).toMatchObject({
      accepted: false,
      reason: 'MIC_FAILED',
    });
    const other = Buffer.from(d1);
    other.writeUInt32LE(0x01020304, 1);
    expect(dev.handleDownlink(other)).toMatchObject({ accepted: false, reason: 'DEVADDR_MISMATCH' });
    expect(dev.handleDownlink(Buffer.from('6001', 'hex'))).toMatchObject({
      accepted: false,
      reason: 'MALFORMED',
    });
    expect(dev.handleDownlink(dev.uplink({ fPort: 1 }).phyPayload)).toMatchObject({
      accepted: false,
      reason: 'NOT_DATA_DOWNLINK',
    });
    expect(dev.counters).toMatchObject({
      micFailures: 2,
      replays: 1,
      downlinksRejected: 6,
      downlinksAccepted: 2,
    });
    expect(
      dev.log.filter((e) => e.type === 'downlink-rejected').map((e) => (e as { reason: string }).reason),
    ).toEqual(['REPLAY', 'MIC_FAILED', 'MIC_FAILED', 'DEVADDR_MISMATCH', 'MALFORMED', 'NOT_DATA_DOWNLINK']);
  });

  it('1.0.x re-ACKs a repeated confirmed downlink without delivering it again', () => {
    const { dev, net } = joined('1.0.3');
    send(dev, net, { fPort: 1 });
    const d = net.downlink({ fPort: 1, payload: Buffer.from('c'), confirmed: true });
    accepted(dev.handleDownlink(d));
    expect(send(dev, net, { fPort: 1 }).p.ack).toBe(true);
    expect(dev.handleDownlink(d)).toMatchObject({ accepted: false, reason: 'REPLAY' });
    expect(send(dev, net, { fPort: 1 }).p.ack).toBe(true);
  });

  it('rebuilds a 32-bit FCntDown across the 16-bit rollover', () => {
    const { dev, net } = abp10({}, 0, 0xfffe);
    for (const fCnt of [0xfffe, 0xffff, 0x10000, 0x10001]) {
      expect(accepted(dev.handleDownlink(net.downlink({ fPort: 2, payload: Buffer.from('z') }))).fCnt).toBe(
        fCnt,
      );
    }
    expect(dev.state().fCntDown).toBe(0x10002);
  });

  it('MAX_FCNT_GAP applies before 1.0.4 only', () => {
    const { dev, net } = abp10();
    expect(dev.handleDownlink(net.downlink({ fPort: 1, fCnt: 20000 }))).toMatchObject({ reason: 'FCNT_GAP' });
    const d104 = new VirtualDevice({
      devEui: DEV_EUI,
      region: 'EU868',
      macVersion: '1.0.4',
      activation: { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
      seed: 1,
    });
    expect(accepted(d104.handleDownlink(net.downlink({ fPort: 1, fCnt: 40000 }))).fCnt).toBe(40000);
  });

  it('1.1: NFCntDown/AFCntDown apart, FOpts decrypted per counter, ConfFCnt both ways', () => {
    const { dev, net } = joined('1.1.0');
    accepted(dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'RekeyConf', minor: 1 }] })));
    send(dev, net, { fPort: 1, confirmed: true });
    // FPort > 0 with FOpts: AFCntDown, FOpts under the AFCntDown block identifier; ACK → ConfFCnt in the MIC.
    const a = accepted(
      dev.handleDownlink(
        net.downlink({
          fPort: 9,
          payload: Buffer.from('app'),
          macCommands: [{ cid: 'DevStatusReq' }],
          ack: true,
          confirmed: true,
        }),
      ),
    );
    expect(a).toMatchObject({
      counter: 'AFCntDown',
      fCnt: 0,
      ack: true,
      macCommands: [{ cid: 'DevStatusReq' }],
    });
    expect(a.payload?.toString()).toBe('app');
    expect(dev.counters.acksReceived).toBe(1);
    const n = accepted(
      dev.handleDownlink(net.downlink({ macCommands: [{ cid: 'DutyCycleReq', maxDutyCycle: 3 }] })),
    );
    expect(n).toMatchObject({ counter: 'NFCntDown', fCnt: 1 });
    expect(dev.state()).toMatchObject({ nFCntDown: 2, aFCntDown: 1, maxDutyCycle: 3 });
    // The uplink ACKs the confirmed AFCntDown 0 frame: the network checks ConfFCnt in B1.
    const { p } = send(dev, net, { fPort: 1 });
    expect(p.ack).toBe(true);
    expect(p.macCommands.map((c) => c.cid)).toEqual(['DevStatusAns', 'DutyCycleAns']);
    // A downlink whose ACK is computed without ConfFCnt does not verify.
    const wrong = new TestNetwork({ macVersion: '1.1.0', devEui: DEV_EUI, joinEui: JOIN_EUI });
    wrong.activate('1.1', net.keys!, net.devAddr, 0, 2);
    wrong.lastUplinkFCnt = 12345;
    expect(dev.handleDownlink(wrong.downlink({ ack: true }))).toMatchObject({ reason: 'MIC_FAILED' });
  });
});

describe('VirtualDevice — receive windows', () => {
  it('EU868: RX1 on the uplink channel with RX1DROffset, RX2 per DLSettings, RxDelay timing, tmst wrap', () => {
    const { dev } = joined('1.0.3', {}, { rx1DrOffset: 2, rx2DataRate: 3, rxDelay: 2 });
    const u = dev.uplink({ fPort: 1 });
    const w = dev.rxWindows(0xffff_0000);
    expect(w.kind).toBe('data');
    expect(w.rx1).toEqual({
      frequency: u.frequency,
      dataRate: 3,
      delay: 2,
      tmst: (0xffff_0000 + 2_000_000) >>> 0,
    });
    expect(w.rx2).toEqual({
      frequency: 869_525_000,
      dataRate: 3,
      delay: 3,
      tmst: (0xffff_0000 + 3_000_000) >>> 0,
    });
    expect(w.rx1.tmst).toBeLessThan(0xffff_0000); // wrapped
    expect(dev.matchRxWindow({ frequency: u.frequency, dataRate: 3, tmst: w.rx1.tmst }, 0xffff_0000)).toBe(
      'RX1',
    );
    expect(
      dev.matchRxWindow(
        { frequency: 869_525_000, dataRate: { spreadingFactor: 9, bandwidth: 125_000 }, tmst: w.rx2.tmst },
        0xffff_0000,
      ),
    ).toBe('RX2');
    expect(
      dev.matchRxWindow({ frequency: u.frequency, dataRate: 3, tmst: w.rx1.tmst! + 20 }, 0xffff_0000),
    ).toBeUndefined();
    expect(
      dev.matchRxWindow({ frequency: u.frequency, dataRate: 3, tmst: w.rx1.tmst! + 20 }, 0xffff_0000, 50),
    ).toBe('RX1');
    expect(
      dev.matchRxWindow({ frequency: u.frequency, dataRate: 5, tmst: w.rx1.tmst }, 0xffff_0000),
    ).toBeUndefined();
    expect(dev.matchRxWindow({ frequency: 869_525_000, dataRate: 3, immediate: true }, 0)).toBeUndefined();
  });

  it('join-accept windows use JOIN_ACCEPT_DELAY1/2', () => {
    const { dev } = otaa('1.0.3');
    const jr = dev.joinRequest();
    expect(dev.rxWindows(1000)).toEqual({
      kind: 'join-accept',
      rx1: { frequency: jr.frequency, dataRate: 5, delay: 5, tmst: 5_001_000 },
      rx2: { frequency: 869_525_000, dataRate: 0, delay: 6, tmst: 6_001_000 },
      classC: false,
    });
  });

  it('US915: RX1 on 923.3 + 0.6·(ch mod 8) MHz at the RP002 DR; Class C listens on RX2', () => {
    const { dev } = joined('1.0.3', { region: 'US915', deviceClass: 'C' }, { rx2DataRate: 8 });
    const u = dev.uplink({ fPort: 1 });
    expect(u.dataRate).toBe(3);
    const w = dev.rxWindows(0);
    expect(w.rx1.frequency).toBe(923_300_000 + 600_000 * (u.channel % 8));
    expect(w.rx1.dataRate).toBe(13);
    expect(w.rx2).toMatchObject({ frequency: 923_300_000, dataRate: 8, delay: 2 });
    expect(
      dev.matchRxWindow(
        { frequency: 923_300_000, dataRate: { spreadingFactor: 12, bandwidth: 500_000 }, immediate: true },
        0,
      ),
    ).toBe('RXC');
    expect(() => otaa('1.0.3').dev.rxWindows()).toThrow(DeviceError);
  });
});

describe('VirtualDevice — determinism', () => {
  function run(seed: number): Buffer[] {
    const { dev, net } = otaa('1.0.3', { seed });
    const frames: Buffer[] = [];
    const jr = dev.joinRequest();
    frames.push(jr.phyPayload);
    dev.handleJoinAccept(
      net.acceptJoin(jr.phyPayload, {
        cfList: encodeCFList(EU868.buildCFList({ frequencies: [867_100_000] })),
      }),
    );
    for (let i = 0; i < 20; i++) {
      const u = dev.uplink({ fPort: 1, payload: Buffer.from([i]), confirmed: i % 3 === 0 });
      frames.push(u.phyPayload, Buffer.from([u.channel]));
      net.readUplink(u.phyPayload, u);
      if (i % 4 === 0)
        dev.handleDownlink(net.downlink({ confirmed: true, macCommands: [{ cid: 'DevStatusReq' }] }));
    }
    return frames;
  }

  it('two devices with the same seed produce identical frames; another seed does not', () => {
    expect(run(1234)).toEqual(run(1234));
    expect(run(1234)).not.toEqual(run(4321));
  });
});

describe('VirtualDevice — properties', () => {
  it('every uplink verifies and decrypts on the network side (1.0.3 and 1.1 ABP, any FPort/payload/counter)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<MacVersion>('1.0.3', '1.1.0'),
        fc.integer({ min: 1, max: 223 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 32 - 2 }),
        fc.integer(),
        (macVersion, fPort, payload, confirmed, fCntUp, seed) => {
          // ABP with an arbitrary counter, as after a long session.
          const lw11 = macVersion === '1.1.0';
          const keys = lw11
            ? { fNwkSIntKey: NWK_S_KEY, sNwkSIntKey: APP_KEY, nwkSEncKey: NWK_KEY, appSKey: APP_S_KEY }
            : { fNwkSIntKey: NWK_S_KEY, sNwkSIntKey: NWK_S_KEY, nwkSEncKey: NWK_S_KEY, appSKey: APP_S_KEY };
          const dev = new VirtualDevice({
            devEui: DEV_EUI,
            region: 'EU868',
            macVersion,
            activation: lw11
              ? { type: 'ABP', devAddr: DEV_ADDR, ...keys, fCntUp }
              : { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY, fCntUp },
            seed,
          });
          const net = new TestNetwork({ macVersion, devEui: DEV_EUI, joinEui: JOIN_EUI });
          net.activate(lw11 ? '1.1' : '1.0', keys, DEV_ADDR, fCntUp);
          const u = dev.uplink({ fPort, payload: Buffer.from(payload), confirmed });
          const p = net.readUplink(u.phyPayload, u);
          return (
            p.micOk &&
            p.fCnt === fCntUp &&
            p.fPort === fPort &&
            p.confirmed === confirmed &&
            (p.payload ?? Buffer.alloc(0)).equals(Buffer.from(payload))
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('simulator barrel', () => {
  it('exports the device, the gateway and the PRNG', () => {
    expect(simulator.VirtualDevice).toBe(VirtualDevice);
    expect(typeof simulator.VirtualGateway).toBe('function');
    expect(typeof simulator.Rng).toBe('function');
    expect(simulator.DeviceError).toBe(DeviceError);
    expect(simulator.MAX_EIRP_DBM).toHaveLength(16);
  });
});
