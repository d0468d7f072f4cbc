import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import { ReceivedDownlink, UplinkResult, VirtualDevice, VirtualGateway } from '@lns/simulator';
import {
  adminApiOf,
  createApplicationWithAbpDevice,
  createApplicationToken,
  startVirtualGateway,
} from './support/fixtures';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Two server starts on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(90_000);

const NWK_S_KEY = '44024241ed4ce9a68c6a8bc055233fd3';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';
const DEV_EUI = '0202020202020202';
const DEV_ADDR = 0x26022222;

interface Message {
  topic: string;
  json: Record<string, unknown>;
}

/**
 * The built server as users run it: a child process, real UDP from virtual gateways, REST over
 * HTTP, application events and downlink commands over its embedded MQTT broker, and a restart
 * on the same data directory.
 */
describe('network server through MQTT, in the server process, across a restart', () => {
  let lns: LnsProcess;
  let adminToken: string;
  let appToken: string;
  let appId: string;
  let mqtt: MqttClient;
  const messages: Message[] = [];
  let gw1: VirtualGateway;
  let gw2: VirtualGateway;
  const device = new VirtualDevice({
    devEui: DEV_EUI,
    region: 'EU868',
    macVersion: '1.0.3',
    seed: 7,
    activation: { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
  });
  const env = { LNS_DEDUP_WINDOW_MS: '50', LNS_GATEWAYS_ALLOW_UNKNOWN: 'true' };

  const api = () => request(`http://127.0.0.1:${lns.ports.http}`);
  const auth = () => `Bearer ${adminToken}`;
  const events = (type: string) =>
    messages.filter((m) => m.topic.endsWith(`/event/${type}`)).map((m) => m.json);

  async function start(dataDir?: string): Promise<void> {
    lns = await startLnsProcess({ ...env, ...(dataDir && { LNS_DATA_DIR: dataDir }) }, [
      'http',
      'udp',
      'mqtt',
    ]);
    gw1 = await startVirtualGateway({
      gatewayId: 'bb555a0000000001',
      port: lns.ports.udp!,
      keepaliveMs: 2000,
    });
    gw2 = await startVirtualGateway({
      gatewayId: 'bb555a0000000002',
      port: lns.ports.udp!,
      keepaliveMs: 2000,
    });
  }

  async function subscribe(): Promise<void> {
    mqtt = await connectAsync(`mqtt://127.0.0.1:${lns.ports.mqtt}`, {
      username: 'app',
      password: appToken,
      reconnectPeriod: 0,
    });
    mqtt.on('message', (topic, payload) => messages.push({ topic, json: JSON.parse(payload.toString()) }));
    await mqtt.subscribeAsync(`application/${appId}/device/+/event/+`, { qos: 1 });
  }

  async function stop(): Promise<void> {
    await mqtt?.endAsync();
    await gw1?.stop();
    await gw2?.stop();
    await lns?.stop();
  }

  async function transmit(up: UplinkResult, gws: VirtualGateway[]): Promise<number[]> {
    const tmst = gws.map((g) => g.concentratorTime());
    await Promise.all(
      gws.map((g, i) =>
        g.sendUplink(up.phyPayload, {
          frequency: up.frequency,
          spreadingFactor: 7,
          bandwidth: 125_000,
          tmst: tmst[i],
          snr: 5 + i,
        }),
      ),
    );
    return tmst;
  }

  /** The next downlink any of the gateways gets, handed to the device; undefined if none comes. */
  async function receive(gws: VirtualGateway[], tmst: number[], timeoutMs = 500) {
    const seen: Array<{ dl: ReceivedDownlink; i: number }> = [];
    const listeners = gws.map((g, i) => {
      const l = (dl: ReceivedDownlink) => seen.push({ dl, i });
      g.on('downlink', l);
      return l;
    });
    try {
      await eventually(() => seen.length > 0, timeoutMs);
    } catch {
      return undefined;
    } finally {
      gws.forEach((g, i) => g.off('downlink', listeners[i]));
    }
    const { dl, i } = seen[0];
    const window = device.matchRxWindow(
      {
        frequency: dl.frequency,
        dataRate: { spreadingFactor: dl.spreadingFactor!, bandwidth: dl.bandwidth! },
        tmst: dl.tmst,
      },
      tmst[i],
    );
    return { window, result: device.handleDownlink(dl.phyPayload, { snr: 5, slot: window }) };
  }

  beforeAll(async () => {
    await start();
    adminToken = lns.adminToken()!;
    const admin = adminApiOf(lns);
    appId = await createApplicationWithAbpDevice(
      admin,
      { name: 'mqtt-app' },
      {
        devEui: DEV_EUI,
        name: 'mqtt-dev',
        abp: { devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
      },
    );
    appToken = await createApplicationToken(admin, appId, { name: 't' });
    await subscribe();
  });

  afterAll(stop);

  let firstFrame: UplinkResult;

  it('publishes one `up` event for an uplink two gateways heard: decrypted data, two rxInfo', async () => {
    firstFrame = device.uplink({ fPort: 8, payload: Buffer.from('over mqtt') });
    const tmst = await transmit(firstFrame, [gw1, gw2]);
    await receive([gw1, gw2], tmst); // the MAC layer's first words (DevStatusReq), if any
    await eventually(() => events('up').length === 1, 3000);
    const up = events('up')[0];
    expect(up).toMatchObject({
      devAddr: DEV_ADDR.toString(16),
      fCnt: 0,
      fPort: 8,
      data: Buffer.from('over mqtt').toString('base64'),
      deviceInfo: { devEui: DEV_EUI, applicationId: appId },
    });
    expect((up.rxInfo as Array<{ gatewayId: string }>).map((r) => r.gatewayId)).toEqual([
      gw2.gatewayId,
      gw1.gatewayId,
    ]);
  });

  it("enqueues a `command/down` and delivers it in the next uplink's RX1; `txack` follows", async () => {
    await mqtt.publishAsync(
      `application/${appId}/device/${DEV_EUI}/command/down`,
      JSON.stringify({
        devEui: DEV_EUI,
        confirmed: false,
        fPort: 12,
        data: Buffer.from('cmd').toString('base64'),
      }),
      { qos: 1 },
    );
    await eventually(
      async () =>
        (await api().get(`/api/devices/${DEV_EUI}/queue`).set('Authorization', auth())).body.totalCount === 1,
    );
    const up = device.uplink({ fPort: 8, payload: Buffer.from('x') });
    const got = await receive([gw1, gw2], await transmit(up, [gw1, gw2]), 1500);
    expect(got?.window).toBe('RX1');
    expect(got?.result).toMatchObject({ accepted: true, fPort: 12 });
    expect(got!.result.accepted && got!.result.payload!.toString()).toBe('cmd');
    await eventually(() => events('txack').length === 1, 3000);
    expect(events('txack')[0]).toMatchObject({ fCntDown: expect.any(Number), gatewayId: gw2.gatewayId });
  });

  it('keeps the frame counters and the queue across a restart: an old frame is then a replay', async () => {
    await api()
      .post(`/api/devices/${DEV_EUI}/queue`)
      .set('Authorization', auth())
      .send({ fPort: 13, data: Buffer.from('after restart').toString('base64') })
      .expect(201);
    const before = (await api().get(`/api/devices/${DEV_EUI}/state`).set('Authorization', auth()).expect(200))
      .body;
    expect(before.fCntUp).toBe(2);
    const dataDir = lns.dataDir;
    await stop();
    messages.length = 0;
    await start(dataDir);
    await subscribe();
    const after = (await api().get(`/api/devices/${DEV_EUI}/state`).set('Authorization', auth()).expect(200))
      .body;
    expect(after).toMatchObject({ fCntUp: before.fCntUp, fCntDown: before.fCntDown, queueSize: 1 });
    // The first frame again: authentic, but its counter is behind.
    await transmit(firstFrame, [gw1]);
    await eventually(() => events('log').some((l) => l.code === 'UPLINK_F_CNT_REPLAY'), 3000);
    // And the device carries on where it was; the queued payload reaches it.
    const up = device.uplink({ fPort: 8, payload: Buffer.from('y') });
    const got = await receive([gw1], await transmit(up, [gw1]), 1500);
    expect(got?.result).toMatchObject({ accepted: true, fPort: 13 });
    await eventually(() => events('up').length === 1, 3000);
    expect(events('up')[0]).toMatchObject({ fCnt: 2 });
  });
});
