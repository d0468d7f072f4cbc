import { Region } from '@lns/lorawan';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';

/** A device with its profile, application and region: what the uplink path needs, in memory. */
export interface DeviceContext {
  device: DeviceEntity;
  profile: DeviceProfileEntity;
  application: ApplicationEntity;
  region: Region;
}

/**
 * Devices, profiles and applications, cached in memory (loaded at start, kept current by the
 * REST writes that go through it). The uplink path reads only this cache.
 */
export abstract class DeviceRegistry {
  abstract get(devEui: string): DeviceContext | undefined;
  abstract getByJoin(joinEui: string, devEui: string): DeviceContext | undefined;
  abstract application(id: string): ApplicationEntity | undefined;
  abstract profile(id: string): DeviceProfileEntity | undefined;
}
