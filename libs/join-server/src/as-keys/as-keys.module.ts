import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JsAsKeyEntity } from './as-key.entity';
import { AsKeyRepository } from './as-key.repository';
import { AsKeyService } from './as-key.service';
import { AsKeysController } from './as-keys.controller';

/**
 * AS keys of the join server and their REST routes (`/api/js/as-keys`, admin token). Part of the
 * ManufacturerModule, whose claims name them; needs StorageModule (KeyCipher).
 */
@Module({
  imports: [TypeOrmModule.forFeature([JsAsKeyEntity])],
  controllers: [AsKeysController],
  providers: [AsKeyRepository, AsKeyService],
  exports: [AsKeyService],
})
export class AsKeysModule {}
