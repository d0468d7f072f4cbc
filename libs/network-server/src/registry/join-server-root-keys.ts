import { JoinServerError, JoinServerService } from '@lns/join-server';
import { invalid } from './registry-errors';
import { DeviceRootKeys, RootKeyStore } from './root-key-store';

/**
 * The embedded join server (libs/join-server) as the registry's RootKeyStore: the keys are
 * sealed and kept there, in the join server's own table.
 */
export class JoinServerRootKeys extends RootKeyStore {
  constructor(private readonly joinServer: JoinServerService) {
    super();
  }

  async upsertDeviceKeys(keys: DeviceRootKeys): Promise<void> {
    try {
      await this.joinServer.upsertDeviceKeys({
        devEui: keys.devEui,
        joinEui: keys.joinEui,
        macVersion: keys.macVersion,
        appKey: keys.appKey,
        ...(keys.nwkKey ? { nwkKey: keys.nwkKey } : {}),
      });
    } catch (err) {
      // The registry's rules match the join server's; should they ever differ, still a 400 naming the field.
      if (err instanceof JoinServerError && err.code === 'BAD_FIELD') {
        throw invalid(err.field ?? 'joinServer', err.message);
      }
      throw err;
    }
  }

  async removeDeviceKeys(devEui: string): Promise<void> {
    await this.joinServer.deleteDevice(devEui);
  }
}
