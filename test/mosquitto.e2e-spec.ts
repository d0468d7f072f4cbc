import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import request from 'supertest';
import { ReceivedDownlink, UplinkResult, VirtualDevice, VirtualGateway } from '@lns/simulator';
import { adminApiOf, createApplicationWithAbpDevice, startVirtualGateway } from './support/fixtures';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

jest.setTimeout(90_000);

/** An executable on PATH or in the sbin directories a non-root PATH often lacks; undefined if none. */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const MOSQUITTO = findExecutable('mosquitto');
const MOSQUITTO_PASSWD = findExecutable('mosquitto_passwd');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real Mosquitto of this test's own: a configuration in a temporary directory, a loopback
 * listener on a free port, anonymous clients refused, users from a password file made with
 * mosquitto_passwd. Not the distribution's service: started here and stopped after.
 */
class Mosquitto {
  private log = '';
  private exited: Promise<number | null>;

  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {
    proc.stdout!.on('data', (c: Buffer) => (this.log += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  static async start(users: Record<string, string>): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'lns-mosquitto-'));
    const passwords = join(dir, 'passwd');
    Object.entries(users).forEach(([user, password], i) =>
      execFileSync(MOSQUITTO_PASSWD!, ['-b', ...(i === 0 ? ['-c'] : []), passwords, user, password]),
    );
    let lastLog = '';
    // A port found free can be taken before Mosquitto binds it: try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(
        conf,
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous false',
          `password_file ${passwords}`,
          'persistence false',
          'log_dest stderr',
          'log_type error',
          'log_type warning',
          'log_type notice',
          'log_type information',
          'log_type subscribe',
          // As root Mosquitto would switch to the `mosquitto` user before reading the password
          // file, which that user may not read in our private temporary directory.
          ...(process.getuid?.() === 0 ? ['user root'] : []),
        ].join('\n') + '\n',
      );
      const broker = new Mosquitto(
        spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }),
        port,
        dir,
      );
      const ready = await Promise.race([
        eventually(() => / running/.test(broker.log), 10_000).then(() => true),
        broker.exited.then(() => false),
      ]);
      if (ready) return broker;
      lastLog = broker.log;
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mosquitto did not start:\n${lastLog}`);
  }

  output(): string {
    return this.log;
  }

  /** Resolves once some client has subscribed to `filter` (Mosquitto logs subscriptions). */
  async subscribed(filter: string, timeoutMs = 10_000): Promise<void> {
    await eventually(() => this.log.includes(` ${filter}`), timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const NWK_S_KEY = '7c1b1c1d1e1f20212223242526272829';
const APP_S_KEY = '8c1b1c1d1e1f20212223242526272829';
const DEV_EUI = '0505050505050505';
const DEV_ADDR = 0x26055555;
const LNS_USER = 'lns';
const LNS_PASSWORD = `lns-${randomBytes(8).toString('hex')}`;
const APP_USER = 'dashboard';
const APP_PASSWORD = `app-${randomBytes(8).toString('hex')}`;

const describeWithMosquitto = MOSQUITTO && MOSQUITTO_PASSWD ? describe : describe.skip;
if (!MOSQUITTO || !MOSQUITTO_PASSWD) {
  console.warn(
    'test/mosquitto.e2e-spec.ts SKIPPED: mosquitto is not installed (apt-get install mosquitto); .ci/run installs it',
  );
}

/**
 * The external-broker mode against a real Mosquitto (CONTRACT.md `LNS_MQTT_URL`): the built
 * server publishes application events to it and takes downlink commands from it.
 */
describeWithMosquitto('MQTT, external broker: a real Mosquitto, the server process', () => {
  let broker: Mosquitto;
  let lns: LnsProcess;
  let adminToken: string;
  let appId: string;
  let client: MqttClient;
  const messages: Array<{ topic: string; json: Record<string, unknown> }> = [];
  let gw: VirtualGateway;
  const device = new VirtualDevice({
    devEui: DEV_EUI,
    region: 'EU868',
    macVersion: '1.0.3',
    seed: 21,
    activation: { type: 'ABP', devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
  });

  const api = () => request(`http://127.0.0.1:${lns.ports.http}`);
  const auth = () => `Bearer ${adminToken}`;
  const events = (type: string) =>
    messages.filter((m) => m.topic.endsWith(`/event/${type}`)).map((m) => m.json);

  async function transmit(up: UplinkResult): Promise<number> {
    const tmst = gw.concentratorTime();
    await gw.sendUplink(up.phyPayload, {
      frequency: up.frequency,
      spreadingFactor: 7,
      bandwidth: 125_000,
      tmst,
      snr: 6,
    });
    return tmst;
  }

  /** The next downlink the gateway gets, handed to the device; undefined if none comes. */
  async function receive(tmst: number, timeoutMs = 500) {
    const seen: ReceivedDownlink[] = [];
    const listener = (dl: ReceivedDownlink) => seen.push(dl);
    gw.on('downlink', listener);
    try {
      await eventually(() => seen.length > 0, timeoutMs);
    } catch {
      return undefined;
    } finally {
      gw.off('downlink', listener);
    }
    const dl = seen[0];
    const window = device.matchRxWindow(
      {
        frequency: dl.frequency,
        dataRate: { spreadingFactor: dl.spreadingFactor!, bandwidth: dl.bandwidth! },
        tmst: dl.tmst,
      },
      tmst,
    );
    return { window, result: device.handleDownlink(dl.phyPayload, { snr: 5, slot: window }) };
  }

  beforeAll(async () => {
    broker = await Mosquitto.start({ [LNS_USER]: LNS_PASSWORD, [APP_USER]: APP_PASSWORD });
    lns = await startLnsProcess(
      {
        LNS_MQTT_URL: `mqtt://${LNS_USER}:${LNS_PASSWORD}@127.0.0.1:${broker.port}`,
        LNS_DEDUP_WINDOW_MS: '50',
        LNS_GATEWAYS_ALLOW_UNKNOWN: 'true',
      },
      ['http', 'udp'],
    );
    adminToken = lns.adminToken()!;
    // The server's subscription to downlink commands is in place on the broker.
    await broker.subscribed('application/+/device/+/command/down');
    const admin = adminApiOf(lns);
    appId = await createApplicationWithAbpDevice(
      admin,
      { name: 'mosquitto' },
      {
        devEui: DEV_EUI,
        name: 'on-mosquitto',
        abp: { devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY },
      },
    );
    client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: APP_USER,
      password: APP_PASSWORD,
      reconnectPeriod: 0,
    });
    client.on(
      'message',
      (topic, payload) => void messages.push({ topic, json: JSON.parse(payload.toString()) }),
    );
    await client.subscribeAsync(`application/${appId}/device/+/event/+`, { qos: 1 });
    gw = await startVirtualGateway({
      gatewayId: 'bb555a0000000055',
      port: lns.ports.udp!,
      keepaliveMs: 2000,
    });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gw?.stop();
    await lns?.stop();
    await broker?.stop();
  });

  it('is a broker that refuses a wrong password', async () => {
    await expect(
      connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        username: LNS_USER,
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized/i);
  });

  it('connects to it as a client: logged without the password, no embedded broker', () => {
    expect(lns.output()).toContain(`mqtt external=mqtt://127.0.0.1:${broker.port}`);
    expect(lns.output()).toContain(`connected to mqtt://127.0.0.1:${broker.port}`);
    expect(lns.output()).not.toContain(LNS_PASSWORD);
    expect(lns.output()).not.toMatch(/listening mqtt=/);
    expect(broker.output()).toContain(`u'${LNS_USER}'`);
  });

  it("publishes an ABP device's uplink as an `up` event on Mosquitto", async () => {
    const up = device.uplink({ fPort: 3, payload: Buffer.from('via mosquitto') });
    const tmst = await transmit(up);
    await receive(tmst); // the MAC layer's first words (DevStatusReq), if any
    await eventually(() => events('up').length === 1, 3000);
    expect(messages.find((m) => m.topic.endsWith('/event/up'))!.topic).toBe(
      `application/${appId}/device/${DEV_EUI}/event/up`,
    );
    expect(events('up')[0]).toMatchObject({
      devAddr: DEV_ADDR.toString(16),
      fCnt: 0,
      fPort: 3,
      data: Buffer.from('via mosquitto').toString('base64'),
      deviceInfo: { devEui: DEV_EUI, applicationId: appId },
    });
  });

  it('takes a `command/down` published on Mosquitto to the device in RX1 of its next uplink; `txack` follows', async () => {
    await client.publishAsync(
      `application/${appId}/device/${DEV_EUI}/command/down`,
      JSON.stringify({
        devEui: DEV_EUI,
        confirmed: false,
        fPort: 9,
        data: Buffer.from('from mosquitto').toString('base64'),
      }),
      { qos: 1 },
    );
    await eventually(
      async () =>
        (await api().get(`/api/devices/${DEV_EUI}/queue`).set('Authorization', auth())).body.totalCount === 1,
      3000,
    );
    const up = device.uplink({ fPort: 3, payload: Buffer.from('x') });
    const got = await receive(await transmit(up), 1500);
    expect(got?.window).toBe('RX1');
    expect(got?.result).toMatchObject({ accepted: true, fPort: 9 });
    expect(got!.result.accepted && got!.result.payload!.toString()).toBe('from mosquitto');
    await eventually(() => events('txack').length === 1, 3000);
    expect(events('txack')[0]).toMatchObject({ gatewayId: gw.gatewayId, fCntDown: expect.any(Number) });
  });

  it('stops cleanly, disconnecting from the broker', async () => {
    expect(await lns.stop('SIGTERM')).toBe(0);
    await eventually(
      () => /Client lns-[0-9a-f]+ (closed its connection|disconnected)/.test(broker.output()),
      5000,
    );
  });
});
