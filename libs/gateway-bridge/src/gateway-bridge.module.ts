import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayController } from './api/gateway.controller';
import { DownlinkTracker } from './downlink/downlink-tracker';
import { GatewayBridgeService } from './gateway-bridge.service';
import { GatewayEntity } from './gateway/gateway.entity';
import { GatewayRepository } from './gateway/gateway.repository';
import { GatewayService } from './gateway/gateway.service';
import { GatewayRegistry } from './gateway/gateway-registry';
import { IntakeGuard } from './intake/intake-guard';

/**
 * The Semtech UDP packet forwarder bridge. Needs ConfigModule, EventBusModule and
 * StorageModule (all global) in the application.
 */
@Module({
  imports: [TypeOrmModule.forFeature([GatewayEntity])],
  controllers: [GatewayController],
  providers: [
    GatewayRegistry,
    GatewayRepository,
    GatewayService,
    DownlinkTracker,
    IntakeGuard,
    GatewayBridgeService,
  ],
  exports: [GatewayBridgeService, GatewayService, IntakeGuard],
})
export class GatewayBridgeModule {}
