import { Injectable } from '@nestjs/common';
import { JoinPermission } from '../backend-interfaces/owner-hooks';
import { DeviceOwnershipRegistry } from './device-ownership';

/**
 * A manufacturer's device joins only through its owner's network: nobody before the claim, and after
 * it only the NetID the claim named (when it named one). Devices an operator created with their keys
 * have no manufacturer record and are not restricted here; the peer's authentication still applies.
 */
@Injectable()
export class ClaimedJoinPermission extends JoinPermission {
  constructor(private readonly ownerships: DeviceOwnershipRegistry) {
    super();
  }

  refusalFor(devEui: string, senderNetId: string): string | undefined {
    const o = this.ownerships.ownershipOf(devEui);
    if (!o) return undefined;
    if (!o.claimed) return 'device not claimed: present its owner token first';
    if (o.homeNetId && o.homeNetId !== senderNetId.toLowerCase()) {
      return `device claimed for NetID ${o.homeNetId.toUpperCase()}, not ${senderNetId.toUpperCase()}`;
    }
    return undefined;
  }
}
