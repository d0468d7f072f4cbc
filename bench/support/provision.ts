import { createHash } from 'node:crypto';
import { LnsServer } from './lns-server';
import { AbpDeviceSpec, BENCH_GATEWAY_IDS, OtaaDeviceSpec } from './load-protocol';

export interface BenchNetwork {
  profileId: string;
  applicationId: string;
}

/** REST requests in flight at once while provisioning. */
const CONCURRENCY = 16;

/** Deterministic 16-byte key of a device: the bench can be rerun against the same figures. */
function key(label: string, i: number): string {
  return createHash('sha256').update(`${label}:${i}`).digest('hex').slice(0, 32);
}

export function devEuiOf(prefix: number, i: number): string {
  return ((BigInt(prefix) << 32n) | BigInt(i)).toString(16).padStart(16, '0');
}

/** ABP device i of the bench (DevEUI 70b3d5e1_xxxxxxxx, DevAddr 0x26000000 + i). */
export function abpSpec(i: number): AbpDeviceSpec {
  return {
    devEui: devEuiOf(0x70b3d5e1, i),
    devAddr: (0x26000000 + i) >>> 0,
    nwkSKey: key('nwkSKey', i),
    appSKey: key('appSKey', i),
  };
}

/** OTAA device i of the bench (DevEUI 70b3d5e2_xxxxxxxx). */
export function otaaSpec(i: number): OtaaDeviceSpec {
  return { devEui: devEuiOf(0x70b3d5e2, i), joinEui: '70b3d5e200000000', appKey: key('appKey', i) };
}

async function ok(server: LnsServer, method: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await server.api<{ id: string }>(method, path, body);
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A LoRaWAN 1.0.3 EU868 profile (ADR off: the bench devices do not answer MAC commands), an application, the gateways. */
export async function setUpNetwork(server: LnsServer): Promise<BenchNetwork> {
  const profile = await ok(server, 'POST', '/device-profiles', {
    name: 'bench EU868 1.0.3',
    region: 'EU868',
    macVersion: '1.0.3',
    adrEnabled: false,
  });
  const app = await ok(server, 'POST', '/applications', { name: 'bench' });
  for (const gatewayId of BENCH_GATEWAY_IDS) {
    await ok(server, 'POST', '/gateways', { gatewayId, name: `bench ${gatewayId}`, region: 'EU868' });
  }
  return { profileId: profile.id, applicationId: app.id };
}

async function inParallel(count: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await each(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
}

/** POST /api/devices for each ABP device in [from, from + count). */
export async function createAbpDevices(
  server: LnsServer,
  net: BenchNetwork,
  from: number,
  count: number,
): Promise<AbpDeviceSpec[]> {
  const specs = Array.from({ length: count }, (_, k) => abpSpec(from + k));
  await inParallel(count, async (k) => {
    const d = specs[k];
    await ok(server, 'POST', '/devices', {
      devEui: d.devEui,
      name: `bench abp ${from + k}`,
      applicationId: net.applicationId,
      deviceProfileId: net.profileId,
      activation: 'ABP',
      abp: { devAddr: d.devAddr.toString(16).padStart(8, '0'), nwkSKey: d.nwkSKey, appSKey: d.appSKey },
    });
  });
  return specs;
}

/** POST /api/devices for each OTAA device (local join server) in [from, from + count). */
export async function createOtaaDevices(
  server: LnsServer,
  net: BenchNetwork,
  from: number,
  count: number,
): Promise<OtaaDeviceSpec[]> {
  const specs = Array.from({ length: count }, (_, k) => otaaSpec(from + k));
  await inParallel(count, async (k) => {
    const d = specs[k];
    await ok(server, 'POST', '/devices', {
      devEui: d.devEui,
      joinEui: d.joinEui,
      name: `bench otaa ${from + k}`,
      applicationId: net.applicationId,
      deviceProfileId: net.profileId,
      activation: 'OTAA',
      joinServer: 'local',
      appKey: d.appKey,
    });
  });
  return specs;
}
