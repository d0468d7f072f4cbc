/**
 * `npm run simulate -- --gateways 3 --devices 100 --interval 10s`: virtual gateways and
 * devices against a running server, for users without hardware and for a quick check of a
 * deployment. Prints what each device saw.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RegionName } from '@lns/lorawan';
import { ArgsError, parseArgs, SimulateOptions, USAGE } from './cli/args';
import { ensureProfileAndApplication, inBatches, ProvisionedDevice, RestClient } from './cli/provisioning';
import { SimulatedDevice, Simulation } from './cli/simulation';
import { Rng } from './rng';
import { VirtualDevice } from './virtual-device';
import { VirtualGateway } from './virtual-gateway';

function hex(rng: Rng, bytes: number): string {
  return rng.bytes(bytes).toString('hex');
}

function makeDevice(o: SimulateOptions, rng: Rng, i: number): ProvisionedDevice {
  const devEui = `5e${o.seed.toString(16).padStart(6, '0')}${i.toString(16).padStart(8, '0')}`.slice(0, 16);
  return {
    devEui,
    joinEui: '5e00000000000001',
    appKey: hex(rng, 16),
    nwkKey: hex(rng, 16),
    devAddr: (0x5e000000 | (o.seed << 16) | i) >>> 0,
    nwkSKey: hex(rng, 16),
    appSKey: hex(rng, 16),
  };
}

function deviceBody(
  o: SimulateOptions,
  p: ProvisionedDevice,
  ids: { deviceProfileId: string; applicationId: string },
) {
  const v11 = o.macVersion === '1.1.0';
  const base = { devEui: p.devEui, name: `sim-${p.devEui}`, ...ids, activation: o.activation };
  if (o.activation === 'OTAA') {
    return {
      ...base,
      joinEui: p.joinEui,
      joinServer: 'local',
      appKey: p.appKey,
      ...(v11 && { nwkKey: p.nwkKey }),
    };
  }
  const devAddr = p.devAddr!.toString(16).padStart(8, '0');
  const abp = v11
    ? { devAddr, fNwkSIntKey: p.nwkSKey, sNwkSIntKey: p.nwkSKey, nwkSEncKey: p.nwkSKey, appSKey: p.appSKey }
    : { devAddr, nwkSKey: p.nwkSKey, appSKey: p.appSKey };
  return { ...base, abp };
}

function virtualDevice(o: SimulateOptions, p: ProvisionedDevice, seed: number): VirtualDevice {
  const activation =
    o.activation === 'OTAA'
      ? { type: 'OTAA' as const, appKey: p.appKey, ...(o.macVersion === '1.1.0' && { nwkKey: p.nwkKey }) }
      : o.macVersion === '1.1.0'
        ? {
            type: 'ABP' as const,
            devAddr: p.devAddr!,
            fNwkSIntKey: p.nwkSKey!,
            sNwkSIntKey: p.nwkSKey!,
            nwkSEncKey: p.nwkSKey!,
            appSKey: p.appSKey!,
          }
        : { type: 'ABP' as const, devAddr: p.devAddr!, nwkSKey: p.nwkSKey!, appSKey: p.appSKey! };
  return new VirtualDevice({
    devEui: p.devEui,
    joinEui: p.joinEui,
    region: o.region as RegionName,
    macVersion: o.macVersion,
    activation,
    seed,
  });
}

function resolveToken(o: SimulateOptions): string {
  if (o.token) return o.token;
  if (existsSync('data/admin-token')) return readFileSync('data/admin-token', 'utf8').trim();
  throw new ArgsError('no admin token: pass --token, set LNS_ADMIN_TOKEN, or run from the server directory');
}

function print(sim: Simulation, perDevice: boolean): void {
  if (perDevice) {
    for (const d of sim.devices) {
      const s = d.stats;
      const c = d.device.counters;
      console.log(
        `${d.devEui}  joined=${s.joined ? 'yes' : 'no '} uplinks=${s.uplinks} downlinks=${s.downlinks} ` +
          `acks=${c.acksReceived} mac=${c.macCommandsReceived} dr=${d.device.state().dataRate}` +
          (s.late ? ` outside-rx-windows=${s.late}` : '') +
          (s.errors.length ? ` errors: ${s.errors.slice(0, 3).join('; ')}` : ''),
      );
    }
  }
  const t = sim.totals();
  console.log(
    `total: ${t.devices} devices, ${t.joined} joined, ${t.uplinks} uplinks, ${t.downlinks} downlinks, ` +
      `${t.downlinksOutsideWindows} outside RX windows, ${t.errors} errors`,
  );
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const o = parsed;
  const api = new RestClient(o.url, resolveToken(o));
  const rng = new Rng(o.seed);
  const ids = await ensureProfileAndApplication(api, o.region, o.macVersion);

  const gateways = Array.from(
    { length: o.gateways },
    (_, i) =>
      new VirtualGateway({
        gatewayId: `5e${o.seed.toString(16).padStart(6, '0')}ff${i.toString(16).padStart(6, '0')}`.slice(
          0,
          16,
        ),
        host: o.udpHost,
        port: o.udpPort,
        seed: o.seed * 1000 + i,
      }),
  );
  await inBatches(gateways, 8, async (g) => {
    await api.post(
      '/api/gateways',
      { gatewayId: g.gatewayId, name: `simulator ${g.gatewayId}`, region: o.region },
      true,
    );
  });

  const provisioned = Array.from({ length: o.devices }, (_, i) => makeDevice(o, rng, i));
  await inBatches(provisioned, 16, async (p) => {
    await api.post('/api/devices', deviceBody(o, p, ids), true);
  });
  console.log(
    `provisioned ${o.gateways} gateways and ${o.devices} ${o.activation} devices (${o.region}, ${o.macVersion})`,
  );

  for (const g of gateways) await g.start();
  const devices: SimulatedDevice[] = provisioned.map((p, i) => ({
    device: virtualDevice(o, p, o.seed * 1_000_003 + i),
    devEui: p.devEui,
    links: Array.from({ length: o.heardBy }, (_, k) => ({
      gateway: (i + k) % o.gateways,
      rssi: -60 - 12 * k - rng.int(20),
      snr: 9 - 4 * k - rng.int(4),
    })),
    lastTmst: new Map(),
    joinPending: false,
    stats: { joined: o.activation === 'ABP', uplinks: 0, downlinks: 0, late: 0, errors: [] },
  }));
  const sim = new Simulation(gateways, devices, { ...o, rng: rng.fork() });
  sim.start();

  const progress = setInterval(() => print(sim, false), 10_000);
  await new Promise<void>((resolve) => {
    if (o.durationMs > 0) setTimeout(resolve, o.durationMs);
    process.once('SIGINT', () => resolve());
  });
  clearInterval(progress);
  sim.stop();
  for (const g of gateways) await g.stop();
  print(sim, o.perDevice ?? o.devices <= 50);
}

main().catch((err: unknown) => {
  console.error(
    err instanceof ArgsError ? `${err.message}\n\n${USAGE}` : err instanceof Error ? err.message : err,
  );
  process.exit(1);
});
