import { DynamicModule, Global, Module } from '@nestjs/common';
import { LnsConfig } from './config.schema';
import { Secrets } from './secrets';

export const LNS_CONFIG = Symbol('LNS_CONFIG');
export const LNS_SECRETS = Symbol('LNS_SECRETS');

/** Makes the loaded configuration and secrets injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LnsConfig, secrets: Secrets): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: LNS_CONFIG, useValue: config },
        { provide: LNS_SECRETS, useValue: secrets },
      ],
      exports: [LNS_CONFIG, LNS_SECRETS],
    };
  }
}
