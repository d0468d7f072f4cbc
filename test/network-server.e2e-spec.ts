import { ApplicationEvent, ApplicationEventMap, ApplicationEventType } from '@lns/event-bus';
import { decodePhyPayload, encryptFrmPayload, MType } from '@lns/lorawan';
import { NetworkCounters } from '@lns/network-server';
import {
  DownlinkResult,
  ReceivedDownlink,
  UplinkOptions,
  UplinkResult,
  VirtualDevice,
  VirtualDeviceConfig,
  VirtualGateway,
} from '@lns/simulator';
import {
  createAbpDevice,
  createApplication,
  createDeviceProfile,
  startVirtualGateway,
} from './support/fixtures';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { eventually } from './support/udp-probe';

// Starting the server takes a second or two on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(60_000);

const NWK_S_KEY = '44024241ed4ce9a68c6a8bc055233fd3';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';
const F_NWK_S_INT_KEY = '1122334455667788990011223344aaaa';
const S_NWK_S_INT_KEY = '1122334455667788990011223344bbbb';
const NWK_S_ENC_KEY = '1122334455667788990011223344cccc';
/** How long an exchange waits for a downlink that may not come (RX1 is decided ~60 ms after the uplink). */
const DOWNLINK_WAIT_MS = 400;
const MAX_RETRIES = 2;
const CLASS_C_ACK_TIMEOUT_MS = 400;

/** Every application event the network server emitted, in order. */
class Events {
  readonly all: ApplicationEvent[] = [];
  of<T extends ApplicationEventType>(type: T, devEui?: string): ApplicationEventMap[T][] {
    return this.all
      .filter((e) => e.type === type && (devEui === undefined || e.devEui === devEui))
      .map((e) => e.payload as ApplicationEventMap[T]);
  }
  /** The `index`-th event of the type for the device, once it has arrived. */
  async nth<T extends ApplicationEventType>(type: T, devEui: string, index: number, timeoutMs = 3000) {
    await eventually(() => this.of(type, devEui).length > index, timeoutMs);
    return this.of(type, devEui)[index];
  }
}

/** Every PULL_RESP any virtual gateway received, with the gateway it went to. */
class Air {
  private readonly seen: Array<{ gw: VirtualGateway; dl: ReceivedDownlink }> = [];
  private taken = 0;
  watch(gw: VirtualGateway): void {
    gw.on('downlink', (dl: ReceivedDownlink) => this.seen.push({ gw, dl }));
  }
  /** The next downlink not yet taken, or undefined after `timeoutMs`. */
  async next(
    timeoutMs = DOWNLINK_WAIT_MS,
  ): Promise<{ gw: VirtualGateway; dl: ReceivedDownlink } | undefined> {
    try {
      await eventually(() => this.seen.length > this.taken, timeoutMs);
    } catch {
      return undefined;
    }
    return this.seen[this.taken++];
  }
}

interface Exchange {
  up: UplinkResult;
  tmst: number[];
  dl?: ReceivedDownlink;
  gatewayId?: string;
  window?: 'RX1' | 'RX2' | 'RXC';
  result?: DownlinkResult;
}

describe('network server end to end (real UDP, real HTTP, in-process bus)', () => {
  let lns: InProcessLns;
  const events = new Events();
  const air = new Air();
  const gateways: VirtualGateway[] = [];
  const profiles: Record<string, string> = {};
  let plainApp: string;
  let tunnelApp: string;
  let devAddrSeq = 0x26010000;
  let euiSeq = 0x0101010101010000n;

  async function gateway(gatewayId: string, protocolVersion: 1 | 2 = 2): Promise<VirtualGateway> {
    const gw = await startVirtualGateway({
      gatewayId,
      port: lns.udpPort,
      keepaliveMs: 2000,
      protocolVersion,
    });
    gateways.push(gw);
    air.watch(gw);
    return gw;
  }

  async function profile(
    name: string,
    body: { region: string; macVersion: '1.0.3' | '1.1.0'; [field: string]: unknown },
  ): Promise<string> {
    profiles[name] ??= await createDeviceProfile(lns.api, { name, ...body });
    return profiles[name];
  }

  /** An ABP device registered through REST, and its simulated twin. */
  async function abpDevice(
    opts: {
      region?: 'EU868' | 'US915';
      macVersion?: '1.0.3' | '1.1.0';
      classC?: boolean;
      tunnel?: boolean;
      fCntUp?: number;
      dataRate?: number;
      adr?: boolean;
    } = {},
  ): Promise<{ devEui: string; devAddr: number; device: VirtualDevice }> {
    const region = opts.region ?? 'EU868';
    const macVersion = opts.macVersion ?? '1.0.3';
    const profileId = await profile(`${region}-${macVersion}${opts.classC ? '-C' : ''}`, {
      region,
      macVersion,
      supportsClassC: opts.classC === true,
      ...(region === 'US915' && { subBand: 2 }),
    });
    const devEui = (euiSeq++).toString(16).padStart(16, '0');
    const devAddr = devAddrSeq++;
    const lw11 = macVersion === '1.1.0';
    const keys = lw11
      ? { fNwkSIntKey: F_NWK_S_INT_KEY, sNwkSIntKey: S_NWK_S_INT_KEY, nwkSEncKey: NWK_S_ENC_KEY }
      : { nwkSKey: NWK_S_KEY };
    await createAbpDevice(lns.api, {
      devEui,
      applicationId: opts.tunnel ? tunnelApp : plainApp,
      deviceProfileId: profileId,
      abp: { devAddr, ...keys, ...(!opts.tunnel && { appSKey: APP_S_KEY }), fCntUp: opts.fCntUp ?? 0 },
    });
    const config: VirtualDeviceConfig = {
      devEui,
      region,
      macVersion,
      seed: devEui,
      deviceClass: opts.classC ? 'C' : 'A',
      activation: { type: 'ABP', devAddr, appSKey: APP_S_KEY, ...keys, fCntUp: opts.fCntUp ?? 0 },
      ...(opts.dataRate !== undefined && { dataRate: opts.dataRate }),
      ...(opts.adr !== undefined && { adr: opts.adr }),
    } as VirtualDeviceConfig;
    return { devEui, devAddr, device: new VirtualDevice(config) };
  }

  /** The device's transmission as each gateway reports it. */
  async function transmit(
    device: VirtualDevice,
    gws: VirtualGateway[],
    up: UplinkResult,
    snr: number[] = [],
  ): Promise<number[]> {
    const rate = device.region.getDataRate(up.dataRate);
    if (rate.modulation !== 'LORA') throw new Error('LoRa only');
    const tmst = gws.map((g) => g.concentratorTime());
    await Promise.all(
      gws.map((g, i) =>
        g.sendUplink(up.phyPayload, {
          frequency: up.frequency,
          spreadingFactor: rate.spreadingFactor,
          bandwidth: rate.bandwidth,
          tmst: tmst[i],
          snr: snr[i] ?? 7,
          rssi: -80,
        }),
      ),
    );
    return tmst;
  }

  /** The device hears a downlink in whichever window it matches, and acts on it as a device does. */
  function receive(
    device: VirtualDevice,
    ex: Exchange & { gws: VirtualGateway[] },
    dl: ReceivedDownlink,
    gw: VirtualGateway,
  ): void {
    const tmst = ex.tmst[Math.max(0, ex.gws.indexOf(gw))];
    ex.dl = dl;
    ex.gatewayId = gw.gatewayId;
    ex.window = device.matchRxWindow(
      {
        frequency: dl.frequency,
        dataRate: { spreadingFactor: dl.spreadingFactor!, bandwidth: dl.bandwidth! },
        tmst: dl.tmst,
        immediate: dl.imme,
      },
      tmst,
    );
    ex.result = device.handleDownlink(dl.phyPayload, { snr: 5, slot: ex.window });
  }

  /** One uplink, and the downlink it gets (if any), delivered to the device. */
  async function exchange(
    device: VirtualDevice,
    gws: VirtualGateway[],
    opts: UplinkOptions = {},
    snr: number[] = [],
  ): Promise<Exchange & { gws: VirtualGateway[] }> {
    const up = device.uplink(opts);
    const tmst = await transmit(device, gws, up, snr);
    const ex: Exchange & { gws: VirtualGateway[] } = { up, tmst, gws };
    const got = await air.next();
    if (got) receive(device, ex, got.dl, got.gw);
    return ex;
  }

  beforeAll(async () => {
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      LNS_DOWNLINK_MAX_RETRIES: String(MAX_RETRIES),
      LNS_DOWNLINK_CLASS_C_ACK_TIMEOUT_MS: String(CLASS_C_ACK_TIMEOUT_MS),
    });
    lns.bus.on('application.event', (e) => void events.all.push(e));
    plainApp = await createApplication(lns.api, { name: 'plain' });
    tunnelApp = await createApplication(lns.api, { name: 'tunnel', endToEnd: true });
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await lns?.close();
  });

  afterEach(async () => {
    // Downlinks of one test must not be taken by the next.
    while (await air.next(50));
  });

  describe('uplinks', () => {
    it('an ABP 1.0.3 uplink becomes one `up` event with the decrypted payload, after its session is committed', async () => {
      const gw = await gateway('aa555a0000000001');
      const { devEui, device } = await abpDevice();
      const ex = await exchange(device, [gw], { fPort: 10, payload: Buffer.from('hello') });
      const ev = await events.nth('up', devEui, 0);
      expect(ev).toMatchObject({
        devAddr: ex.up.phyPayload.readUInt32LE(1).toString(16).padStart(8, '0'),
        fCnt: 0,
        fPort: 10,
        confirmed: false,
        dr: 5,
        data: Buffer.from('hello').toString('base64'),
        deviceInfo: { devEui, applicationId: plainApp, deviceClassEnabled: 'CLASS_A' },
        txInfo: {
          frequency: ex.up.frequency,
          modulation: { lora: { spreadingFactor: 7, bandwidth: 125_000, codeRate: 'CR_4_5' } },
        },
      });
      expect(ev.rxInfo).toEqual([expect.objectContaining({ gatewayId: gw.gatewayId, rssi: -80, snr: 7 })]);
      const state = (await lns.api.get(`/api/devices/${devEui}/state`).expect(200)).body;
      expect(state).toMatchObject({ activated: true, fCntUp: 1, macVersion: '1.0.3' });
    });

    it('two gateways hearing one uplink give one `up` event with both receptions, best SNR first', async () => {
      const gw1 = await gateway('aa555a0000000002');
      const gw2 = await gateway('aa555a0000000003');
      const { devEui, device } = await abpDevice();
      const counters = lns.app.get(NetworkCounters);
      const before = counters.uplink.dedupSizes['2'];
      await exchange(device, [gw1, gw2], { fPort: 2, payload: Buffer.from([1]) }, [2, 9]);
      const ev = await events.nth('up', devEui, 0);
      expect(ev.rxInfo.map((r) => [r.gatewayId, r.snr])).toEqual([
        [gw2.gatewayId, 9],
        [gw1.gatewayId, 2],
      ]);
      await new Promise((r) => setTimeout(r, 200));
      expect(events.of('up', devEui)).toHaveLength(1);
      expect(counters.uplink.dedupSizes['2']).toBe(before + 1);
    });

    it('a copy arriving after the dedup window is dropped, not handled twice', async () => {
      const gw1 = await gateway('aa555a0000000004');
      const gw2 = await gateway('aa555a0000000005');
      const { devEui, device } = await abpDevice();
      const counters = lns.app.get(NetworkCounters);
      const late = counters.uplink.lateCopies;
      const up = device.uplink({ fPort: 2, payload: Buffer.from([2]) });
      await transmit(device, [gw1], up);
      await events.nth('up', devEui, 0);
      await transmit(device, [gw2], up);
      await eventually(() => counters.uplink.lateCopies === late + 1);
      expect(events.of('up', devEui)).toHaveLength(1);
      expect(events.of('log', devEui).map((l) => l.code)).not.toContain('UPLINK_F_CNT_RETRANSMISSION');
    });

    it('a replayed old frame is dropped with a log UPLINK_F_CNT_REPLAY; a repetition of the last one is not forwarded again', async () => {
      const gw = await gateway('aa555a0000000006');
      const { devEui, device } = await abpDevice();
      const first = await exchange(device, [gw], { fPort: 3, payload: Buffer.from('a') });
      await exchange(device, [gw], { fPort: 3, payload: Buffer.from('b') });
      await exchange(device, [gw], { fPort: 3, payload: Buffer.from('c') });
      await events.nth('up', devEui, 2);
      // Past the dedup cooldown a copy of frame 0 is a replay.
      await new Promise((r) => setTimeout(r, 1100));
      await transmit(device, [gw], first.up);
      const log = await events.nth('log', devEui, 0);
      expect(log).toMatchObject({ code: 'UPLINK_F_CNT_REPLAY', level: 'WARNING' });
      // NbTrans: the same frame counter again, on another channel.
      const repeat = device.repeat();
      await transmit(device, [gw], repeat);
      await eventually(() => events.of('log', devEui).some((l) => l.code === 'UPLINK_F_CNT_RETRANSMISSION'));
      expect(events.of('up', devEui).map((u) => u.fCnt)).toEqual([0, 1, 2]);
    });

    it('accepts the 16-bit rollover: FCnt 65535 then 65536', async () => {
      const gw = await gateway('aa555a0000000007');
      const { devEui, device } = await abpDevice({ fCntUp: 0xfffe });
      for (let i = 0; i < 3; i++) await exchange(device, [gw], { fPort: 1, payload: Buffer.from([i]) });
      await events.nth('up', devEui, 2);
      expect(events.of('up', devEui).map((u) => u.fCnt)).toEqual([0xfffe, 0xffff, 0x10000]);
      const state = (await lns.api.get(`/api/devices/${devEui}/state`).expect(200)).body;
      expect(state.fCntUp).toBe(0x10001);
    });

    it('a frame with a wrong MIC is dropped with a log UPLINK_MIC', async () => {
      const gw = await gateway('aa555a0000000008');
      const { devEui, device } = await abpDevice();
      const up = device.uplink({ fPort: 1, payload: Buffer.from([1]) });
      const forged = Buffer.from(up.phyPayload);
      forged[forged.length - 1] ^= 0xff;
      await transmit(device, [gw], { ...up, phyPayload: forged });
      const log = await events.nth('log', devEui, 0);
      expect(log.code).toBe('UPLINK_MIC');
      expect(events.of('up', devEui)).toHaveLength(0);
    });
  });

  describe('Class A downlinks', () => {
    it('ACKs a confirmed uplink in RX1 (frequency, data rate and timing of the window), and DevStatusAns becomes a `status` event', async () => {
      const gw = await gateway('aa555a0000000010');
      const { devEui, device } = await abpDevice();
      device.setBattery(127);
      const down = lns.app.get(NetworkCounters).downlink;
      const ownCommits = down.fCntDownCommits;
      const ex = await exchange(device, [gw], { fPort: 1, payload: Buffer.from('c'), confirmed: true });
      // One commit for the uplink and its answer: the uplink's commit reserved the ACK's FCntDown.
      expect(down.fCntDownCommits).toBe(ownCommits);
      expect(ex.window).toBe('RX1');
      expect(ex.dl!.tmst).toBe((ex.tmst[0] + 1_000_000) % 2 ** 32);
      expect(ex.dl!.frequency).toBe(ex.up.frequency);
      expect(ex.result).toMatchObject({ accepted: true, ack: true });
      // The first downlink of a session asks for the device status (MAC layer); the answer comes next.
      expect(ex.result!.accepted && ex.result!.macCommands.map((c) => c.cid)).toContain('DevStatusReq');
      await exchange(device, [gw], { fPort: 1, payload: Buffer.from('d') });
      const status = await events.nth('status', devEui, 0);
      expect(status).toMatchObject({
        externalPowerSource: false,
        batteryLevelUnavailable: false,
        batteryLevel: 50,
      });
    });

    it('delivers queued downlinks in order, one per uplink, with FPending while more wait; txack per transmission', async () => {
      const gw = await gateway('aa555a0000000011');
      const { devEui, device } = await abpDevice();
      await exchange(device, [gw], { fPort: 1 }); // MAC housekeeping of a fresh session
      await exchange(device, [gw], { fPort: 1 });
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) {
        const res = await lns.api
          .post(`/api/devices/${devEui}/queue`)
          .send({ fPort: 5, data: Buffer.from(text).toString('base64') })
          .expect(201);
        ids.push(res.body.id);
      }
      const listed = (await lns.api.get(`/api/devices/${devEui}/queue`).expect(200)).body;
      expect(listed.totalCount).toBe(3);
      expect(listed.result.map((i: { id: string }) => i.id)).toEqual(ids);
      const got: Array<[string, boolean]> = [];
      for (let i = 0; i < 3; i++) {
        const ex = await exchange(device, [gw], { fPort: 1 });
        expect(ex.result?.accepted).toBe(true);
        if (ex.result?.accepted) got.push([ex.result.payload!.toString(), ex.result.fPending]);
      }
      expect(got).toEqual([
        ['one', true],
        ['two', true],
        ['three', false],
      ]);
      await eventually(() => events.of('txack', devEui).length === 3);
      expect(events.of('txack', devEui).map((t) => t.queueItemId)).toEqual(ids);
      expect(events.of('txack', devEui)[0]).toMatchObject({
        gatewayId: gw.gatewayId,
        txInfo: { timing: { delay: { delay: '1s' } } },
      });
      expect((await lns.api.get(`/api/devices/${devEui}/queue`).expect(200)).body.totalCount).toBe(0);
    });

    it('a protocol-1 gateway sends no TX_ACK: the `txack` event follows the PULL_RESP at once', async () => {
      const gw = await gateway('aa555a0000000018', 1);
      const { devEui, device } = await abpDevice();
      await exchange(device, [gw], { fPort: 1 });
      await exchange(device, [gw], { fPort: 1 });
      const id = (
        await lns.api.post(`/api/devices/${devEui}/queue`).send({ fPort: 2, data: 'AQ==' }).expect(201)
      ).body.id;
      const ex = await exchange(device, [gw], { fPort: 1 });
      expect(ex.dl?.protocolVersion).toBe(1);
      expect(ex.result).toMatchObject({ accepted: true, fPort: 2 });
      const txack = await events.nth('txack', devEui, 0);
      expect(txack).toMatchObject({ queueItemId: id, gatewayId: gw.gatewayId });
    });

    it('falls back to RX2 when the gateway answers TX_ACK TOO_LATE for RX1', async () => {
      const gw = await gateway('aa555a0000000012');
      const { devEui, device } = await abpDevice();
      const tx = lns.app.get(NetworkCounters).downlink;
      const tooLate = tx.txErrors.TOO_LATE ?? 0;
      gw.failNextTx('TOO_LATE');
      const up = device.uplink({ fPort: 1, confirmed: true });
      const tmst = await transmit(device, [gw], up);
      const first = await air.next(1000);
      const second = await air.next(1500);
      expect(first && second).toBeTruthy();
      const ex: Exchange & { gws: VirtualGateway[] } = { up, tmst, gws: [gw] };
      receive(device, ex, second!.dl, second!.gw);
      expect(ex.window).toBe('RX2');
      expect(second!.dl).toMatchObject({
        frequency: 869_525_000,
        spreadingFactor: 12,
        bandwidth: 125_000,
        tmst: (tmst[0] + 2_000_000) % 2 ** 32,
      });
      expect(ex.result).toMatchObject({ accepted: true, ack: true });
      expect(first!.dl.phyPayload).toEqual(second!.dl.phyPayload);
      expect(tx.txErrors.TOO_LATE).toBe(tooLate + 1);
      void devEui;
    });

    it('a confirmed downlink: `ack` true when the device acknowledges it', async () => {
      const gw = await gateway('aa555a0000000013');
      const { devEui, device } = await abpDevice();
      await exchange(device, [gw], { fPort: 1 });
      await exchange(device, [gw], { fPort: 1 });
      const id = (
        await lns.api
          .post(`/api/devices/${devEui}/queue`)
          .send({ fPort: 7, data: 'AQI=', confirmed: true })
          .expect(201)
      ).body.id;
      const ex = await exchange(device, [gw], { fPort: 1 });
      expect(ex.result).toMatchObject({ accepted: true, confirmed: true, fPort: 7 });
      await exchange(device, [gw], { fPort: 1 }); // carries the ACK bit
      const ack = await events.nth('ack', devEui, 0);
      expect(ack).toMatchObject({ queueItemId: id, acknowledged: true });
    });

    it(`a confirmed downlink the device never gets is retried ${MAX_RETRIES} times, then \`ack\` false`, async () => {
      const gw = await gateway('aa555a0000000014');
      const { devEui, device } = await abpDevice();
      await exchange(device, [gw], { fPort: 1 });
      await exchange(device, [gw], { fPort: 1 });
      const id = (
        await lns.api
          .post(`/api/devices/${devEui}/queue`)
          .send({ fPort: 7, data: 'AQI=', confirmed: true })
          .expect(201)
      ).body.id;
      const counters: number[] = [];
      for (let i = 0; i < MAX_RETRIES + 2; i++) {
        // The device misses every downlink: none is handed to it.
        const up = device.uplink({ fPort: 1 });
        await transmit(device, [gw], up);
        const got = await air.next();
        if (got) {
          const frame = decodePhyPayload(got.dl.phyPayload);
          if (frame.mType === MType.ConfirmedDataDown) counters.push(frame.fCnt);
        }
      }
      expect(counters).toHaveLength(MAX_RETRIES + 1);
      expect(new Set(counters).size).toBe(counters.length); // a new FCntDown each time
      const ack = await events.nth('ack', devEui, 0);
      expect(ack).toMatchObject({ queueItemId: id, acknowledged: false });
      expect((await lns.api.get(`/api/devices/${devEui}/queue`).expect(200)).body.totalCount).toBe(0);
    });

    it('LoRaWAN 1.1 ABP: 1.1 MICs both ways, encrypted FOpts (ResetInd/ResetConf), AFCntDown for application data', async () => {
      const gw = await gateway('aa555a0000000015');
      const { devEui, device } = await abpDevice({ macVersion: '1.1.0' });
      const first = await exchange(device, [gw], { fPort: 1, payload: Buffer.from('x'), confirmed: true });
      expect(first.result).toMatchObject({ accepted: true, ack: true });
      expect(first.result!.accepted && first.result!.macCommands.map((c) => c.cid)).toContain('ResetConf');
      expect(device.state().pendingMacCommands.map((c) => c.cid)).not.toContain('ResetInd');
      await lns.api.post(`/api/devices/${devEui}/queue`).send({ fPort: 9, data: 'qg==' }).expect(201);
      const ex = await exchange(device, [gw], { fPort: 1 });
      expect(ex.result).toMatchObject({ accepted: true, fPort: 9, counter: 'AFCntDown', fCnt: 0 });
      expect(ex.result!.accepted && ex.result!.payload).toEqual(Buffer.from([0xaa]));
      const ups = events.of('up', devEui);
      // FPort 1 without payload: an empty `data`.
      expect(ups.map((u) => u.data)).toEqual([Buffer.from('x').toString('base64'), '']);
      const state = (await lns.api.get(`/api/devices/${devEui}/state`).expect(200)).body;
      expect(state).toMatchObject({ aFCntDown: 1, nextAFCntDown: 1 });
    });

    it('US915: RX1 on the 500 kHz channel (uplink channel mod 8) at DR10 for an uplink at DR0', async () => {
      const gw = await gateway('aa555a0000000016');
      const { device } = await abpDevice({ region: 'US915', dataRate: 0 });
      const ex = await exchange(device, [gw], { fPort: 1, confirmed: true });
      expect(ex.up.channel).toBeGreaterThanOrEqual(8);
      expect(ex.up.channel).toBeLessThan(16);
      expect(ex.window).toBe('RX1');
      expect(ex.dl).toMatchObject({
        frequency: 923_300_000 + 600_000 * (ex.up.channel % 8),
        spreadingFactor: 10,
        bandwidth: 500_000,
      });
      expect(ex.result).toMatchObject({ accepted: true, ack: true });
    });

    it('ADR: a device at DR0 with a good margin is told to use a higher data rate (LinkADRReq)', async () => {
      const gw = await gateway('aa555a0000000017');
      const { device } = await abpDevice({ dataRate: 0 });
      let linkAdr: Exchange | undefined;
      for (let i = 0; i < 25 && !linkAdr; i++) {
        const ex = await exchange(device, [gw], { fPort: 1 }, [12]);
        if (ex.result?.accepted && ex.result.macCommands.some((c) => c.cid === 'LinkADRReq')) linkAdr = ex;
      }
      expect(linkAdr).toBeDefined();
      expect(device.state().dataRate).toBeGreaterThan(0);
    });
  });

  describe('Class C', () => {
    it('sends a queued downlink at once (imme) on the RX2 frequency and data rate, through the gateway that heard the device last', async () => {
      const gw = await gateway('aa555a0000000020');
      const { devEui, device } = await abpDevice({ classC: true });
      await exchange(device, [gw], { fPort: 1 });
      await exchange(device, [gw], { fPort: 1 });
      await lns.api.post(`/api/devices/${devEui}/queue`).send({ fPort: 3, data: 'Cw==' }).expect(201);
      const got = await air.next(1000);
      expect(got?.gw).toBe(gw);
      expect(got!.dl).toMatchObject({ imme: true, frequency: 869_525_000, spreadingFactor: 12 });
      const ex = { up: undefined as never, tmst: [0], gws: [gw] } as Exchange & { gws: VirtualGateway[] };
      receive(device, ex, got!.dl, got!.gw);
      expect(ex.window).toBe('RXC');
      expect(ex.result).toMatchObject({ accepted: true, fPort: 3 });
      await eventually(() => events.of('txack', devEui).length === 1);
      expect(events.of('txack', devEui)[0].txInfo.timing).toEqual({ immediately: {} });
    });

    it('retries a confirmed Class C downlink after the ACK timeout', async () => {
      const gw = await gateway('aa555a0000000021');
      const { devEui, device } = await abpDevice({ classC: true });
      await exchange(device, [gw], { fPort: 1 });
      await exchange(device, [gw], { fPort: 1 });
      await lns.api
        .post(`/api/devices/${devEui}/queue`)
        .send({ fPort: 3, data: 'Cw==', confirmed: true })
        .expect(201);
      const first = await air.next(1000);
      // The retry waits for the ACK timeout and for the first one to be off the air (~1.2 s at SF12).
      const second = await air.next(CLASS_C_ACK_TIMEOUT_MS + 2000);
      expect(first?.dl.imme && second?.dl.imme).toBe(true);
      const f1 = decodePhyPayload(first!.dl.phyPayload);
      const f2 = decodePhyPayload(second!.dl.phyPayload);
      expect(f1.mType).toBe(MType.ConfirmedDataDown);
      expect(f2.mType).toBe(MType.ConfirmedDataDown);
      // The device gets the retry and acknowledges it in its next uplink.
      const ex = { up: undefined as never, tmst: [0], gws: [gw] } as Exchange & { gws: VirtualGateway[] };
      receive(device, ex, second!.dl, second!.gw);
      await exchange(device, [gw], { fPort: 1 });
      const ack = await events.nth('ack', devEui, 0);
      expect(ack.acknowledged).toBe(true);
    });
  });

  describe('queue REST and tunnel applications', () => {
    it('refuses bad queue requests with 4xx naming the field', async () => {
      const { devEui } = await abpDevice();
      const field = async (body: Record<string, unknown>, status = 400) =>
        (await lns.api.post(`/api/devices/${devEui}/queue`).send(body).expect(status)).body.fields.map(
          (f: { field: string }) => f.field,
        );
      expect(await field({ fPort: 0, data: 'AA==' })).toContain('fPort');
      expect(await field({ fPort: 224, data: 'AA==' })).toContain('fPort');
      expect(await field({ fPort: 1, data: '***' })).toContain('data');
      expect(await field({ fPort: 1 })).toContain('data');
      expect(await field({ fPort: 1, data: Buffer.alloc(243).toString('base64') })).toContain('data');
      expect(await field({ fPort: 1, data: 'AA==', fCntDown: 3 })).toContain('fCntDown');
      expect(await field({ fPort: 1, data: 'AA==', isEncrypted: true })).toContain('fCntDown');
      expect(await field({ fPort: 1, data: 'AA==', expiresAt: '2001-01-01T00:00:00Z' })).toContain(
        'expiresAt',
      );
      expect(await field({ fPort: 1, data: 'AA==', nonsense: 1 })).toContain('nonsense');
      await lns.api.post('/api/devices/ffffffffffffffff/queue').send({ fPort: 1, data: 'AA==' }).expect(404);
      await lns.api.get('/api/devices/ffffffffffffffff/queue').expect(404);
      await lns.api.post('/api/devices/xyz/queue').send({ fPort: 1, data: 'AA==' }).expect(400);
    });

    it('flushes a queue with DELETE', async () => {
      const { devEui } = await abpDevice();
      await lns.api.post(`/api/devices/${devEui}/queue`).send({ fPort: 1, data: 'AA==' }).expect(201);
      await lns.api.delete(`/api/devices/${devEui}/queue`).expect(204);
      expect((await lns.api.get(`/api/devices/${devEui}/queue`).expect(200)).body).toEqual({
        totalCount: 0,
        result: [],
      });
    });

    it('tunnel application: `up` keeps the FRMPayload encrypted; downlinks come encrypted with an AFCntDown not yet used', async () => {
      const gw = await gateway('aa555a0000000030');
      const { devEui, devAddr, device } = await abpDevice({ tunnel: true });
      const ex = await exchange(device, [gw], { fPort: 4, payload: Buffer.from('secret') });
      const up = await events.nth('up', devEui, 0);
      const encrypted = encryptFrmPayload({
        key: Buffer.from(APP_S_KEY, 'hex'),
        uplink: true,
        devAddr,
        fCnt: 0,
        payload: Buffer.from('secret'),
      });
      expect(up.data).toBe(encrypted.toString('base64'));
      void ex;
      // A plain payload cannot be sent: the network has no AppSKey.
      const plain = await lns.api
        .post(`/api/devices/${devEui}/queue`)
        .send({ fPort: 4, data: 'AA==' })
        .expect(400);
      expect(plain.body.fields[0].field).toBe('isEncrypted');
      const state = (await lns.api.get(`/api/devices/${devEui}/state`).expect(200)).body;
      const next: number = state.nextAFCntDown;
      const data = encryptFrmPayload({
        key: Buffer.from(APP_S_KEY, 'hex'),
        uplink: false,
        devAddr,
        fCnt: next,
        payload: Buffer.from('down'),
      });
      const ok = await lns.api
        .post(`/api/devices/${devEui}/queue`)
        .send({ fPort: 4, data: data.toString('base64'), isEncrypted: true, fCntDown: next })
        .expect(201);
      expect(ok.body.fCntDown).toBe(next);
      const stale = await lns.api
        .post(`/api/devices/${devEui}/queue`)
        .send({ fPort: 4, data: data.toString('base64'), isEncrypted: true, fCntDown: next })
        .expect(400);
      expect(stale.body.fields[0].field).toBe('fCntDown');
      let delivered: DownlinkResult | undefined;
      for (let i = 0; i < 3 && !delivered; i++) {
        const r = await exchange(device, [gw], { fPort: 1 });
        if (r.result?.accepted && r.result.fPort === 4) delivered = r.result;
      }
      expect(delivered).toMatchObject({ accepted: true, fCnt: next });
      expect(delivered!.accepted && delivered!.payload!.toString()).toBe('down');
    });
  });
});
