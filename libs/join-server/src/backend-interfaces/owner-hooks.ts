import { KeyWrapping } from '../join/join-request';

/** How a device's AppSKey must leave the join server. */
export type AppSKeyKek =
  /** No application key: wrapped under the requesting peer's KEK, or in clear when it has none. */
  | { kind: 'none' }
  /** Wrapped under the application server's KEK (an end-to-end application's ASTK, an owner's AS KEK). */
  | { kind: 'wrap'; wrapping: KeyWrapping }
  /** The device's AppSKey must go wrapped, but no key is available: refuse rather than send it open. */
  | { kind: 'unavailable'; reason: string };

/**
 * Who the AppSKey of a device is wrapped for. DI seam, optional: in apps/lns the network server's
 * registry answers (an end-to-end application's ASTK); in the standalone join server the device's owner
 * brings its AS KEK with the claim. Without a provider every device is `{ kind: 'none' }`.
 */
export abstract class AppSKeyKekResolver {
  abstract appSKeyKekFor(devEui: string): AppSKeyKek;
}

/**
 * The home network of a device (TS002 HomeNSAns `HNetID`), e.g. from its owner's claim. DI seam,
 * optional: without a provider, or when it answers undefined, the configured NetID is the home.
 */
export abstract class HomeNetIdResolver {
  /** 6 hex digits, or undefined. */
  abstract homeNetIdOf(devEui: string): string | undefined;
}

/**
 * Whether a network server may activate a device: a manufacturer's device answers only once it is
 * claimed, and only the NetID its owner named (TS002 ResultCode `ActivationDisallowed` otherwise).
 * DI seam, optional: without a provider any authenticated peer may ask.
 */
export abstract class JoinPermission {
  /** `undefined` when allowed, else why not. */
  abstract refusalFor(devEui: string, senderNetId: string): string | undefined;
}
