import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppSKeyKekResolver } from '@lns/join-server';
import { JoinServerDirectory } from '../../registry/join-server-directory';
import { RegistryModule } from '../../registry/registry.module';
import { JoinServerController } from './api/join-server.controller';
import { BackendInterfacesClient } from './backend-interfaces-client';
import { ExternalJoinServers } from './external-join-servers';
import { JoinServerEntity } from './join-server.entity';
import { JoinServerRegistry } from './join-server-registry';
import { JoinServerRepository } from './join-server.repository';
import { RegistryAppSKeyKekResolver } from './registry-app-s-key-kek-resolver';

/**
 * External join servers: their registry and REST routes (`/api/join-servers`), the Backend Interfaces
 * client the join handler sends JoinReq/RejoinReq with, and the AppSKeyKekResolver the embedded join
 * server's Backend Interfaces endpoint asks about our end-to-end applications. Needs StorageModule
 * (KeyCipher) and ConfigModule (global); imported by the NetworkServerModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([JoinServerEntity]), RegistryModule],
  controllers: [JoinServerController],
  providers: [
    JoinServerRepository,
    JoinServerRegistry,
    { provide: JoinServerDirectory, useExisting: JoinServerRegistry },
    BackendInterfacesClient,
    ExternalJoinServers,
    RegistryAppSKeyKekResolver,
    { provide: AppSKeyKekResolver, useExisting: RegistryAppSKeyKekResolver },
  ],
  exports: [
    JoinServerRegistry,
    JoinServerDirectory,
    BackendInterfacesClient,
    ExternalJoinServers,
    AppSKeyKekResolver,
  ],
})
export class ExternalJoinModule {}
