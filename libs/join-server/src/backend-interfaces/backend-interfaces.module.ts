import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JsDeviceEntity } from '../device/js-device.entity';
import { JsDeviceRepository } from '../device/js-device.repository';
import { BackendInterfacesController } from './backend-interfaces.controller';
import { BackendInterfacesPeers } from './backend-interfaces-peers';
import { BackendInterfacesService } from './backend-interfaces.service';

/**
 * The join server's LoRaWAN Backend Interfaces endpoint (`POST /api/backend-interfaces`). Needs the
 * embedded join server (JoinServerModule, global), StorageModule and ConfigModule. The AppSKeyKekResolver
 * and HomeNetIdResolver seams are looked up in the whole application when present.
 */
@Module({
  imports: [TypeOrmModule.forFeature([JsDeviceEntity])],
  controllers: [BackendInterfacesController],
  providers: [JsDeviceRepository, BackendInterfacesPeers, BackendInterfacesService],
  exports: [BackendInterfacesService],
})
export class BackendInterfacesModule {}
