export * from './device-profile.entity';
export * from './application.entity';
export * from './device.entity';
export * from './device-session.entity';
export * from './device-queue-item.entity';

import { ApplicationEntity } from './application.entity';
import { DeviceProfileEntity } from './device-profile.entity';
import { DeviceQueueItemEntity } from './device-queue-item.entity';
import { DeviceSessionEntity } from './device-session.entity';
import { DeviceEntity } from './device.entity';

/** The network registry's entities, for TypeOrmModule.forFeature. */
export const REGISTRY_ENTITIES = [
  DeviceProfileEntity,
  ApplicationEntity,
  DeviceEntity,
  DeviceSessionEntity,
  DeviceQueueItemEntity,
];
