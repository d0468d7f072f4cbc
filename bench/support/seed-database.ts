/**
 * 100,000 ABP devices through REST would take minutes here (about 400 POST /api/devices per
 * second), so the large-fleet scenario writes them straight into the server's SQLite file while
 * the server is stopped: the same entities (@lns/storage), a session built by the same code as
 * the registry's (buildAbpSession with the default MAC layer's initial state) and sealed by the
 * same codec (toSessionRow: KeyCipher under the master key given in LNS_MASTER_KEY). The schema is
 * the server's own: it ran its migrations on a first start against the same file.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { getRegion } from '@lns/lorawan';
import {
  ApplicationEntity,
  DeviceEntity,
  DeviceProfileEntity,
  DeviceSessionEntity,
  KeyCipher,
} from '@lns/storage';
import { DefaultMacLayer } from '../../libs/network-server/src/mac';
import { buildAbpSession } from '../../libs/network-server/src/registry/abp-session';
import { toSessionRow } from '../../libs/network-server/src/session/session-codec';
import { BenchNetwork, abpSpec } from './provision';

const CHUNK = 500;

export async function seedAbpDevices(opts: {
  dataDir: string;
  masterKey: string;
  net: BenchNetwork;
  from: number;
  count: number;
}): Promise<void> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(opts.dataDir, 'lns.sqlite'),
    entities: [ApplicationEntity, DeviceEntity, DeviceProfileEntity, DeviceSessionEntity],
    synchronize: false,
    migrationsRun: false,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
    },
  });
  await ds.initialize();
  try {
    const profile = await ds.getRepository(DeviceProfileEntity).findOneByOrFail({ id: opts.net.profileId });
    const application = await ds
      .getRepository(ApplicationEntity)
      .findOneByOrFail({ id: opts.net.applicationId });
    const region = getRegion(profile.region);
    const macLayer = new DefaultMacLayer();
    const cipher = new KeyCipher(Buffer.from(opts.masterKey, 'hex'));
    const now = Date.now();
    await ds.transaction(async (em) => {
      for (let start = 0; start < opts.count; start += CHUNK) {
        const devices: DeviceEntity[] = [];
        const sessions: DeviceSessionEntity[] = [];
        for (let k = start; k < Math.min(opts.count, start + CHUNK); k++) {
          const i = opts.from + k;
          const spec = abpSpec(i);
          const device = new DeviceEntity();
          device.devEui = spec.devEui;
          device.joinEui = null;
          device.name = `bench abp ${i}`;
          device.description = '';
          device.applicationId = application.id;
          device.deviceProfileId = profile.id;
          device.activation = 'ABP';
          device.joinServer = null;
          device.tags = {};
          device.createdAt = new Date(now);
          devices.push(device);
          const session = buildAbpSession({
            devEui: spec.devEui,
            abp: {
              devAddr: spec.devAddr,
              nwkSKey: Buffer.from(spec.nwkSKey, 'hex'),
              appSKey: Buffer.from(spec.appSKey, 'hex'),
            },
            profile,
            application,
            region,
            macLayer,
            now,
          });
          sessions.push(toSessionRow(cipher, session));
        }
        await em.insert(DeviceEntity, devices);
        await em.insert(DeviceSessionEntity, sessions);
      }
    });
  } finally {
    await ds.destroy();
  }
}
