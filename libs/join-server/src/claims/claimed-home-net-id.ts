import { Injectable } from '@nestjs/common';
import { HomeNetIdResolver } from '../backend-interfaces/owner-hooks';
import { DeviceOwnershipRegistry } from './device-ownership';

/**
 * The home network of a claimed device is the NetID its owner named in the claim (TS002 HomeNSAns
 * `HNetID`); other devices have none here, and the join server's own NetID applies.
 */
@Injectable()
export class ClaimedHomeNetId extends HomeNetIdResolver {
  constructor(private readonly ownerships: DeviceOwnershipRegistry) {
    super();
  }

  homeNetIdOf(devEui: string): string | undefined {
    return this.ownerships.ownershipOf(devEui)?.homeNetId ?? undefined;
  }
}
