import { readFileSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import Aedes from 'aedes';
import request from 'supertest';
import { EmbeddedMqttBroker, MqttPublisher } from '@lns/application';
import { ApplicationEvent } from '@lns/event-bus';
import {
  JoinRequestResult,
  UplinkResult,
  VirtualDevice,
  VirtualDeviceConfig,
  VirtualGateway,
} from '@lns/simulator';
import {
  AbpSession,
  createAbpDevice,
  createApplication,
  createDeviceProfile,
  createEu868Profiles,
  createOtaaDevice,
  restApi,
  startVirtualGateway,
  virtualOtaaDevice,
} from './support/fixtures';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { metricTypes, parseMetrics } from './support/metrics-text';
import { eventually } from './support/udp-probe';

jest.setTimeout(60_000);

const NWK_S_KEY = '5a3c2f0e9d8b7a6958473625140f1e2d';
const APP_S_KEY = 'c0ffee00112233445566778899aabbcc';
const F_NWK_S_INT_KEY = '0badc0de1122334455667788deadbeef';
const S_NWK_S_INT_KEY = '0badc0de1122334455667788feedface';
const NWK_S_ENC_KEY = '0badc0de1122334455667788cafebabe';
const APP_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const NWK_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const JOIN_EUI = '70b3d57ed0000042';

/** The device's transmission as each gateway hears it. */
async function transmit(
  device: VirtualDevice,
  gws: VirtualGateway[],
  tx: UplinkResult | JoinRequestResult,
  tmst?: number,
) {
  const rate = device.region.getDataRate(tx.dataRate);
  if (rate.modulation !== 'LORA') throw new Error('LoRa only');
  await Promise.all(
    gws.map((g) =>
      g.sendUplink(tx.phyPayload, {
        frequency: tx.frequency,
        spreadingFactor: rate.spreadingFactor,
        bandwidth: rate.bandwidth,
        tmst: tmst ?? g.concentratorTime(),
      }),
    ),
  );
}

function abpDevice(devEui: string, devAddr: number, macVersion: '1.0.3' | '1.1.0' = '1.0.3'): VirtualDevice {
  const keys =
    macVersion === '1.1.0'
      ? { fNwkSIntKey: F_NWK_S_INT_KEY, sNwkSIntKey: S_NWK_S_INT_KEY, nwkSEncKey: NWK_S_ENC_KEY }
      : { nwkSKey: NWK_S_KEY };
  return new VirtualDevice({
    devEui,
    region: 'EU868',
    macVersion,
    seed: devEui,
    activation: { type: 'ABP', devAddr, appSKey: APP_S_KEY, ...keys, fCntUp: 0 },
  } as VirtualDeviceConfig);
}

/** The ABP session `abpDevice` holds, as the network server is given it. */
function abpSession(devAddr: number, lw11 = false): AbpSession {
  return {
    devAddr,
    appSKey: APP_S_KEY,
    ...(lw11
      ? { fNwkSIntKey: F_NWK_S_INT_KEY, sNwkSIntKey: S_NWK_S_INT_KEY, nwkSEncKey: NWK_S_ENC_KEY }
      : { nwkSKey: NWK_S_KEY }),
    fCntUp: 0,
  };
}

describe('observability of the running server (in process)', () => {
  let lns: InProcessLns;
  let appId: string;
  let profileId: string;
  const gws: VirtualGateway[] = [];
  const events: ApplicationEvent[] = [];
  const http = () => request(`http://127.0.0.1:${lns.httpPort}`);
  const scrape = async () => {
    const res = await http().get('/metrics').expect(200);
    return { text: res.text, m: parseMetrics(res.text), res };
  };

  beforeAll(async () => {
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_DEDUP_COOLDOWN_MS: '0',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
    });
    lns.bus.on('application.event', (e) => void events.push(e));
    appId = await createApplication(lns.api, { name: 'metrics' });
    profileId = await createDeviceProfile(lns.api, {
      name: 'eu-1.0.3',
      region: 'EU868',
      macVersion: '1.0.3',
    });
    for (const id of ['aa555a00000f0001', 'aa555a00000f0002', 'aa555a00000f0003']) {
      gws.push(await startVirtualGateway({ gatewayId: id, port: lns.udpPort, keepaliveMs: 1000 }));
    }
  });

  afterAll(async () => {
    await Promise.all(gws.map((g) => g.stop()));
    await lns?.close();
  });

  it('serves GET /metrics without a token, in the Prometheus text format', async () => {
    const { res, text } = await scrape();
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const types = metricTypes(text);
    // Process metrics and the event-loop lag, from prom-client's default collectors.
    expect(types.get('process_cpu_seconds_total')).toBe('counter');
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(types.get('lns_uplink_dedup_group_size')).toBe('histogram');
    for (const name of [
      'lns_uplinks_total',
      'lns_uplink_copies_total',
      'lns_downlinks_total',
      'lns_joins_total',
      'lns_udp_malformed_datagrams_total',
      'lns_mqtt_events_total',
    ]) {
      expect(types.get(name)).toBe('counter');
    }
    for (const name of [
      'lns_device_sessions',
      'lns_downlink_queue_depth',
      'lns_mqtt_broker_up',
      'lns_gateways',
    ]) {
      expect(types.get(name)).toBe('gauge');
    }
    // Public: the admin token is not needed, and the route is outside /api.
    await http().get('/api/metrics').expect(404);
  });

  it('counts uplinks by result, dedup sizes, per-gateway packets, joins, malformed datagrams and the queue', async () => {
    const devEui = '0f0f0f0f00000001';
    const devAddr = 0x26011001;
    await createAbpDevice(lns.api, {
      devEui,
      applicationId: appId,
      deviceProfileId: profileId,
      abp: abpSession(devAddr),
    });
    const device = abpDevice(devEui, devAddr);
    const ups = () => events.filter((e) => e.type === 'up' && e.devEui === devEui).length;

    // Three uplinks, each heard by the three gateways: three groups of three copies.
    const sent: UplinkResult[] = [];
    for (let i = 0; i < 3; i++) {
      const up = device.uplink({ fPort: 2, payload: Buffer.from([i]) });
      sent.push(up);
      await transmit(device, gws, up);
      await eventually(() => ups() === i + 1, 3000);
    }
    // A frame with a broken MIC, and the first frame again (a replay), each heard by one gateway.
    const broken = device.uplink({ fPort: 2, payload: Buffer.from([9]) });
    broken.phyPayload[broken.phyPayload.length - 1] ^= 0xff;
    await transmit(device, [gws[0]], broken);
    await transmit(device, [gws[0]], sent[0]);
    // A join-request under a key the join server does not hold for the device: MICFailed.
    const otaaEui = '0f0f0f0f00000002';
    await createOtaaDevice(lns.api, {
      devEui: otaaEui,
      joinEui: JOIN_EUI,
      name: 'otaa',
      applicationId: appId,
      deviceProfileId: profileId,
      joinServer: 'local',
      appKey: APP_KEY,
    });
    const impostor = virtualOtaaDevice({
      devEui: otaaEui,
      joinEui: JOIN_EUI,
      macVersion: '1.0.3',
      appKey: NWK_KEY,
      seed: 'impostor',
    });
    await transmit(impostor, [gws[1]], impostor.joinRequest());
    // A datagram too short to be Semtech UDP.
    gws[2].sendRaw(Buffer.from([2, 0]));
    // One downlink waiting in the queue.
    await lns.api
      .post(`/api/devices/${devEui}/queue`)
      .send({ fPort: 3, data: Buffer.from('hi').toString('base64') })
      .expect(201);

    let m = new Map<string, number>();
    await eventually(async () => {
      m = (await scrape()).m;
      return (
        m.get('lns_uplinks_total{result="replay"}') === 1 &&
        m.get('lns_joins_total{request="join",result="MICFailed"}') === 1
      );
    }, 5000);
    // 3 × 3 copies, then one each: broken MIC, replay, join-request.
    expect(m.get('lns_uplink_copies_total')).toBe(12);
    expect(m.get('lns_uplinks_deduplicated_total')).toBe(6);
    expect(m.get('lns_uplinks_total{result="ok"}')).toBe(3);
    // Verified and committed on the first copy the UDP worker handed over as its window opened
    // (all three unless this thread was busier than the 50 ms window at that moment).
    expect(m.get('lns_uplinks_checked_early_total')).toBeGreaterThanOrEqual(1);
    expect(m.get('lns_uplinks_checked_early_total')).toBeLessThanOrEqual(3);
    expect(m.get('lns_uplinks_total{result="mic_failed"}')).toBe(1);
    expect(m.get('lns_uplinks_total{result="replay"}')).toBe(1);
    expect(m.get('lns_uplinks_total{result="join_request"}')).toBe(1);
    // Groups: three of 3 copies, three of 1 (broken MIC, replay, join-request).
    expect(m.get('lns_uplink_dedup_group_size_bucket{le="1"}')).toBe(3);
    expect(m.get('lns_uplink_dedup_group_size_bucket{le="2"}')).toBe(3);
    expect(m.get('lns_uplink_dedup_group_size_bucket{le="3"}')).toBe(6);
    expect(m.get('lns_uplink_dedup_group_size_bucket{le="+Inf"}')).toBe(6);
    expect(m.get('lns_uplink_dedup_group_size_sum')).toBe(12);
    expect(m.get('lns_uplink_dedup_group_size_count')).toBe(6);
    expect(m.get('lns_joins_total{request="join",result="Success"}')).toBe(0);
    expect(m.get('lns_gateway_rx_total{gateway_id="aa555a00000f0001"}')).toBe(5);
    expect(m.get('lns_gateway_rx_total{gateway_id="aa555a00000f0002"}')).toBe(4);
    expect(m.get('lns_gateway_rx_forwarded_total{gateway_id="aa555a00000f0003"}')).toBe(3);
    expect(m.get('lns_gateway_connected{gateway_id="aa555a00000f0001"}')).toBe(1);
    expect(m.get('lns_gateways_connected')).toBe(3);
    expect(m.get('lns_udp_malformed_datagrams_total')).toBe(1);
    expect(m.get('lns_udp_datagrams_total')).toBeGreaterThan(12);
    expect(m.get('lns_device_sessions')).toBe(1);
    expect(m.get('lns_downlink_queue_depth')).toBe(1);
    expect(m.get('lns_mqtt_events_total{result="published"}')).toBeGreaterThanOrEqual(3);
    expect(m.get('lns_mqtt_broker_up')).toBe(1);
    expect(m.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('answers readiness with the database, the MQTT broker and the UDP socket up', async () => {
    const ready = await http().get('/api/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ok',
      info: {
        database: { status: 'up' },
        mqtt: { status: 'up', mode: 'embedded' },
        udp: { status: 'up', port: lns.udpPort },
      },
      error: {},
      details: expect.any(Object),
    });
    const live = await http().get('/api/health').expect(200);
    expect(live.body).toMatchObject({ status: 'ok', database: 'up', uptimeSeconds: expect.any(Number) });
  });

  // Last: it stops parts of the server.
  it('answers 503 naming the part that is down: the broker, then the UDP socket', async () => {
    const broker = lns.app.get(MqttPublisher) as EmbeddedMqttBroker;
    await broker.onApplicationShutdown();
    const noMqtt = await http().get('/api/health/ready').expect(503);
    expect(noMqtt.body).toMatchObject({
      status: 'error',
      error: { mqtt: { status: 'down', mode: 'embedded', message: 'the embedded broker is not listening' } },
      info: { database: { status: 'up' }, udp: { status: 'up' } },
    });
    expect((await scrape()).m.get('lns_mqtt_broker_up')).toBe(0);

    await lns.bridge.onModuleDestroy();
    const neither = await http().get('/api/health/ready').expect(503);
    expect(Object.keys(neither.body.error).sort()).toEqual(['mqtt', 'udp']);
    expect(neither.body.error.udp).toEqual({
      status: 'down',
      message: 'the Semtech UDP socket is not bound',
    });
    // Liveness is about the process and its database only.
    await http().get('/api/health').expect(200);
  });
});

/** An external broker standing in for Mosquitto: no authentication, no ACL. */
class StandInBroker {
  private aedes!: Aedes;
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(port = 0): Promise<void> {
    this.aedes = new Aedes();
    this.server = createServer({ noDelay: true }, (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      this.aedes.handle(s);
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('readiness with an external MQTT broker', () => {
  const broker = new StandInBroker();
  let lns: InProcessLns;
  let brokerRunning = false;
  const ready = () => request(`http://127.0.0.1:${lns.httpPort}`).get('/api/health/ready');
  /** Polls every 200 ms: each failing check also logs an error line. */
  async function readyBecomes(status: number, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await ready()).status !== status) {
      if (Date.now() > end) throw new Error(`readiness did not become ${status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    await broker.start();
    brokerRunning = true;
    lns = await startLnsInProcess({ LNS_MQTT_URL: `mqtt://127.0.0.1:${broker.port}` });
  });

  afterAll(async () => {
    await lns?.close();
    if (brokerRunning) await broker.stop();
  });

  it('is ready while connected, 503 naming mqtt while the broker is gone, ready again after reconnecting', async () => {
    await readyBecomes(200, 5000);
    expect((await ready()).body.info.mqtt).toEqual({ status: 'up', mode: 'external' });

    await broker.stop();
    brokerRunning = false;
    await readyBecomes(503, 5000);
    const down = await ready();
    expect(down.body.error).toEqual({
      mqtt: { status: 'down', mode: 'external', message: 'not connected to the external broker' },
    });

    await broker.start(broker.port);
    brokerRunning = true;
    await readyBecomes(200, 10_000);
  });
});

describe('logs of the server process', () => {
  const ADMIN_TOKEN = 'observability-e2e-admin-token-7f3a9c';

  /** Every stdout/stderr line, parsed; fails on a line that is not one JSON object. */
  function jsonLines(lns: LnsProcess): Array<Record<string, unknown>> {
    return lns
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${l}`);
        }
      });
  }

  it('writes one JSON object a line, at info by default: no debug lines, no request lines', async () => {
    const lns = await startLnsProcess({}, ['http', 'udp', 'mqtt']);
    try {
      await request(`http://127.0.0.1:${lns.ports.http}`).get('/api/health').expect(200);
    } finally {
      expect(await lns.stop()).toBe(0);
    }
    const lines = jsonLines(lns);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        msg: expect.any(String),
      });
    }
    expect(lines.filter((l) => l.level === 'debug' || l.level === 'trace')).toEqual([]);
    expect(lines.some((l) => l.context === 'HTTP')).toBe(false);
    const listening = lines.filter((l) => /^listening (http|udp|mqtt)=\d+$/.test(String(l.msg)));
    expect(listening.map((l) => l.context).sort()).toEqual(['GatewayBridge', 'MqttBroker', 'lns']);
    expect(lines.some((l) => /^admin token \(generated/.test(String(l.msg)))).toBe(true);
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('at the most verbose level logs every request, and never a key, the master key or the admin token', async () => {
    const lns = await startLnsProcess(
      {
        LNS_LOG_LEVEL: 'trace',
        LNS_ADMIN_TOKEN: ADMIN_TOKEN,
        LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
        LNS_DEDUP_WINDOW_MS: '50',
      },
      ['http', 'udp', 'mqtt'],
    );
    const gw = new VirtualGateway({ gatewayId: 'aa555a00000f00aa', port: lns.ports.udp!, keepaliveMs: 1000 });
    let sessionKeys: string[] = [];
    try {
      const api = restApi(`http://127.0.0.1:${lns.ports.http}`, ADMIN_TOKEN);
      const appId = await createApplication(api, { name: 'keys' });
      const { '1.0.3': p103, '1.1.0': p11 } = await createEu868Profiles(api, ['1.0.3', '1.1.0']);
      await gw.start();

      // ABP devices with their session keys, and uplinks from them.
      await createAbpDevice(api, {
        devEui: '0f0f0f0f000000a1',
        applicationId: appId,
        deviceProfileId: p103,
        abp: abpSession(0x26012001),
      });
      await createAbpDevice(api, {
        devEui: '0f0f0f0f000000a2',
        applicationId: appId,
        deviceProfileId: p11,
        abp: abpSession(0x26012002, true),
      });
      for (const [eui, addr, v] of [
        ['0f0f0f0f000000a1', 0x26012001, '1.0.3'],
        ['0f0f0f0f000000a2', 0x26012002, '1.1.0'],
      ] as const) {
        const d = abpDevice(eui, addr, v);
        await transmit(d, [gw], d.uplink({ fPort: 1, payload: Buffer.from('x') }));
        await eventually(async () => (await api.get(`/api/devices/${eui}/state`)).body.fCntUp === 1, 5000);
      }

      // An OTAA 1.1 device with its root keys; it joins (the join server derives session keys) and sends.
      const otaaEui = '0f0f0f0f000000a3';
      await createOtaaDevice(api, {
        devEui: otaaEui,
        joinEui: JOIN_EUI,
        name: 'otaa',
        applicationId: appId,
        deviceProfileId: p11,
        joinServer: 'local',
        appKey: APP_KEY,
        nwkKey: NWK_KEY,
      });
      const otaa = virtualOtaaDevice({
        devEui: otaaEui,
        joinEui: JOIN_EUI,
        macVersion: '1.1.0',
        appKey: APP_KEY,
        nwkKey: NWK_KEY,
      });
      const tmst = (gw.concentratorTime() + 10_000) >>> 0;
      await transmit(otaa, [gw], otaa.joinRequest(), tmst);
      // The join-accept is the PULL_RESP for JOIN_ACCEPT_DELAY1 (5 s) after the request.
      for (;;) {
        const dl = await gw.nextDownlink(8000);
        if (dl.tmst === (tmst + 5_000_000) >>> 0) {
          expect(otaa.handleJoinAccept(dl.phyPayload)).toBe(true);
          break;
        }
      }
      const keys = otaa.sessionKeys()!;
      sessionKeys = [keys.fNwkSIntKey, keys.sNwkSIntKey, keys.nwkSEncKey, keys.appSKey].map((k) =>
        k.toString('hex'),
      );
      await transmit(otaa, [gw], otaa.uplink({ fPort: 1, payload: Buffer.from('y') }));
      await eventually(async () => (await api.get(`/api/devices/${otaaEui}/state`)).body.fCntUp === 1, 5000);

      // A refused request carrying a key: the refusal is logged, the key is not.
      await api
        .post('/api/devices')
        .send({ devEui: 'nope', activation: 'OTAA', appKey: APP_KEY })
        .expect(400);
      await api.get(`/api/devices/${otaaEui}`).expect(200);
    } finally {
      await gw.stop();
      expect(await lns.stop()).toBe(0);
    }

    const lines = jsonLines(lns);
    const requests = lines.filter((l) => l.context === 'HTTP');
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(requests.every((l) => l.level === 'debug' || l.level === 'error')).toBe(true);
    expect(
      requests.some(
        (l) => (l.req as { headers: Record<string, string> }).headers.authorization === '[redacted]',
      ),
    ).toBe(true);
    expect(lines.some((l) => l.level === 'debug' && l.context !== 'HTTP')).toBe(true);
    expect(lines.some((l) => l.context === 'RouterExplorer')).toBe(true);

    const output = lns.output();
    const masterKey = readFileSync(join(lns.dataDir, 'master-key'), 'utf8').trim();
    const secrets = [
      APP_KEY,
      NWK_KEY,
      NWK_S_KEY,
      APP_S_KEY,
      F_NWK_S_INT_KEY,
      S_NWK_S_INT_KEY,
      NWK_S_ENC_KEY,
      ...sessionKeys,
      masterKey,
      ADMIN_TOKEN,
    ];
    expect(sessionKeys).toHaveLength(4);
    for (const secret of secrets) {
      expect(output.toLowerCase()).not.toContain(secret.toLowerCase());
      // Nor as base64 (how a payload-shaped field would carry it).
      if (/^[0-9a-f]+$/i.test(secret))
        expect(output).not.toContain(Buffer.from(secret, 'hex').toString('base64'));
    }
  });
});
