import request from 'supertest';
import { classATimestamp, DownlinkTxAck, GatewayStatsReceived, UplinkReceived } from '@lns/gateway-bridge';
import { VirtualGateway } from '@lns/simulator';
import { createGateway } from './support/fixtures';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually, gatewayDatagram, UdpProbe } from './support/udp-probe';

// Starting a server takes a second or two on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(30_000);

const PUSH_DATA = 0x00;
const PUSH_ACK = 0x01;
const PULL_DATA = 0x02;
const PULL_ACK = 0x04;

/** An unconfirmed data uplink (FPort 1, 3 bytes): any PHYPayload does, the bridge does not decode it. */
const PHY = Buffer.from('40e2050026800100016e0ad5aab4c2d1', 'hex');

function rxpk(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-11-21T10:00:00.000000Z',
    tmst: 1_000_000,
    chan: 0,
    rfch: 0,
    freq: 868.1,
    stat: 1,
    modu: 'LORA',
    datr: 'SF7BW125',
    codr: '4/5',
    rssi: -60,
    lsnr: 8.5,
    size: PHY.length,
    data: PHY.toString('base64'),
    ...over,
  };
}

describe('gateway bridge: the server process over real UDP', () => {
  const GW1 = 'aa555a0000000001';
  const GW2 = 'aa555a0000000002';
  const STRANGER = 'dead00beef00cafe';
  let lns: LnsProcess;
  let http: () => request.Agent;
  let auth: string;
  const gateways: VirtualGateway[] = [];
  let probe: UdpProbe;

  function vgw(gatewayId: string, protocolVersion: 1 | 2 = 2, ackTimeoutMs = 1000): VirtualGateway {
    const g = new VirtualGateway({
      gatewayId,
      port: lns.ports.udp!,
      protocolVersion,
      ackTimeoutMs,
      location: { latitude: 46.24, longitude: 3.2523, altitude: 145 },
    });
    gateways.push(g);
    return g;
  }
  const getGateway = async (id: string) =>
    (await http().get(`/api/gateways/${id}`).set('Authorization', auth).expect(200)).body;
  const getStats = async () =>
    (await http().get('/api/gateways/stats').set('Authorization', auth).expect(200)).body;

  beforeAll(async () => {
    // The server process runs the bridge with its socket on the worker thread (udp.worker, opt-in);
    // the in-process tests below run it on the main thread (the default).
    lns = await startLnsProcess({ LNS_UDP_WORKER: 'true' }, ['http', 'udp']);
    auth = `Bearer ${lns.adminToken()}`;
    http = () => request.agent(`http://127.0.0.1:${lns.ports.http}`);
    probe = await UdpProbe.open();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await probe?.close();
    await lns?.stop();
  });

  it('logs the UDP port it bound', () => {
    expect(lns.ports.udp).toBeGreaterThan(0);
    expect(lns.output()).toMatch(/listening udp=\d+/);
  });

  describe('REST /api/gateways', () => {
    it('refuses bad bodies with 400, naming each field', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ gatewayId: 'xyz', name: 'a' }, 'gatewayId'],
        [{ gatewayId: 'aa555a000000000', name: 'a' }, 'gatewayId'],
        [{ gatewayId: 12, name: 'a' }, 'gatewayId'],
        [{ gatewayId: GW1 }, 'name'],
        [{ gatewayId: GW1, name: '' }, 'name'],
        [{ gatewayId: GW1, name: 'a', region: 'EU999' }, 'region'],
        [{ gatewayId: GW1, name: 'a', secret: 1 }, 'secret'],
      ];
      for (const [body, field] of cases) {
        const res = await http().post('/api/gateways').set('Authorization', auth).send(body).expect(400);
        expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      }
    });

    it('needs the admin token', async () => {
      await http().post('/api/gateways').send({ gatewayId: GW1, name: 'a' }).expect(401);
      await http().get('/api/gateways').expect(401);
      await http().get('/api/gateways/stats').expect(401);
    });

    it('registers (201), refuses a second registration (409), lists and gets', async () => {
      const created = await http()
        .post('/api/gateways')
        .set('Authorization', auth)
        .send({ gatewayId: GW1.toUpperCase(), name: 'rooftop', region: 'EU868' })
        .expect(201);
      expect(created.body).toMatchObject({
        gatewayId: GW1,
        name: 'rooftop',
        region: 'EU868',
        registered: true,
        lastSeenAt: null,
        connected: false,
        location: null,
        protocolVersion: null,
        counters: { pushData: 0, rxReceived: 0, txErrors: {} },
      });
      const dup = await http()
        .post('/api/gateways')
        .set('Authorization', auth)
        .send({ gatewayId: GW1, name: 'again' })
        .expect(409);
      expect(dup.body.fields).toEqual([{ field: 'gatewayId', reason: 'already registered' }]);
      await http()
        .post('/api/gateways')
        .set('Authorization', auth)
        .send({ gatewayId: GW2, name: 'v1 gateway' })
        .expect(201);

      const list = await http().get('/api/gateways').set('Authorization', auth).expect(200);
      expect(list.body.map((g: { gatewayId: string }) => g.gatewayId)).toEqual([GW1, GW2]);
      expect(await getGateway(GW1.toUpperCase())).toMatchObject({ gatewayId: GW1, name: 'rooftop' });
    });

    it('answers 400 for a malformed EUI and 404 for an unregistered one', async () => {
      const bad = await http().get('/api/gateways/nothex').set('Authorization', auth).expect(400);
      expect(bad.body.fields[0].field).toBe('gatewayId');
      const missing = await http().get(`/api/gateways/${STRANGER}`).set('Authorization', auth).expect(404);
      expect(missing.body.fields).toEqual([{ field: 'gatewayId', reason: 'not registered' }]);
      await http().delete(`/api/gateways/${STRANGER}`).set('Authorization', auth).expect(404);
    });

    it('deletes a gateway, whose datagrams are then ignored', async () => {
      const id = 'aa555a00000000ff';
      await http()
        .post('/api/gateways')
        .set('Authorization', auth)
        .send({ gatewayId: id, name: 'gone' })
        .expect(201);
      const ack = await probe.request(gatewayDatagram(2, 0x0101, PULL_DATA, id), lns.ports.udp!);
      expect([...ack]).toEqual([2, 0x01, 0x01, PULL_ACK]);
      await http().delete(`/api/gateways/${id}`).set('Authorization', auth).expect(204);
      await http().get(`/api/gateways/${id}`).set('Authorization', auth).expect(404);
      expect(await probe.exchange(gatewayDatagram(2, 0x0102, PULL_DATA, id), lns.ports.udp!)).toEqual([]);
    });

    it('is in the OpenAPI document', async () => {
      const doc = await http().get('/api/docs/json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/gateways', '/api/gateways/stats', '/api/gateways/{gatewayId}']),
      );
    });
  });

  describe('acknowledgements (PROTOCOL.TXT §3.3, §5.3)', () => {
    it.each([1, 2])(
      'echoes version %i and the token in PUSH_ACK and PULL_ACK, 4 bytes each',
      async (version) => {
        const push = await probe.request(
          gatewayDatagram(version, 0xbeef, PUSH_DATA, GW1, '{"stat":{}}'),
          lns.ports.udp!,
        );
        expect([...push]).toEqual([version, 0xbe, 0xef, PUSH_ACK]);
        const pull = await probe.request(gatewayDatagram(version, 0x1234, PULL_DATA, GW1), lns.ports.udp!);
        expect([...pull]).toEqual([version, 0x12, 0x34, PULL_ACK]);
      },
    );

    it('acks a version 2 and a version 1 virtual gateway', async () => {
      const v2 = vgw(GW1, 2);
      const v1 = vgw(GW2, 1);
      await v2.start();
      await v1.start();
      await v2.sendUplink(PHY);
      await v1.sendUplink(PHY, { spreadingFactor: 12 });
      expect(v2.counters).toMatchObject({ pullAcked: 1, pushAcked: 1, outOfSyncAcks: 0 });
      expect(v1.counters).toMatchObject({ pullAcked: 1, pushAcked: 1, outOfSyncAcks: 0 });
      expect(await getGateway(GW1)).toMatchObject({ protocolVersion: 2, connected: true });
      expect(await getGateway(GW2)).toMatchObject({ protocolVersion: 1, connected: true });
    });
  });

  describe('state', () => {
    it('counts uplinks and takes location and last seen from stat', async () => {
      const gw = vgw(GW1);
      await gw.start();
      const before = await getGateway(GW1);
      await gw.sendUplinks([{ phyPayload: PHY }, { phyPayload: PHY, radio: { frequency: 868_300_000 } }]);
      await gw.sendStat();
      // The UDP worker sends PUSH_ACK before the main thread has handled the datagram: the
      // counters follow a moment after the acks.
      let after = await getGateway(GW1);
      await eventually(async () => {
        after = await getGateway(GW1);
        return after.counters.pushData - before.counters.pushData >= 2;
      });
      expect(after.counters.rxReceived - before.counters.rxReceived).toBe(2);
      expect(after.counters.rxOk - before.counters.rxOk).toBe(2);
      expect(after.counters.pushData - before.counters.pushData).toBe(2);
      expect(after.location).toEqual({ latitude: 46.24, longitude: 3.2523, altitude: 145 });
      expect(Date.now() - Date.parse(after.lastSeenAt)).toBeLessThan(5_000);
      expect(after.lastStat).toMatchObject({ rxPacketsReceived: 2 });
      expect(after.pullAddress).toBe(`127.0.0.1:${gw.ports.down}`);
    });
  });

  describe('unknown gateways', () => {
    it('ignores them, counts every datagram and logs each EUI once', async () => {
      const before = await getStats();
      const g = vgw(STRANGER, 2, 200);
      await expect(g.start()).rejects.toThrow(/no PULL_ACK/);
      for (let i = 0; i < 4; i++) await expect(g.sendUplink(PHY)).rejects.toThrow(/no PUSH_ACK/);
      expect(await probe.exchange(gatewayDatagram(2, 1, PULL_DATA, STRANGER), lns.ports.udp!)).toEqual([]);
      const after = await getStats();
      expect(after.unknownGatewayDatagrams - before.unknownGatewayDatagrams).toBe(6);
      expect(after.unknownGateways).toEqual(
        expect.arrayContaining([expect.objectContaining({ gatewayId: STRANGER, datagrams: 6 })]),
      );
      await http().get(`/api/gateways/${STRANGER}`).set('Authorization', auth).expect(404);
      await eventually(() => lns.output().includes(STRANGER));
      await new Promise((r) => setTimeout(r, 100));
      expect(lns.output().split(`unknown gateway ${STRANGER}`).length - 1).toBe(1);
    });
  });

  describe('malformed datagrams are counted and dropped; the gateway keeps being served', () => {
    let gw: VirtualGateway;
    beforeAll(async () => {
      gw = vgw(GW1, 2, 300);
      await gw.start();
    });

    const global: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['short (3 bytes)', Buffer.from([2, 0, 0])],
      ['PUSH_DATA cut inside the EUI', Buffer.from([2, 0, 1, PUSH_DATA, 0xaa, 0x55])],
      ['bad version', gatewayDatagram(3, 1, PUSH_DATA, GW1, '{"stat":{}}')],
      ['unknown type', gatewayDatagram(2, 1, 0x09, GW1)],
      ['a server-sent type (PULL_ACK)', Buffer.from([2, 0, 1, PULL_ACK])],
    ];
    it.each(global)('%s: no answer, counted bridge-wide', async (_name, datagram) => {
      const before = await getStats();
      expect(await probe.exchange(datagram, lns.ports.udp!, 50)).toEqual([]);
      await eventually(async () => (await getStats()).malformed === before.malformed + 1);
      await gw.sendStat();
    });

    it('bad JSON: no PUSH_ACK, counted on the gateway', async () => {
      const before = await getGateway(GW1);
      for (const bad of ['{"rxpk":[', 'not json', '[]', '']) {
        await expect(gw.sendPushData(bad)).rejects.toThrow(/no PUSH_ACK/);
      }
      // Counted by the main thread after the worker passed them on: wait for it (a loaded machine).
      let malformed = 0;
      await eventually(async () => {
        malformed = (await getGateway(GW1)).counters.malformed - before.counters.malformed;
        return malformed >= 4;
      }).catch(() => undefined);
      expect(malformed).toBe(4);
      await gw.sendStat();
    });

    const content: Array<[string, unknown, { malformed: number; rxOk: number; rxBadCrc: number }]> = [
      [
        'wrong types',
        { rxpk: [rxpk({ tmst: 'now' }), rxpk({ freq: '868.1' }), rxpk({ rssi: null })] },
        { malformed: 3, rxOk: 0, rxBadCrc: 0 },
      ],
      [
        'oversize base64',
        { rxpk: [rxpk({ size: 300, data: Buffer.alloc(300).toString('base64') })] },
        { malformed: 1, rxOk: 0, rxBadCrc: 0 },
      ],
      [
        'base64 over 400 characters',
        { rxpk: [rxpk({ size: 255, data: 'A'.repeat(404) })] },
        { malformed: 1, rxOk: 0, rxBadCrc: 0 },
      ],
      ['size not matching data', { rxpk: [rxpk({ size: 3 })] }, { malformed: 1, rxOk: 0, rxBadCrc: 0 }],
      ['a huge rxpk array', { rxpk: new Array(300).fill(rxpk()) }, { malformed: 1, rxOk: 0, rxBadCrc: 0 }],
      ['bad CRC', { rxpk: [rxpk({ stat: -1 }), rxpk()] }, { malformed: 0, rxOk: 1, rxBadCrc: 1 }],
      [
        'a stat of wrong types beside a good rxpk',
        { rxpk: [rxpk()], stat: { lati: 'north', long: 3 } },
        { malformed: 1, rxOk: 1, rxBadCrc: 0 },
      ],
    ];
    it.each(content)('%s: acked, the bad part dropped and counted', async (_name, body, delta) => {
      const before = (await getGateway(GW1)).counters;
      await gw.sendPushData(body);
      // The UDP worker acknowledges before the main thread has counted: wait for the counts.
      let seen: typeof delta | undefined;
      for (const deadline = Date.now() + 3000; Date.now() < deadline;) {
        const after = (await getGateway(GW1)).counters;
        seen = {
          malformed: after.malformed - before.malformed,
          rxOk: after.rxOk - before.rxOk,
          rxBadCrc: after.rxBadCrc - before.rxBadCrc,
        };
        if (JSON.stringify(seen) === JSON.stringify(delta)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toEqual(delta);
      // The same race for the stat: the next test must find it counted.
      const pushData = (await getGateway(GW1)).counters.pushData;
      await gw.sendStat();
      await eventually(async () => (await getGateway(GW1)).counters.pushData === pushData + 1);
    });
  });

  describe('persistence', () => {
    it('keeps location, last seen and counters across a restart', async () => {
      const before = await getGateway(GW1);
      expect(before.location).not.toBeNull();
      await Promise.all(gateways.splice(0).map((g) => g.stop()));
      expect(await lns.stop()).toBe(0);
      lns = await startLnsProcess({ LNS_DATA_DIR: lns.dataDir, LNS_UDP_WORKER: 'true' }, ['http', 'udp']);
      const after = await getGateway(GW1);
      expect(after).toMatchObject({
        gatewayId: GW1,
        name: 'rooftop',
        region: 'EU868',
        location: before.location,
        lastSeenAt: before.lastSeenAt,
        protocolVersion: 2,
        counters: before.counters,
        connected: false,
      });
      const gw = vgw(GW1);
      await gw.start();
      expect((await getGateway(GW1)).connected).toBe(true);
    });
  });
});

describe('gateway bridge: gateways.allowUnknown on', () => {
  let lns: LnsProcess;
  const STRANGER = 'dead00beef00cafe';

  beforeAll(async () => {
    lns = await startLnsProcess({ LNS_GATEWAYS_ALLOW_UNKNOWN: 'true' }, ['http', 'udp']);
  });
  afterAll(async () => {
    await lns?.stop();
  });

  it('acks an unregistered gateway, shows it unregistered, and registering keeps its counters', async () => {
    const g = new VirtualGateway({ gatewayId: STRANGER, port: lns.ports.udp! });
    try {
      await g.start();
      await g.sendUplink(PHY);
      const http = request(`http://127.0.0.1:${lns.ports.http}`);
      const auth = `Bearer ${lns.adminToken()}`;
      const seen = await http.get(`/api/gateways/${STRANGER}`).set('Authorization', auth).expect(200);
      expect(seen.body).toMatchObject({ registered: false, counters: { rxOk: 1, pullData: 1 } });
      const stats = await http.get('/api/gateways/stats').set('Authorization', auth).expect(200);
      expect(stats.body).toMatchObject({ allowUnknown: true, unknownGatewayDatagrams: 0 });
      const reg = await http
        .post('/api/gateways')
        .set('Authorization', auth)
        .send({ gatewayId: STRANGER, name: 'adopted' })
        .expect(201);
      expect(reg.body).toMatchObject({ registered: true, name: 'adopted', counters: { rxOk: 1 } });
    } finally {
      await g.stop();
    }
  });
});

describe('gateway bridge: events and downlinks (in process)', () => {
  const GW = 'b827ebfffe000001';
  const GW_V1 = 'b827ebfffe000002';
  const IDLE = 'b827ebfffe000003';
  let lns: InProcessLns;
  const uplinks: UplinkReceived[] = [];
  const stats: GatewayStatsReceived[] = [];
  const txacks: DownlinkTxAck[] = [];
  const gateways: VirtualGateway[] = [];

  function vgw(
    gatewayId: string,
    over: Partial<ConstructorParameters<typeof VirtualGateway>[0]> = {},
  ): VirtualGateway {
    const g = new VirtualGateway({ gatewayId, port: lns.udpPort, ...over });
    gateways.push(g);
    return g;
  }

  beforeAll(async () => {
    lns = await startLnsInProcess();
    for (const [gatewayId, name] of [
      [GW, 'v2'],
      [GW_V1, 'v1'],
      [IDLE, 'idle'],
    ]) {
      await createGateway(lns.api, { gatewayId, name });
    }
    // Copy by copy without the UDP worker; with it (the default) the worker deduplicates, and its
    // copies come after the window, as one uplink.
    lns.bus.on('uplink.received', (e) => void uplinks.push(e));
    lns.bus.on('uplink.deduplicated', (u) => void uplinks.push(...u.copies));
    lns.bus.on('gateway.stats', (e) => void stats.push(e));
    lns.bus.on('downlink.txack', (e) => void txacks.push(e));
  });
  /** A PHYPayload no earlier test sent (its FCnt differs): the dedup drops a repeat within its cooldown. */
  let phy: Buffer;
  let fCnt = 0;
  beforeEach(() => {
    uplinks.length = 0;
    stats.length = 0;
    txacks.length = 0;
    phy = Buffer.from(PHY);
    phy.writeUInt16LE(++fCnt, 6);
  });
  // One virtual gateway per EUI at a time: an old one's keep-alive would move the pull address back.
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
  });
  afterAll(async () => {
    await lns?.close();
  });

  it.each([2, 1] as const)(
    'emits uplink.received with PHYPayload and radio metadata (version %i)',
    async (version) => {
      const g = vgw(version === 2 ? GW : GW_V1, { protocolVersion: version, seed: version });
      await g.start();
      const t0 = Date.now();
      const sent = await g.sendUplink(phy, {
        frequency: 867_500_000,
        spreadingFactor: 10,
        rssi: -97,
        snr: -3.5,
        channel: 5,
      });
      await eventually(() => uplinks.length === 1);
      const sentRxpk = (sent.body as { rxpk: Array<Record<string, unknown>> }).rxpk[0];
      expect(uplinks[0]).toEqual({
        phyPayload: phy,
        rx: {
          gatewayId: g.gatewayId,
          tmst: sentRxpk.tmst,
          time: sentRxpk.time,
          frequency: 867_500_000,
          channel: 5,
          rfChain: 0,
          crcStatus: 'CRC_OK',
          rssi: -97,
          snr: -3.5,
          size: phy.length,
        },
        tx: { modulation: 'LORA', spreadingFactor: 10, bandwidth: 125_000, codeRate: '4/5' },
        receivedAt: expect.any(Number),
      });
      expect(uplinks[0].receivedAt).toBeGreaterThanOrEqual(t0);
    },
  );

  it('emits one event per rxpk, takes rsig when rssi/lsnr are missing, and drops CRC failures', async () => {
    const g = vgw(GW, { seed: 3 });
    await g.start();
    await g.sendUplinks([
      { phyPayload: phy },
      { phyPayload: Buffer.from([0xde, 0xad]), radio: { crcStatus: -1 } },
      {
        phyPayload: Buffer.from([0x80, 1]),
        radio: {
          crcStatus: 0,
          rssi: undefined,
          extra: {
            rssi: undefined,
            lsnr: undefined,
            rsig: [
              { ant: 0, chan: 0, rssic: -101, lsnr: -1 },
              { ant: 1, chan: 0, rssic: -95, lsnr: 2.5 },
            ],
          },
        },
      },
    ]);
    await eventually(() => uplinks.length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(uplinks.map((u) => u.rx.crcStatus)).toEqual(['CRC_OK', 'NO_CRC']);
    expect(uplinks[1].rx).toMatchObject({ rssi: -95, snr: 2.5 });
  });

  it('emits gateway.stats', async () => {
    const g = vgw(GW, { location: { latitude: -33.86, longitude: 151.21, altitude: 58 } });
    await g.start();
    await g.sendStat();
    await eventually(() => stats.length === 1);
    expect(stats[0]).toMatchObject({
      gatewayId: GW,
      stat: { location: { latitude: -33.86, longitude: 151.21, altitude: 58 } },
    });
  });

  it('sends a Class A downlink to the pull address and reports its TX_ACK by downlinkId', async () => {
    const g = vgw(GW, { seed: 11 });
    await g.start();
    await g.sendUplink(phy);
    await eventually(() => uplinks.length === 1);
    const tmst = classATimestamp(uplinks[0].rx.tmst, 1_000_000);
    const sent = await lns.bridge.sendDownlink({
      gatewayId: GW,
      downlinkId: 'queue-item-1',
      txpk: {
        tmst,
        frequency: 868_100_000,
        power: 14,
        modulation: 'LORA',
        spreadingFactor: 7,
        bandwidth: 125_000,
        codeRate: '4/5',
        phyPayload: Buffer.from('60e205002680000001', 'hex'),
      },
    });
    expect(sent.txAckExpected).toBe(true);
    const d = await g.nextDownlink();
    expect(d).toMatchObject({
      socket: 'down',
      protocolVersion: 2,
      token: sent.token,
      tmst,
      imme: false,
      frequency: 868_100_000,
      rfChain: 0,
      power: 14,
      modulation: 'LORA',
      spreadingFactor: 7,
      bandwidth: 125_000,
      codeRate: '4/5',
      invertPolarity: true,
      size: 9,
      phyPayload: Buffer.from('60e205002680000001', 'hex'),
    });
    expect(d.datagram.toString()).toContain('"freq":868.100000');
    await eventually(() => txacks.length === 1);
    expect(txacks[0]).toMatchObject({
      gatewayId: GW,
      downlinkId: 'queue-item-1',
      token: sent.token,
      error: 'NONE',
    });
  });

  it('maps a TX_ACK error to downlink.txack and counts it by reason', async () => {
    const g = vgw(GW, { seed: 12 });
    await g.start();
    const before = (await lns.api.get(`/api/gateways/${GW}`).expect(200)).body.counters;
    g.failNextTx('TOO_LATE');
    await lns.bridge.sendDownlink({
      gatewayId: GW,
      downlinkId: 'queue-item-2',
      txpk: {
        imme: true,
        frequency: 869_525_000,
        power: 27,
        modulation: 'LORA',
        spreadingFactor: 12,
        bandwidth: 125_000,
        phyPayload: PHY,
      },
    });
    await eventually(() => txacks.length === 1);
    expect(txacks[0]).toMatchObject({ downlinkId: 'queue-item-2', error: 'TOO_LATE' });
    const after = (await lns.api.get(`/api/gateways/${GW}`).expect(200)).body.counters;
    expect(after.txSent - before.txSent).toBe(1);
    expect((after.txErrors.TOO_LATE ?? 0) - (before.txErrors.TOO_LATE ?? 0)).toBe(1);
    expect(after.txOk).toBe(before.txOk);
  });

  it('follows the gateway to the port of its latest PULL_DATA (NAT rebinding)', async () => {
    const g = vgw(GW, { seed: 13 });
    await g.start();
    const oldPort = g.ports.down;
    await g.rebindDownstream();
    expect(g.ports.down).not.toBe(oldPort);
    await lns.bridge.sendDownlink({
      gatewayId: GW,
      downlinkId: 'after-nat',
      txpk: {
        imme: true,
        frequency: 869_525_000,
        power: 14,
        modulation: 'LORA',
        spreadingFactor: 9,
        bandwidth: 125_000,
        phyPayload: PHY,
      },
    });
    const d = await g.nextDownlink();
    expect(d.socket).toBe('down');
    expect((await lns.api.get(`/api/gateways/${GW}`).expect(200)).body.pullAddress).toBe(
      `127.0.0.1:${g.ports.down}`,
    );
    await eventually(() => txacks.some((t) => t.downlinkId === 'after-nat'));
  });

  it('answers RX1 across the 2^32 wrap of the concentrator counter', async () => {
    const g = vgw(GW, { seed: 14, tmstStart: 2 ** 32 - 200_000 });
    await g.start();
    await g.sendUplink(phy);
    await eventually(() => uplinks.length === 1);
    const tmst = classATimestamp(uplinks[0].rx.tmst, 1_000_000);
    expect(tmst).toBeLessThan(1_000_000);
    await lns.bridge.sendDownlink({
      gatewayId: GW,
      downlinkId: 'wrap',
      txpk: {
        tmst,
        frequency: 868_100_000,
        power: 14,
        modulation: 'LORA',
        spreadingFactor: 7,
        bandwidth: 125_000,
        phyPayload: PHY,
      },
    });
    expect((await g.nextDownlink()).tmst).toBe(tmst);
  });

  it('sends version 1 PULL_RESP with token 0 and expects no TX_ACK', async () => {
    const g = vgw(GW_V1, { protocolVersion: 1 });
    await g.start();
    const sent = await lns.bridge.sendDownlink({
      gatewayId: GW_V1,
      downlinkId: 'v1',
      txpk: {
        imme: true,
        frequency: 869_525_000,
        power: 14,
        modulation: 'LORA',
        spreadingFactor: 9,
        bandwidth: 125_000,
        phyPayload: PHY,
      },
    });
    expect(sent).toEqual({ token: 0, txAckExpected: false });
    expect(await g.nextDownlink()).toMatchObject({ protocolVersion: 1, token: 0 });
  });

  it('refuses with GATEWAY_NOT_CONNECTED a gateway without PULL_DATA, or an unknown one', async () => {
    const txpk = {
      imme: true,
      frequency: 869_525_000,
      power: 14,
      modulation: 'LORA' as const,
      spreadingFactor: 9,
      bandwidth: 125_000,
      phyPayload: PHY,
    };
    for (const gatewayId of [IDLE, 'ffffffffffffffff']) {
      await expect(lns.bridge.sendDownlink({ gatewayId, downlinkId: 'x', txpk })).rejects.toMatchObject({
        code: 'GATEWAY_NOT_CONNECTED',
      });
    }
  });
});
