import { Injectable, Optional } from '@nestjs/common';
import { AppSKeyKek, AppSKeyKekResolver } from '@lns/join-server';
import { DeviceRegistry } from '../../registry/device-registry';
import { AppSKeyKekProvider } from '../app-s-key-kek';

/**
 * In apps/lns, the embedded join server also answers other network servers over the Backend Interfaces.
 * A device of one of our end-to-end applications must then get its AppSKey wrapped under that
 * application's ASTK, as on the local path: the network server's registry and the application side's
 * AppSKeyKekProvider say which. Fails closed: an end-to-end application without an ASTK gets no join.
 */
@Injectable()
export class RegistryAppSKeyKekResolver extends AppSKeyKekResolver {
  constructor(
    private readonly registry: DeviceRegistry,
    @Optional() private readonly keks?: AppSKeyKekProvider,
  ) {
    super();
  }

  appSKeyKekFor(devEui: string): AppSKeyKek {
    const ctx = this.registry.get(devEui);
    if (!ctx || !ctx.application.endToEnd) return { kind: 'none' };
    const wrapping = this.keks?.kekFor(ctx.application.id);
    if (!wrapping) {
      return {
        kind: 'unavailable',
        reason:
          'the device belongs to an end-to-end application with no AS transport key (ASTK) to wrap its AppSKey under',
      };
    }
    return { kind: 'wrap', wrapping };
  }
}
