import { MacVersion } from '@lns/storage';

/** A device's root keys as the local join server keeps them (sealed at rest there, never here). */
export interface DeviceRootKeys {
  /** 16 lowercase hex digits. */
  devEui: string;
  joinEui: string;
  macVersion: MacVersion;
  /** 1.0.x: the only root key, both session keys derive from it (L1.0.4 §6.2.5). 1.1: AppSKey's root (L1.1 §6.2.3). */
  appKey: Buffer;
  /** 1.1 only: the root of the network session keys and of the join MIC (L1.1 §6.2.2, §6.2.3). */
  nwkKey?: Buffer;
}

/**
 * Where the registry hands the root keys of devices that join through the local join server.
 * The network server never stores them: the devices table has no key column, and a device
 * with an external join server has no root key in this process at all. DI token; the local
 * join server (libs/join-server) provides it.
 */
export abstract class RootKeyStore {
  /**
   * Why the registry may not give this device root keys here, or undefined: checked before anything is
   * written (the local join server refuses a manufacturer's device, whose keys are its manufacturer's).
   */
  keysRefusal(_devEui: string): string | undefined {
    return undefined;
  }
  /** Creates or replaces the device's record (keys, JoinEUI, version); resolves once durable. */
  abstract upsertDeviceKeys(keys: DeviceRootKeys): Promise<void>;
  /**
   * The device left this network server: forgets it (no-op when unknown), or, for a device its
   * manufacturer's record holds, releases the claim and keeps the record; resolves once durable.
   */
  abstract removeDeviceKeys(devEui: string): Promise<void>;
}
