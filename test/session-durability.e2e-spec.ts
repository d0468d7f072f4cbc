import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import request from 'supertest';
import { VirtualDevice } from '@lns/simulator';
import {
  adminApiOf,
  createAbpDevice,
  createApplication,
  createDeviceProfile,
  startVirtualGateway,
} from './support/fixtures';
import { LnsProcess, startLnsProcess } from './support/lns-process';
import { eventually } from './support/udp-probe';

// Two server starts per mode on 2 cores; Jest 29 ignores the project testTimeout.
jest.setTimeout(120_000);

const DEVICES = 6;
const UPLINKS_PER_DEVICE = 8;
const env = { LNS_DEDUP_WINDOW_MS: '50', LNS_GATEWAYS_ALLOW_UNKNOWN: 'true' };

/**
 * "A session and its counters are persisted before the uplink's event is published": the server is
 * killed with SIGKILL (no shutdown hook, no last flush) the moment the last `up` event reaches the
 * MQTT subscriber, and started again on the same data directory; every device's FCntUp must be
 * the one after its last published frame. With the session writes on their worker thread
 * (`database.sessionWriter: worker`) and on the main connection (`inline`, the default).
 */
describe.each(['worker', 'inline'])('session counters across a kill -9 (sessionWriter: %s)', (mode) => {
  let lns: LnsProcess | undefined;
  afterAll(async () => {
    await lns?.stop('SIGKILL');
  });

  it('every counter an `up` event was published for is found again after the restart', async () => {
    lns = await startLnsProcess({ ...env, LNS_DATABASE_SESSION_WRITER: mode }, ['http', 'udp', 'mqtt']);
    const first = lns;
    expect(first.output().includes('session writes run on a worker thread')).toBe(mode === 'worker');
    const adminToken = first.adminToken()!;
    const api = (l: LnsProcess) => request(`http://127.0.0.1:${l.ports.http}`);
    const admin = adminApiOf(first);
    const profile = await createDeviceProfile(admin, { name: 'eu', region: 'EU868', macVersion: '1.0.3' });
    const appId = await createApplication(admin, { name: 'crash' });
    const devices: VirtualDevice[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const devEui = `03030303030300${i.toString(16).padStart(2, '0')}`;
      const devAddr = 0x26030000 + i;
      const nwkSKey = `44024241ed4ce9a68c6a8bc055233f${i.toString(16).padStart(2, '0')}`;
      const appSKey = 'ec925802ae430ca77fd3dd73cb2cc588';
      await createAbpDevice(admin, {
        devEui,
        name: `d${i}`,
        applicationId: appId,
        deviceProfileId: profile,
        abp: { devAddr, nwkSKey, appSKey },
      });
      devices.push(
        new VirtualDevice({
          devEui,
          region: 'EU868',
          macVersion: '1.0.3',
          seed: i,
          activation: { type: 'ABP', devAddr, nwkSKey, appSKey },
        }),
      );
    }

    const mqtt = await connectAsync(`mqtt://127.0.0.1:${first.ports.mqtt}`, {
      username: 'u',
      password: adminToken,
      reconnectPeriod: 0,
    });
    const published = new Map<string, number>();
    let ups = 0;
    mqtt.on('message', (topic, payload) => {
      const devEui = topic.split('/')[3];
      const { fCnt } = JSON.parse(payload.toString()) as { fCnt: number };
      published.set(devEui, Math.max(published.get(devEui) ?? -1, fCnt));
      // The last one: killed before anything else of the server runs (no flush at shutdown).
      if (++ups === DEVICES * UPLINKS_PER_DEVICE) first.proc.kill('SIGKILL');
    });
    await mqtt.subscribeAsync(`application/${appId}/device/+/event/up`);
    const gw = await startVirtualGateway({
      gatewayId: 'cc555a0000000001',
      port: first.ports.udp!,
      keepaliveMs: 2000,
    });
    try {
      // Every device sends at once, round after round: several sessions per group commit.
      for (let round = 0; round < UPLINKS_PER_DEVICE; round++) {
        await Promise.all(
          devices.map((d) => {
            const up = d.uplink({ fPort: 1, payload: Buffer.from([round]) });
            return gw.sendUplink(up.phyPayload, {
              frequency: up.frequency,
              spreadingFactor: 7,
              bandwidth: 125_000,
              tmst: gw.concentratorTime(),
            });
          }),
        );
        await eventually(() => ups >= (round + 1) * DEVICES, 5_000);
      }
      expect(await first.stop()).toBeNull(); // killed, no exit code
    } finally {
      await gw.stop();
      await mqtt.endAsync(true);
    }
    expect([...published.values()]).toEqual(Array(DEVICES).fill(UPLINKS_PER_DEVICE - 1));

    lns = await startLnsProcess({ ...env, LNS_DATA_DIR: first.dataDir, LNS_DATABASE_SESSION_WRITER: mode });
    const token = readFileSync(join(first.dataDir, 'admin-token'), 'utf8').trim();
    for (const d of devices) {
      const devEui = d.devEui.toString('hex');
      const state = await api(lns)
        .get(`/api/devices/${devEui}/state`)
        .set('Authorization', `Bearer ${token}`);
      expect(state.status).toBe(200);
      expect({ devEui, fCntUp: state.body.fCntUp }).toEqual({ devEui, fCntUp: published.get(devEui)! + 1 });
    }
  });
});
