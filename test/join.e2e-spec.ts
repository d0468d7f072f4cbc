import request from 'supertest';
import { ApplicationEvent } from '@lns/event-bus';
import { devAddrRange, inRange } from '@lns/network-server';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import { IN_PROCESS_ADMIN_TOKEN, InProcessLns, startLnsInProcess } from './support/in-process-lns';
import {
  createApplication,
  createEu868Profiles,
  createOtaaDevice,
  startVirtualGateway,
  virtualOtaaDevice,
} from './support/fixtures';
import { downlinkAt, hearAt } from './support/radio';
import { eventually } from './support/udp-probe';

// JOIN_ACCEPT_DELAY1 is 5 s of concentrator time; the server may hand the join-accept over early.
jest.setTimeout(90_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed0000001';
const NET_ID = '000013';

type PayloadOf<T extends ApplicationEvent['type']> = Extract<ApplicationEvent, { type: T }>['payload'];

/** Every application event of the run, by type and device. */
class Events {
  readonly all: ApplicationEvent[] = [];
  of<T extends ApplicationEvent['type']>(type: T, devEui: string): PayloadOf<T>[] {
    const out: PayloadOf<T>[] = [];
    for (const e of this.all)
      if (e.type === type && e.devEui === devEui) out.push(e.payload as unknown as PayloadOf<T>);
    return out;
  }
  async next<T extends ApplicationEvent['type']>(type: T, devEui: string, after: number, timeoutMs = 8000) {
    await eventually(() => this.of(type, devEui).length > after, timeoutMs);
    return this.of(type, devEui)[after];
  }
}

describe('joins through the embedded join server (real UDP, real HTTP)', () => {
  let lns: InProcessLns;
  let gw: VirtualGateway;
  let app: string;
  let profiles: Record<'1.0.3' | '1.0.4' | '1.1.0', string>;
  const events = new Events();
  const put = (path: string) =>
    request(`http://127.0.0.1:${lns.httpPort}`)
      .put(path)
      .set('Authorization', `Bearer ${IN_PROCESS_ADMIN_TOKEN}`);

  async function createDevice(
    devEui: string,
    macVersion: '1.0.3' | '1.0.4' | '1.1.0',
  ): Promise<VirtualDevice> {
    const nwkKey = macVersion === '1.1.0' ? NWK_KEY : undefined;
    await createOtaaDevice(lns.api, {
      devEui,
      joinEui: JOIN_EUI,
      name: `otaa-${macVersion}`,
      applicationId: app,
      deviceProfileId: profiles[macVersion],
      joinServer: 'local',
      appKey: APP_KEY,
      nwkKey,
    });
    return virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion, appKey: APP_KEY, nwkKey });
  }

  /** Join-request over UDP; resolves with the join-accept the gateway was told to send for RX1. */
  async function joinOnce(device: VirtualDevice, jr = device.joinRequest()) {
    const tmst = (gw.concentratorTime() + 10_000) >>> 0;
    await hearAt(gw, device, jr, tmst);
    // RX1 opens JOIN_ACCEPT_DELAY1 = 5 s after the end of the join-request (RP002 "Default Settings").
    const dl = await downlinkAt(gw, (tmst + 5_000_000) >>> 0, 10_000);
    return { dl, tmst, jr };
  }

  beforeAll(async () => {
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_DEDUP_COOLDOWN_MS: '0',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      LNS_NET_ID: NET_ID,
    });
    lns.bus.on('application.event', (e) => void events.all.push(e));
    profiles = await createEu868Profiles(lns.api, ['1.0.3', '1.0.4', '1.1.0']);
    app = await createApplication(lns.api, { name: 'plain' });
    gw = await startVirtualGateway({ gatewayId: 'aa555a000000a0f1', port: lns.udpPort, keepaliveMs: 1000 });
  });

  afterAll(async () => {
    await gw?.stop();
    await lns?.close();
  });

  it.each([
    ['1.0.3', '0101010101010103'],
    ['1.0.4', '0101010101010104'],
    ['1.1.0', '0101010101010110'],
  ] as const)(
    '%s: join-accept in RX1 at JOIN_ACCEPT_DELAY1, then the first uplink is accepted',
    async (macVersion, devEui) => {
      const device = await createDevice(devEui, macVersion);
      const { dl, tmst } = await joinOnce(device);
      // RX1: the uplink's channel and data rate (RX1DROffset 0 until the join-accept applies), 5 s later.
      expect(
        device.matchRxWindow(
          {
            frequency: dl.frequency,
            dataRate: { spreadingFactor: dl.spreadingFactor!, bandwidth: dl.bandwidth! },
            tmst: dl.tmst,
          },
          tmst,
        ),
      ).toBe('RX1');
      expect(dl.invertPolarity).toBe(true);
      // The device decrypts the join-accept and checks its MIC (and the JoinNonce from 1.0.4 on).
      expect(device.handleJoinAccept(dl.phyPayload)).toBe(true);
      const devAddr = device.state().devAddr!;
      expect(inRange(devAddrRange(parseInt(NET_ID, 16)), devAddr)).toBe(true);
      const joined = await events.next('join', devEui, 0);
      expect(joined).toMatchObject({
        devAddr: devAddr.toString(16).padStart(8, '0'),
        deviceInfo: { devEui, applicationId: app },
      });

      const up = device.uplink({ fPort: 5, payload: Buffer.from(`hi ${macVersion}`) });
      await hearAt(gw, device, up, (gw.concentratorTime() + 10_000) >>> 0);
      const ev = await events.next('up', devEui, 0);
      expect(ev).toMatchObject({
        devAddr: devAddr.toString(16).padStart(8, '0'),
        fCnt: 0,
        fPort: 5,
        data: Buffer.from(`hi ${macVersion}`).toString('base64'),
      });

      const js = (await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200)).body;
      expect(js).toMatchObject({
        devEui,
        joinEui: JOIN_EUI,
        macVersion,
        lastJoinNonce: 1,
        devNoncePolicy: macVersion === '1.0.3' ? 'set' : 'counter',
      });
      expect(JSON.stringify(js)).not.toContain(APP_KEY);
    },
  );

  it('a replayed join-request gets no join-accept and a log event; after a flush it is accepted again', async () => {
    const devEui = '0101010101010201';
    const device = await createDevice(devEui, '1.0.3');
    const first = await joinOnce(device);
    expect(device.handleJoinAccept(first.dl.phyPayload)).toBe(true);

    // The same frame again (a replay): no join-accept, a log event saying why.
    const replayTmst = (gw.concentratorTime() + 10_000) >>> 0;
    const silent = downlinkAt(gw, (replayTmst + 5_000_000) >>> 0, 2_500).then(
      () => 'join-accept',
      () => 'none',
    );
    await hearAt(gw, device, first.jr, replayTmst);
    const log = await events.next('log', devEui, 0);
    expect(log).toMatchObject({
      level: 'WARNING',
      code: 'OTAA',
      description: expect.stringContaining('DevNonce already used'),
    });
    expect(await silent).toBe('none');

    // The operator's way out: flush the DevNonce history; the same DevNonce is accepted once more.
    const flushed = await lns.api.post(`/api/join-server/devices/${devEui}/flush-dev-nonces`).expect(200);
    expect(flushed.body).toMatchObject({
      devEui,
      lastDevNonce: null,
      usedDevNonceCount: 0,
      lastJoinNonce: 1,
    });
    const again = await joinOnce(device, first.jr);
    expect(again.dl.phyPayload).not.toEqual(first.dl.phyPayload); // a new JoinNonce
    expect((await lns.api.get(`/api/join-server/devices/${devEui}`).expect(200)).body.lastJoinNonce).toBe(2);
  });

  it('DevNonce policy: PUT changes it, bad input is a 400 naming the field, unknown devices a 404', async () => {
    const devEui = '0101010101010104';
    const ok = await put(`/api/join-server/devices/${devEui}/dev-nonce-policy`)
      .send({ policy: 'off' })
      .expect(200);
    expect(ok.body).toMatchObject({ devEui, devNoncePolicy: 'off' });
    const bad = await put(`/api/join-server/devices/${devEui}/dev-nonce-policy`)
      .send({ policy: 'never' })
      .expect(400);
    expect(bad.body.fields).toEqual([{ field: 'policy', reason: 'policy must be one of counter, set, off' }]);
    await put(`/api/join-server/devices/not-an-eui/dev-nonce-policy`).send({ policy: 'off' }).expect(400);
    const unknown = await lns.api
      .post('/api/join-server/devices/0f0f0f0f0f0f0f0f/flush-dev-nonces')
      .expect(404);
    expect(unknown.body.fields).toEqual([{ field: 'devEui', reason: 'not known to the join server' }]);
    await request(`http://127.0.0.1:${lns.httpPort}`)
      .post(`/api/join-server/devices/${devEui}/flush-dev-nonces`)
      .expect(401);
  });
});
