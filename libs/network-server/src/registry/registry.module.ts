import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { ApplicationController } from './api/application.controller';
import { DeviceProfileController } from './api/device-profile.controller';
import { DeviceController } from './api/device.controller';
import { DeviceRegistry } from './device-registry';
import { QrProvisioningController } from './qr-provisioning/qr-provisioning.controller';
import { QrProvisioningPeers } from './qr-provisioning/qr-provisioning-peers';
import { QrProvisioningService } from './qr-provisioning/qr-provisioning.service';
import { RegistryPeers } from './registry-peers';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';

/**
 * Device profiles, applications and devices, with their REST API. Needs StorageModule and
 * ConfigModule (global). The SessionStore, the local join server's RootKeyStore and the
 * JoinServerDirectory are found in the application when first needed (RegistryPeers).
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeviceProfileEntity, ApplicationEntity, DeviceEntity])],
  controllers: [DeviceProfileController, ApplicationController, DeviceController, QrProvisioningController],
  providers: [
    RegistryRepository,
    RegistryPeers,
    RegistryService,
    { provide: DeviceRegistry, useExisting: RegistryService },
    // POST /api/devices/qr: TR005 simplified provisioning.
    QrProvisioningPeers,
    QrProvisioningService,
  ],
  exports: [RegistryService, DeviceRegistry],
})
export class RegistryModule {}
