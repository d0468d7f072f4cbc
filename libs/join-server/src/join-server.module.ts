import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JoinServerDeviceController } from './api/join-server-device.controller';
import { JsDeviceEntity } from './device/js-device.entity';
import { JsDeviceRepository } from './device/js-device.repository';
import { JoinServerService } from './join-server.service';
import { ManufacturerModule } from './manufacturer/manufacturer.module';

/**
 * The embedded join server. Needs StorageModule (KeyCipher, TypeORM) and ConfigModule. Global so the
 * network server (local joins) and the registry (root keys of new devices) reach JoinServerService
 * without importing this module, and so the standalone join server app composes it alone.
 */
@Global()
@Module({
  // ManufacturerModule: manufacturer records, owner tokens, claims, TR005 QR codes (/api/js/...).
  imports: [TypeOrmModule.forFeature([JsDeviceEntity]), ManufacturerModule],
  controllers: [JoinServerDeviceController],
  providers: [JsDeviceRepository, JoinServerService],
  exports: [JoinServerService, ManufacturerModule],
})
export class JoinServerModule {}
