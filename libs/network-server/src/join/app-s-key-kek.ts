import { KeyWrapping } from '@lns/join-server';

/**
 * The key-encryption key under which the join server wraps the AppSKey of an end-to-end (tunnel)
 * application's devices: the application's AS transport key (ASTK), named by its label. DI token,
 * provided by the application side (libs/application, issue 6). Without it, or without a key for the
 * application, devices of end-to-end applications are not let in: their AppSKey must never reach the
 * network server in clear.
 */
export abstract class AppSKeyKekProvider {
  abstract kekFor(applicationId: string): KeyWrapping | undefined;
}
