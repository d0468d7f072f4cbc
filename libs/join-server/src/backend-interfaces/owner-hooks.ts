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
 * registry answers (an end-to-end application's ASTK); in the standalone join server the claim's AS key
 * (ClaimedAppSKeyKek, also the OwnerAppSKeyKekResolver). Without a provider every device is `{ kind: 'none' }`.
 */
export abstract class AppSKeyKekResolver {
  abstract appSKeyKekFor(devEui: string): AppSKeyKek;
}

/**
 * The KEK the device's owner named for its AppSKey when claiming it (the claim's `kekLabel`, an AS key of
 * this join server). Asked before AppSKeyKekResolver: a JoinReq for a claimed device comes from its owner's
 * network (JoinPermission), so the owner's AS is the one to read its payloads. Answers `none` when no key
 * was named or the label is not one of its own (apps/lns: its application's ASTK, which AppSKeyKekResolver
 * holds). DI seam, optional.
 */
export abstract class OwnerAppSKeyKekResolver extends AppSKeyKekResolver {
  /** The label the owner named, whether or not this join server holds it; undefined when none. */
  abstract namedKekLabel(devEui: string): string | undefined;
}

const NO_APP_S_KEY_KEK: AppSKeyKek = { kind: 'none' };

/**
 * Who the AppSKey of a device is wrapped for: the key its owner named, else the application's, else the
 * requesting peer's (`none`). Fails closed: when the owner named a key that neither holds, the AppSKey
 * does not leave at all (TS002 §6.x: it is for the AS the owner chose, never the network server).
 */
export function chooseAppSKeyKek(
  devEui: string,
  owner: OwnerAppSKeyKekResolver | undefined,
  application: AppSKeyKekResolver | undefined,
): AppSKeyKek {
  const named = owner?.appSKeyKekFor(devEui) ?? NO_APP_S_KEY_KEK;
  if (named.kind !== 'none') return named;
  const fromApplication =
    application && application !== owner ? application.appSKeyKekFor(devEui) : NO_APP_S_KEY_KEK;
  if (fromApplication.kind !== 'none') return fromApplication;
  const label = owner?.namedKekLabel(devEui);
  if (label === undefined) return NO_APP_S_KEY_KEK;
  return {
    kind: 'unavailable',
    reason: `the device's owner asked for its AppSKey wrapped under KEK "${label}", which this join server does not hold`,
  };
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
