/**
 * The MAC layer against a simulated end-device (`@lns/simulator`'s VirtualDevice, a device-side LoRaWAN
 * stack that answers MAC commands like LoRaMac-node): real frames both ways, ABP sessions, FOpts only.
 */
import {
  computeDownlinkMic,
  DataUpFrame,
  decodeMacCommands,
  decodePhyPayload,
  encodeMacCommands,
  encodePhyPayload,
  encryptFOpts,
  EU868,
  FOPTS_MAX_LENGTH,
  MacCommand,
  micInput,
  MType,
  Region,
  US915,
} from '@lns/lorawan';
import { UplinkResult, VirtualDevice } from '@lns/simulator';
import { DefaultMacLayer } from './default-mac-layer';
import { MacEffect, MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';

const DEV_ADDR = 0x26011bda;
const NWK_S_KEY = Buffer.from('44024241ed4ce9a68c6a8bc055233fd3', 'hex');
const APP_S_KEY = Buffer.from('ec925802ae430ca77fd3dd73cb2cc588', 'hex');
const S_NWK_S_INT_KEY = Buffer.from('a1a2a3a4a5a6a7a8a9aaabacadaeafa0', 'hex');
const NWK_S_ENC_KEY = Buffer.from('b1b2b3b4b5b6b7b8b9babbbcbdbebfb0', 'hex');
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

type Version = MacUplinkContext['macVersion'];
type Wanted = Pick<
  MacUplinkContext,
  'wantedRx1DrOffset' | 'wantedRx2DataRate' | 'wantedRx2Frequency' | 'wantedRxDelay' | 'subBand'
>;

/** The network side of one ABP session: frames in and out, MAC through the layer under test. */
class Network {
  readonly layer = new DefaultMacLayer();
  readonly state: MacState;
  fCntDown = 0;
  now = T0;
  effects: MacEffect[] = [];

  constructor(
    readonly region: Region,
    readonly macVersion: Version,
    readonly wanted: Wanted,
  ) {
    // ABP: the device boots on the region defaults.
    this.state = this.layer.initialState(region, {
      rx1DrOffset: 0,
      rx2DataRate: region.rx2.dataRate,
      rx2Frequency: region.rx2.frequency,
      rxDelay: 1,
      deviceClass: 'A',
    });
  }

  private get v11() {
    return this.macVersion === '1.1.0';
  }

  /** The MAC commands of an uplink, read from the frame (1.1: FOpts decrypted). */
  macCommandsOf(up: UplinkResult): MacCommand[] {
    const frame = decodePhyPayload(up.phyPayload) as DataUpFrame;
    expect(frame.fPort === 0).toBe(false);
    const fOpts = this.v11
      ? encryptFOpts({
          nwkSEncKey: NWK_S_ENC_KEY,
          counter: 'FCntUp',
          devAddr: DEV_ADDR,
          fCnt: up.fCnt,
          fOpts: frame.fOpts,
        })
      : frame.fOpts;
    return decodeMacCommands(fOpts, 'uplink').commands;
  }

  ctx(up: UplinkResult, maxSnr: number): MacUplinkContext {
    return {
      region: this.region,
      macVersion: this.macVersion,
      now: this.now,
      dataRate: up.dataRate,
      frequency: up.frequency,
      channel: up.channel,
      fCntUp: up.fCnt,
      adr: up.adr,
      adrAckReq: up.adrAckReq,
      maxSnr,
      gatewayCount: 2,
      adrEnabled: true,
      ...this.wanted,
    };
  }

  /** Handles an uplink; if `answer`, builds the downlink (FOpts) and returns it with its commands. */
  uplink(up: UplinkResult, opts: { maxSnr: number; answer: boolean }) {
    this.now += 60_000;
    const ctx = this.ctx(up, opts.maxSnr);
    const result = this.layer.handleUplink(this.state, this.macCommandsOf(up), ctx);
    this.effects.push(...result.effects);
    if (!opts.answer || !result.needsDownlink) return { result, commands: undefined, phy: undefined };
    const commands = this.layer.nextDownlinkCommands(this.state, ctx, FOPTS_MAX_LENGTH, this.fCntDown);
    return { result, commands, phy: this.downlink(commands) };
  }

  private downlink(commands: MacCommand[]): Buffer {
    const fCnt = this.fCntDown++;
    let fOpts = encodeMacCommands(commands);
    if (this.v11 && fOpts.length > 0) {
      fOpts = encryptFOpts({
        nwkSEncKey: NWK_S_ENC_KEY,
        counter: 'NFCntDown',
        devAddr: DEV_ADDR,
        fCnt,
        fOpts,
      });
    }
    const phy = encodePhyPayload({
      mType: MType.UnconfirmedDataDown,
      devAddr: DEV_ADDR,
      fCtrl: { adr: true, ack: false, fPending: false, fOptsLen: fOpts.length },
      fCnt: fCnt & 0xffff,
      fOpts,
      mic: Buffer.alloc(4),
    });
    const key = this.v11 ? S_NWK_S_INT_KEY : NWK_S_KEY;
    computeDownlinkMic({ key, devAddr: DEV_ADDR, fCnt, msg: micInput(phy) }).copy(phy, phy.length - 4);
    return phy;
  }
}

function abpDevice(region: Region, macVersion: Version, extra: { dataRate: number; subBand?: number }) {
  const activation =
    macVersion === '1.1.0'
      ? {
          type: 'ABP' as const,
          devAddr: DEV_ADDR,
          fNwkSIntKey: NWK_S_KEY,
          sNwkSIntKey: S_NWK_S_INT_KEY,
          nwkSEncKey: NWK_S_ENC_KEY,
          appSKey: APP_S_KEY,
        }
      : { type: 'ABP' as const, devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY };
  return new VirtualDevice({
    devEui: '0004a30b001c0530',
    region,
    macVersion,
    activation,
    seed: `mac-${region.name}-${macVersion}`,
    battery: 200,
    ...extra,
  });
}

const payload = Buffer.from('0102', 'hex');

/** 19 uplinks the network hears but cannot answer, then the 20th, whose downlink carries everything. */
function twentyUplinks(device: VirtualDevice, net: Network, maxSnr: number) {
  for (let i = 0; i < 19; i++) net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr, answer: false });
  return net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr, answer: true });
}

describe('MAC dialogue with a simulated device: EU868, LoRaWAN 1.0.3', () => {
  it('LinkADRReq + RXParamSetupReq + DevStatusReq in one downlink, answered and applied', () => {
    const device = abpDevice(EU868, '1.0.3', { dataRate: 2 });
    const net = new Network(EU868, '1.0.3', {
      wantedRx1DrOffset: 1,
      wantedRx2DataRate: 3,
      wantedRx2Frequency: 869_525_000,
      wantedRxDelay: 1,
    });

    // SNR 10 dB at SF10 (needs −15): margin 15 dB → 5 steps: DR2 → DR5, then TXPower 0 → 2.
    const first = twentyUplinks(device, net, 10);
    expect(first.commands).toEqual([
      { cid: 'LinkADRReq', dataRate: 5, txPower: 2, nbTrans: 1, chMask: 0x0007, chMaskCntl: 0 },
      { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequency: 869_525_000 },
      { cid: 'DevStatusReq' },
    ]);
    const received = device.handleDownlink(first.phy as Buffer, { snr: 7 });
    expect(received.accepted).toBe(true);

    // The device answers all three in its next uplink (sticky answers first), now at DR5.
    const up = device.uplink({ fPort: 1, payload });
    expect(up.dataRate).toBe(5);
    expect(net.macCommandsOf(up).map((c) => c.cid)).toEqual([
      'RXParamSetupAns',
      'LinkADRAns',
      'DevStatusAns',
    ]);
    const second = net.uplink(up, { maxSnr: 10, answer: true });
    expect(second.result.effects).toEqual([{ kind: 'status', battery: 200, margin: 7 }]);
    expect(net.state).toMatchObject({
      dataRate: 5,
      txPower: 2,
      nbTrans: 1,
      rx1DrOffset: 1,
      rx2DataRate: 3,
      pending: [],
      rejections: {},
    });
    // RXParamSetupAns is sticky: a downlink (here empty) stops the repeats.
    expect(second.result.needsDownlink).toBe(true);
    expect(second.commands).toEqual([]);
    expect(device.handleDownlink(second.phy as Buffer).accepted).toBe(true);

    // In sync: the next uplink carries no MAC command and needs no downlink.
    const third = net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr: 10, answer: true });
    expect(third.result).toEqual({ effects: [], needsDownlink: false });

    const d = device.state();
    expect(d).toMatchObject({ dataRate: 5, txPower: 2, nbTrans: 1, rx1DrOffset: 1, rxDelay: 1 });
    expect(d.rx2).toEqual({ frequency: net.state.rx2Frequency, dataRate: net.state.rx2DataRate });
    expect(d.enabledChannels.map((c) => c.index)).toEqual(net.state.enabledChannels);
  });

  it('LinkCheckReq and DeviceTimeReq from the device are answered in the next downlink', () => {
    const device = abpDevice(EU868, '1.0.3', { dataRate: 5 });
    const net = new Network(EU868, '1.0.3', {
      wantedRx1DrOffset: 0,
      wantedRx2DataRate: 0,
      wantedRx2Frequency: 869_525_000,
      wantedRxDelay: 1,
    });
    const up = device.uplink({
      fPort: 1,
      payload,
      macCommands: [{ cid: 'LinkCheckReq' }, { cid: 'DeviceTimeReq' }],
    });
    const r = net.uplink(up, { maxSnr: -2.5, answer: true });
    expect(r.commands?.map((c) => c.cid)).toEqual(['LinkCheckAns', 'DeviceTimeAns', 'DevStatusReq']);
    expect(r.commands?.[0]).toEqual({ cid: 'LinkCheckAns', margin: 5, gwCnt: 2 });
    device.handleDownlink(r.phy as Buffer);
    expect(device.state().lastLinkCheck).toEqual({ margin: 5, gwCnt: 2 });
    expect(device.state().lastDeviceTime?.gpsEpochSeconds).toBe(
      Math.floor((net.now - Date.UTC(1980, 0, 6)) / 1000) + 18,
    );
  });
});

describe('MAC dialogue with a simulated device: US915 sub-band 2', () => {
  const wanted: Wanted = {
    wantedRx1DrOffset: 1,
    wantedRx2DataRate: 10,
    wantedRx2Frequency: 923_300_000,
    wantedRxDelay: 1,
    subBand: 2,
  };

  it('LoRaWAN 1.0.3: one LinkADRReq with ChMaskCntl 5 turns the 72 channels into sub-band 2', () => {
    const device = abpDevice(US915, '1.0.3', { dataRate: 0, subBand: 2 });
    const net = new Network(US915, '1.0.3', wanted);
    expect(net.state.enabledChannels).toHaveLength(72);

    // SNR 0 dB at SF10 (−15): margin 5 → 1 step: DR0 → DR1.
    const first = twentyUplinks(device, net, 0);
    expect(first.commands).toEqual([
      { cid: 'LinkADRReq', dataRate: 1, txPower: 0, nbTrans: 1, chMask: 0x0002, chMaskCntl: 5 },
      { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 10, frequency: 923_300_000 },
      { cid: 'DevStatusReq' },
    ]);
    expect(device.handleDownlink(first.phy as Buffer, { snr: -4 }).accepted).toBe(true);

    const second = net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr: 0, answer: true });
    expect(second.result.effects).toEqual([{ kind: 'status', battery: 200, margin: -4 }]);
    expect(net.state.enabledChannels).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    expect(net.state).toMatchObject({ dataRate: 1, rx1DrOffset: 1, rx2DataRate: 10, pending: [] });
    expect(device.state().enabledChannels.map((c) => c.index)).toEqual(net.state.enabledChannels);
  });

  it('LoRaWAN 1.0.2: ChMaskCntl 7 then 0, two LinkADRAns; what does not fit FOpts goes next', () => {
    const device = abpDevice(US915, '1.0.2', { dataRate: 0, subBand: 2 });
    const net = new Network(US915, '1.0.2', wanted);

    const first = net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr: 0, answer: true });
    // 2 × LinkADRReq (10 bytes) + RXParamSetupReq (5) fill the 15 bytes of FOpts.
    expect(first.commands).toEqual([
      { cid: 'LinkADRReq', dataRate: 0, txPower: 0, nbTrans: 1, chMask: 0x0002, chMaskCntl: 7 },
      { cid: 'LinkADRReq', dataRate: 0, txPower: 0, nbTrans: 1, chMask: 0xff00, chMaskCntl: 0 },
      { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 10, frequency: 923_300_000 },
    ]);
    device.handleDownlink(first.phy as Buffer);

    const up = device.uplink({ fPort: 1, payload });
    expect(net.macCommandsOf(up).map((c) => c.cid)).toEqual(['RXParamSetupAns', 'LinkADRAns', 'LinkADRAns']);
    const second = net.uplink(up, { maxSnr: 0, answer: true });
    expect(second.result.effects).toEqual([]);
    expect(net.state.enabledChannels).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    expect(net.state.rx1DrOffset).toBe(1);
    // The request that did not fit: DevStatusReq.
    expect(second.commands).toEqual([{ cid: 'DevStatusReq' }]);
  });
});

describe('MAC dialogue with a simulated device: LoRaWAN 1.1 ABP, EU868', () => {
  it('ResetInd → ResetConf (encrypted FOpts both ways), then in sync', () => {
    const device = abpDevice(EU868, '1.1.0', { dataRate: 5 });
    const net = new Network(EU868, '1.1.0', {
      wantedRx1DrOffset: 0,
      wantedRx2DataRate: 0,
      wantedRx2Frequency: 869_525_000,
      wantedRxDelay: 1,
    });
    const first = net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr: 5, answer: true });
    expect(first.commands).toEqual([{ cid: 'ResetConf', minor: 1 }, { cid: 'DevStatusReq' }]);
    expect(device.handleDownlink(first.phy as Buffer).accepted).toBe(true);
    expect(device.state().resetPending).toBe(false);

    const second = net.uplink(device.uplink({ fPort: 1, payload }), { maxSnr: 5, answer: true });
    expect(second.result.effects).toEqual([{ kind: 'status', battery: 200, margin: 0 }]);
    expect(second.result.needsDownlink).toBe(false);
  });
});
