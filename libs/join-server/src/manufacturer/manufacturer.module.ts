import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AsKeysModule } from '../as-keys/as-keys.module';
import {
  HomeNetIdResolver,
  JoinPermission,
  OwnerAppSKeyKekResolver,
} from '../backend-interfaces/owner-hooks';
import { ClaimedAppSKeyKek } from '../claims/claimed-app-s-key-kek';
import { ClaimService } from '../claims/claim.service';
import { ClaimedHomeNetId } from '../claims/claimed-home-net-id';
import { ClaimedJoinPermission } from '../claims/claimed-join-permission';
import { ClaimsController } from '../claims/claims.controller';
import { DeviceOwnershipRegistry } from '../claims/device-ownership';
import { JsDeviceEntity } from '../device/js-device.entity';
import { ManufacturerCredentials } from './manufacturer-credentials';
import { ManufacturerRecordEntity } from './manufacturer-record.entity';
import { ManufacturerRecordRepository } from './manufacturer-record.repository';
import { ManufacturerTokenGuard } from './manufacturer-token.guard';
import { ManufacturerController } from './manufacturer.controller';
import { ManufacturerService } from './manufacturer.service';

/**
 * Manufacturer records, owner tokens, claims and TR005 QR codes (`/api/js/devices`, `/api/js/claims`).
 * Part of JoinServerModule, so every app serving the join server serves these routes; uses its
 * JoinServerService (global), StorageModule and ConfigModule. Provides the seams of the Backend
 * Interfaces endpoint the claim answers: HomeNetIdResolver (its NetID), JoinPermission, and
 * OwnerAppSKeyKekResolver (its AS key, `/api/js/as-keys`).
 */
@Module({
  // AsKeysModule: the AS keys claims name (`/api/js/as-keys`).
  imports: [TypeOrmModule.forFeature([JsDeviceEntity, ManufacturerRecordEntity]), AsKeysModule],
  controllers: [ManufacturerController, ClaimsController],
  providers: [
    ManufacturerRecordRepository,
    ManufacturerCredentials,
    ManufacturerTokenGuard,
    DeviceOwnershipRegistry,
    ManufacturerService,
    ClaimService,
    ClaimedHomeNetId,
    { provide: HomeNetIdResolver, useExisting: ClaimedHomeNetId },
    ClaimedJoinPermission,
    { provide: JoinPermission, useExisting: ClaimedJoinPermission },
    ClaimedAppSKeyKek,
    { provide: OwnerAppSKeyKekResolver, useExisting: ClaimedAppSKeyKek },
  ],
  exports: [
    ManufacturerService,
    ClaimService,
    DeviceOwnershipRegistry,
    ManufacturerCredentials,
    HomeNetIdResolver,
    JoinPermission,
    OwnerAppSKeyKekResolver,
    ClaimedAppSKeyKek,
    AsKeysModule,
  ],
})
export class ManufacturerModule {}
