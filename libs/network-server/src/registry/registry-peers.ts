import { Abstract, Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { ClaimService, DeviceOwnershipRegistry, JoinServerService } from '@lns/join-server';
import { SessionStore } from '../session/session-store';
import { JoinServerDirectory } from './join-server-directory';
import { JoinServerRootKeys } from './join-server-root-keys';
import { RootKeyStore } from './root-key-store';

/**
 * The registry's collaborators that live in other modules, found in the whole application
 * when first needed. The module that provides the SessionStore (the network server) imports
 * the RegistryModule, so a constructor injection would be a module cycle; and the local join
 * server is optional (a deployment may route every device to external join servers, and the
 * network server then runs without JoinServerModule).
 */
@Injectable()
export class RegistryPeers {
  private readonly found = new Map<Abstract<unknown>, unknown>();
  private embedded: RootKeyStore | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    // The NetID its QR provisioning claims with: a removal releases only such a claim.
    @Optional() @Inject(LNS_CONFIG) private readonly config?: LnsConfig,
  ) {}

  sessions(): SessionStore | undefined {
    return this.find(SessionStore);
  }

  /** A RootKeyStore provided as such, else the embedded join server's, if it runs in this process. */
  rootKeys(): RootKeyStore | undefined {
    const store = this.find(RootKeyStore);
    if (store) return store;
    if (!this.embedded) {
      const joinServer = this.find(JoinServerService);
      if (joinServer) {
        this.embedded = new JoinServerRootKeys(
          joinServer,
          () => this.find(ClaimService),
          this.config?.netId,
          () => this.find(DeviceOwnershipRegistry),
        );
      }
    }
    return this.embedded;
  }

  joinServers(): JoinServerDirectory | undefined {
    return this.find(JoinServerDirectory);
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
