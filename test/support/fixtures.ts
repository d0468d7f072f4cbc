import request from 'supertest';
import { MacVersion, VirtualDevice, VirtualGateway, VirtualGatewayOptions } from '@lns/simulator';
import { LnsProcess } from './lns-process';

/**
 * The setup the end-to-end specs share: device profiles, applications, gateways and devices registered
 * over REST, each expecting its 201 (a setup step that fails stops the test there, not at a later
 * assertion), and the virtual devices and gateways that go with them.
 */

/** Authenticated REST requests: an in-process server's `lns.api`, `restApi(…)` or `adminApiOf(process)`. */
export interface RestApi {
  get: (path: string) => request.Test;
  post: (path: string) => request.Test;
  delete: (path: string) => request.Test;
}

/** The REST API at `baseUrl` with `token` as the bearer. */
export function restApi(baseUrl: string, token: string): RestApi {
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`);
  return {
    get: (path) => auth(request(baseUrl).get(path)),
    post: (path) => auth(request(baseUrl).post(path)),
    delete: (path) => auth(request(baseUrl).delete(path)),
  };
}

/** The REST API of a server process as it listens now, with the admin token it generated (from its output). */
export function adminApiOf(lns: LnsProcess): RestApi {
  const token = lns.adminToken();
  if (!token) throw new Error('the server printed no generated admin token (was LNS_ADMIN_TOKEN set?)');
  return restApi(`http://127.0.0.1:${lns.ports.http}`, token);
}

export interface DeviceProfile {
  name: string;
  region: string;
  macVersion: MacVersion;
  /** Any other field of POST /api/device-profiles (supportsClassC, subBand, rx1Delay…). */
  [field: string]: unknown;
}

/** POST /api/device-profiles: the new profile's id. */
export async function createDeviceProfile(api: RestApi, profile: DeviceProfile): Promise<string> {
  return (await api.post('/api/device-profiles').send(profile).expect(201)).body.id;
}

/** One EU868 profile per LoRaWAN version, named `eu-<version>`, created in order: their ids by version. */
export async function createEu868Profiles<V extends MacVersion>(
  api: RestApi,
  macVersions: readonly V[],
): Promise<Record<V, string>> {
  const ids = {} as Record<V, string>;
  for (const macVersion of macVersions) {
    ids[macVersion] = await createDeviceProfile(api, {
      name: `eu-${macVersion}`,
      region: 'EU868',
      macVersion,
    });
  }
  return ids;
}

/** POST /api/applications: the new application's id. `endToEnd`: its payloads are the AS's alone. */
export async function createApplication(
  api: RestApi,
  application: { name: string; endToEnd?: boolean },
): Promise<string> {
  return (await api.post('/api/applications').send(application).expect(201)).body.id;
}

/** POST /api/gateways: the registered gateway as the server shows it. */
export async function createGateway(
  api: RestApi,
  gateway: { gatewayId: string; name: string; [field: string]: unknown },
): Promise<Record<string, unknown>> {
  return (await api.post('/api/gateways').send(gateway).expect(201)).body;
}

export interface OtaaDevice {
  devEui: string;
  joinEui: string;
  /** The device's DevEUI unless given. */
  name?: string;
  applicationId: string;
  deviceProfileId: string;
  /** 'local' (the embedded join server, given the root keys) or the id of a registered join server. */
  joinServer: string;
  /** Root keys, for the embedded join server only: an external one holds its own. */
  appKey?: string;
  /** LoRaWAN 1.1. */
  nwkKey?: string;
}

/** POST /api/devices of an over-the-air activated device. */
export async function createOtaaDevice(api: RestApi, device: OtaaDevice): Promise<void> {
  await api
    .post('/api/devices')
    .send({ ...device, name: device.name ?? device.devEui, activation: 'OTAA' })
    .expect(201);
}

/** An ABP session: 1.0.x has NwkSKey, 1.1 the three network keys; no AppSKey in an end-to-end application. */
export interface AbpSession {
  devAddr: number;
  nwkSKey?: string;
  fNwkSIntKey?: string;
  sNwkSIntKey?: string;
  nwkSEncKey?: string;
  appSKey?: string;
  fCntUp?: number;
}

export interface AbpDevice {
  devEui: string;
  /** The device's DevEUI unless given. */
  name?: string;
  applicationId: string;
  deviceProfileId: string;
  abp: AbpSession;
}

/** POST /api/devices of an activation-by-personalisation device (DevAddr as 8 hex digits). */
export async function createAbpDevice(api: RestApi, device: AbpDevice): Promise<void> {
  await api
    .post('/api/devices')
    .send({
      ...device,
      name: device.name ?? device.devEui,
      activation: 'ABP',
      abp: { ...device.abp, devAddr: device.abp.devAddr.toString(16).padStart(8, '0') },
    })
    .expect(201);
}

/**
 * An application with one LoRaWAN 1.0.3 ABP device on an EU868 profile named `eu`: the setup of the
 * tests of what happens to one device's events (MQTT, webhooks). The application's id.
 */
export async function createApplicationWithAbpDevice(
  api: RestApi,
  application: { name: string },
  device: Omit<AbpDevice, 'applicationId' | 'deviceProfileId'>,
): Promise<string> {
  const deviceProfileId = await createDeviceProfile(api, {
    name: 'eu',
    region: 'EU868',
    macVersion: '1.0.3',
  });
  const applicationId = await createApplication(api, application);
  await createAbpDevice(api, { ...device, applicationId, deviceProfileId });
  return applicationId;
}

/**
 * The simulated OTAA device holding the same root keys: EU868, its PRNG seeded with its DevEUI unless
 * told otherwise (so its DevNonces are the same every run).
 */
export function virtualOtaaDevice(device: {
  devEui: string;
  joinEui: string;
  macVersion: MacVersion;
  appKey: string;
  nwkKey?: string;
  seed?: string;
}): VirtualDevice {
  return new VirtualDevice({
    devEui: device.devEui,
    joinEui: device.joinEui,
    region: 'EU868',
    macVersion: device.macVersion,
    seed: device.seed ?? device.devEui,
    activation: { type: 'OTAA', appKey: device.appKey, ...(device.nwkKey && { nwkKey: device.nwkKey }) },
  });
}

/** A virtual gateway, started: its first PULL_DATA acknowledged. Stopped again if it could not start. */
export async function startVirtualGateway(options: VirtualGatewayOptions): Promise<VirtualGateway> {
  const gw = new VirtualGateway(options);
  try {
    await gw.start();
  } catch (err) {
    await gw.stop().catch(() => undefined);
    throw err;
  }
  return gw;
}

/** POST /api/join-servers: an external join server (Backend Interfaces URL, peer token, KEK…), its id. */
export async function createJoinServer(
  api: RestApi,
  joinServer: { name: string; url: string; [field: string]: unknown },
): Promise<string> {
  return (await api.post('/api/join-servers').send(joinServer).expect(201)).body.id;
}

/** POST /api/applications/{id}/tokens: the application token's secret (shown once), for REST and MQTT. */
export async function createApplicationToken(
  api: RestApi,
  applicationId: string,
  token: { name: string; readOnly?: boolean },
): Promise<string> {
  return (await api.post(`/api/applications/${applicationId}/tokens`).send(token).expect(201)).body.token;
}
