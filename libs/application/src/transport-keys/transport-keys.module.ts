import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppSKeyKekProvider } from '@lns/network-server';
import { ApplicationEntity } from '@lns/storage';
import { TransportKeyController } from './api/transport-key.controller';
import { AstkKekProvider } from './astk-kek-provider';
import { TransportKeyEntity } from './transport-key.entity';
import { TransportKeyRepository } from './transport-key.repository';
import { TransportKeyService } from './transport-key.service';

/**
 * AS transport keys and their REST routes. Global, because the network server's join handling
 * (NetworkServerModule, which does not import the application side) injects AppSKeyKekProvider.
 * Needs StorageModule (KeyCipher).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([TransportKeyEntity, ApplicationEntity])],
  controllers: [TransportKeyController],
  providers: [
    TransportKeyRepository,
    TransportKeyService,
    AstkKekProvider,
    { provide: AppSKeyKekProvider, useExisting: AstkKekProvider },
  ],
  exports: [TransportKeyService, AppSKeyKekProvider],
})
export class TransportKeysModule {}
