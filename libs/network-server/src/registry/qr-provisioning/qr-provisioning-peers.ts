import { Abstract, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ClaimService, DeviceOwnershipRegistry, JoinServerService } from '@lns/join-server';
import { AppSKeyKekProvider } from '../../join/app-s-key-kek';
import { JoinServerRegistry } from '../../join/external/join-server-registry';

/**
 * What QR provisioning needs from other modules, found in the application when first needed: the
 * embedded join server and its claims (absent when the network server runs without one), the external
 * join servers (their module imports the registry's, so no constructor injection), and the ASTK
 * labels of end-to-end applications.
 */
@Injectable()
export class QrProvisioningPeers {
  private readonly found = new Map<Abstract<unknown>, unknown>();

  constructor(private readonly moduleRef: ModuleRef) {}

  localJoinServer(): JoinServerService | undefined {
    return this.find(JoinServerService);
  }

  localClaims(): ClaimService | undefined {
    return this.find(ClaimService);
  }

  localOwnerships(): DeviceOwnershipRegistry | undefined {
    return this.find(DeviceOwnershipRegistry);
  }

  externalJoinServers(): JoinServerRegistry | undefined {
    return this.find(JoinServerRegistry);
  }

  appSKeyKeks(): AppSKeyKekProvider | undefined {
    return this.find(AppSKeyKekProvider);
  }

  private find<T>(token: Abstract<T>): T | undefined {
    if (this.found.has(token)) return this.found.get(token) as T;
    let peer: T | undefined;
    try {
      peer = this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined; // not provided (yet): asked again next time
    }
    this.found.set(token, peer);
    return peer;
  }
}
