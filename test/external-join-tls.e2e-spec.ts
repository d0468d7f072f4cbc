import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ApplicationEvent } from '@lns/event-bus';
import { VirtualDevice, VirtualGateway } from '@lns/simulator';
import {
  CA_CERT,
  CLIENT_CERT,
  CLIENT_KEY,
  SERVER_CERT,
  SERVER_KEY,
} from '../libs/network-server/src/join/external/testing/test-pki';
import {
  createApplication,
  createDeviceProfile,
  createJoinServer,
  createOtaaDevice,
  startVirtualGateway,
  virtualOtaaDevice,
} from './support/fixtures';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';
import { JOIN_SERVER_MAIN, LnsProcess, startLnsProcess } from './support/lns-process';
import { hearAt } from './support/radio';
import { eventually } from './support/udp-probe';

jest.setTimeout(90_000);

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const JOIN_EUI = '70b3d57ed00000f1';
const NET_ID = '000013';
const JS_ADMIN = 'join-server-admin-token-tls';

/**
 * The Backend Interfaces over HTTPS with mutual TLS: the standalone join server serves HTTPS and asks for
 * client certificates from its CA; its only peer (NetID 000013) has no token, so its certificate is what
 * authenticates it.
 */
describe('external join server over HTTPS with mutual TLS', () => {
  let js: LnsProcess;
  let lns: InProcessLns;
  let gw: VirtualGateway;
  let app: string;
  let profile: string;
  const events: ApplicationEvent[] = [];
  const base = () => `https://localhost:${js.ports.http}`;

  const logsOf = (devEui: string) =>
    events
      .filter((e) => e.type === 'log' && e.devEui === devEui)
      .map((e) => e.payload as { code: string; description: string; context: Record<string, string> });

  async function device(devEui: string, joinServer: string): Promise<VirtualDevice> {
    await request(base())
      .put(`/api/join-server/devices/${devEui}`)
      .ca(CA_CERT)
      .set('Authorization', `Bearer ${JS_ADMIN}`)
      .send({ joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY })
      .expect(201);
    await createOtaaDevice(lns.api, {
      devEui,
      joinEui: JOIN_EUI,
      applicationId: app,
      deviceProfileId: profile,
      joinServer,
    });
    return virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
  }

  /** The join-request over UDP; resolves with the RX1 join-accept, or the log event saying why not. */
  async function joinThrough(
    d: VirtualDevice,
  ): Promise<{ phyPayload: Buffer } | { log: { code: string; description: string } }> {
    const devEui = d.devEui.toString('hex');
    const jr = d.joinRequest();
    const tmst = (gw.concentratorTime() + 10_000) >>> 0;
    await hearAt(gw, d, jr, tmst);
    const rx1 = (tmst + 5_000_000) >>> 0;
    const end = Date.now() + 7000;
    while (Date.now() < end) {
      if (logsOf(devEui).length > 0) return { log: logsOf(devEui)[0] };
      const dl = await gw.nextDownlink(100).catch(() => undefined);
      if (dl?.tmst === rx1) return { phyPayload: dl.phyPayload };
    }
    throw new Error('neither a join-accept nor a log event');
  }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lns-js-tls-'));
    const file = (name: string, pem: string) => {
      const p = join(dir, name);
      writeFileSync(p, pem, { mode: 0o600 });
      return p;
    };
    js = await startLnsProcess(
      {
        LNS_HTTP_HOST: '127.0.0.1',
        LNS_ADMIN_TOKEN: JS_ADMIN,
        LNS_HTTP_TLS_CERT_FILE: file('server.pem', SERVER_CERT),
        LNS_HTTP_TLS_KEY_FILE: file('server.key', SERVER_KEY),
        LNS_HTTP_TLS_CA_FILE: file('ca.pem', CA_CERT),
        LNS_BACKEND_INTERFACES_PEERS: JSON.stringify([{ senderId: NET_ID }]),
      },
      ['http'],
      JOIN_SERVER_MAIN,
    );
    lns = await startLnsInProcess({
      LNS_DEDUP_WINDOW_MS: '50',
      LNS_DEDUP_COOLDOWN_MS: '0',
      LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      LNS_NET_ID: NET_ID,
    });
    lns.bus.on('application.event', (e) => void events.push(e));
    profile = await createDeviceProfile(lns.api, { name: 'eu', region: 'EU868', macVersion: '1.0.4' });
    app = await createApplication(lns.api, { name: 'tls' });
    gw = await startVirtualGateway({ gatewayId: 'aa555a000000f1f1', port: lns.udpPort, keepaliveMs: 1000 });
  });

  afterAll(async () => {
    await gw?.stop();
    await lns?.close();
    if (js) expect(await js.stop()).toBe(0);
  });

  it('serves HTTPS and says it asks for client certificates', () => {
    expect(js.output()).toMatch(/HTTPS, client certificates requested \(mutual TLS\)/);
    expect(js.output()).toMatch(/listening http=\d+/);
  });

  it('with the CA and a client certificate the join goes through', async () => {
    const id = await createJoinServer(lns.api, {
      name: 'mtls',
      url: `${base()}/api/backend-interfaces`,
      caCert: CA_CERT,
      clientCert: CLIENT_CERT,
      clientKey: CLIENT_KEY,
    });
    expect((await lns.api.get(`/api/join-servers/${id}`).expect(200)).body.tls).toEqual({
      caCert: true,
      clientCert: true,
    });
    const d = await device('00000000000f0101', id);
    const out = await joinThrough(d);
    if (!('phyPayload' in out)) throw new Error(out.log.description);
    expect(d.handleJoinAccept(out.phyPayload)).toBe(true);
    await eventually(() => events.some((e) => e.type === 'join' && e.devEui === '00000000000f0101'), 3000);
  });

  it('without a client certificate the join server refuses the sender (UnknownSender)', async () => {
    const id = await createJoinServer(lns.api, {
      name: 'no client cert',
      url: `${base()}/api/backend-interfaces`,
      caCert: CA_CERT,
    });
    const out = await joinThrough(await device('00000000000f0102', id));
    expect(out).toMatchObject({
      log: { code: 'JOIN_SERVER', description: expect.stringContaining('UnknownSender') },
    });
  });

  it("without the join server's CA the certificate is not trusted: a TLS failure, logged", async () => {
    const id = await createJoinServer(lns.api, {
      name: 'untrusted',
      url: `${base()}/api/backend-interfaces`,
      clientCert: CLIENT_CERT,
      clientKey: CLIENT_KEY,
    });
    const out = await joinThrough(await device('00000000000f0103', id));
    expect(out).toMatchObject({
      log: { code: 'JOIN_SERVER', description: expect.stringMatching(/failed: TLS: /) },
    });
  });
});
