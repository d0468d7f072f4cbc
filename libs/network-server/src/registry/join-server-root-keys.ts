import { ClaimService, DeviceOwnershipRegistry, JoinServerError, JoinServerService } from '@lns/join-server';
import { invalid, RegistryConflictError } from './registry-errors';
import { DeviceRootKeys, RootKeyStore } from './root-key-store';

/**
 * The embedded join server (libs/join-server) as the registry's RootKeyStore: the keys are
 * sealed and kept there, in the join server's own table.
 */
export class JoinServerRootKeys extends RootKeyStore {
  /**
   * `claims`: the embedded join server's claims (found when first needed; undefined without them);
   * `netId`: this network server's NetID, the home NetID its QR provisioning claims with;
   * `ownerships`: its manufacturer records (found when first needed), whose devices get no keys here.
   */
  constructor(
    private readonly joinServer: JoinServerService,
    private readonly claims: () => ClaimService | undefined = () => undefined,
    private readonly netId?: string,
    private readonly ownerships: () => DeviceOwnershipRegistry | undefined = () => undefined,
  ) {
    super();
  }

  /**
   * A device with a manufacturer record gets no owner-typed keys: its root keys are its manufacturer's
   * (sealed in the record's device), and overwriting them would take the device from whoever holds the
   * label and leave the manufacturer's claims and QR code pointing at keys nobody has. It is provisioned
   * with its QR code (its owner token), which claims it with the manufacturer's keys.
   */
  override keysRefusal(devEui: string): string | undefined {
    if (!this.ownerships()?.ownershipOf(devEui)) return undefined;
    return "is a manufacturer's device on the local join server (its root keys come with its manufacturer record): provision it with its QR code / owner token, POST /api/devices/qr, not with an appKey";
  }

  async upsertDeviceKeys(keys: DeviceRootKeys): Promise<void> {
    // Asked again at the write: a manufacturer import may have taken the DevEUI since the registry's check.
    const refusal = this.keysRefusal(keys.devEui);
    if (refusal) throw new RegistryConflictError([{ field: 'devEui', reason: refusal }]);
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

  /**
   * A device with an AppKey its owner gave is forgotten. A device its manufacturer personalised (a
   * manufacturer record, claimed by QR provisioning) is released instead: the record, its root keys and its
   * owner token's state belong to the manufacturer, and the device can be claimed again (ClaimService.release).
   * A claim another network holds on it is left alone.
   */
  async removeDeviceKeys(devEui: string): Promise<void> {
    const claims = this.claims();
    if (claims) {
      const outcome = await claims.release(devEui, this.netId ? { homeNetId: this.netId } : {});
      if (outcome !== 'no-record') return;
    }
    await this.joinServer.deleteDevice(devEui);
  }
}
