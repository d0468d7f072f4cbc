import { Injectable } from '@nestjs/common';
import type { KeyWrapping } from '@lns/join-server';
import { AppSKeyKekProvider } from '@lns/network-server';
import { TransportKeyService } from './transport-key.service';

/**
 * The network server's AppSKeyKekProvider: an end-to-end application's current ASTK, under which the join
 * server wraps each new session's AppSKey, so the network holds it only as an envelope.
 */
@Injectable()
export class AstkKekProvider extends AppSKeyKekProvider {
  constructor(private readonly keys: TransportKeyService) {
    super();
  }

  kekFor(applicationId: string): KeyWrapping | undefined {
    return this.keys.currentWrapping(applicationId);
  }
}
