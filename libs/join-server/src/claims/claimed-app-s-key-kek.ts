import { Injectable } from '@nestjs/common';
import { AsKeyService } from '../as-keys/as-key.service';
import { AppSKeyKek, OwnerAppSKeyKekResolver } from '../backend-interfaces/owner-hooks';
import { DeviceOwnershipRegistry } from './device-ownership';

/**
 * The AppSKey of a claimed device goes wrapped under the AS key its claim named (`kekLabel`), never the
 * network server's KEK: the AS key must be this join server's and not revoked, else the join is refused
 * (fail closed). Devices without a claim or without a label are left to the other resolvers; so is a label
 * this join server never made (in apps/lns, the ASTK of its own end-to-end application, named by its own
 * QR provisioning), which chooseAppSKeyKek still refuses if nobody holds it.
 */
@Injectable()
export class ClaimedAppSKeyKek extends OwnerAppSKeyKekResolver {
  constructor(
    private readonly ownerships: DeviceOwnershipRegistry,
    private readonly asKeys: AsKeyService,
  ) {
    super();
  }

  appSKeyKekFor(devEui: string): AppSKeyKek {
    const label = this.namedKekLabel(devEui);
    if (label === undefined) return { kind: 'none' };
    const key = this.asKeys.wrappingFor(label);
    switch (key.state) {
      case 'active':
        return { kind: 'wrap', wrapping: key.wrapping };
      case 'unusable':
        return {
          kind: 'unavailable',
          reason: `${key.reason}; the device's owner asked for its AppSKey wrapped under it: the device must be claimed again (with a new owner token) naming another AS key`,
        };
      case 'unknown':
        return { kind: 'none' };
    }
  }

  namedKekLabel(devEui: string): string | undefined {
    const o = this.ownerships.ownershipOf(devEui);
    return o?.claimed && o.kekLabel ? o.kekLabel : undefined;
  }
}
