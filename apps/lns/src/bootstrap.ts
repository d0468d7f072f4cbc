import { INestApplication, Logger, LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AddressInfo } from 'node:net';
import { createValidationPipe } from '@lns/api';
import { LnsConfig, LogLevel, resolveSecrets } from '@lns/config';
import { AppModule } from './app.module';

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export interface StartedApp {
  app: INestApplication;
  httpPort: number;
}

/** Builds, configures and starts the LNS; used by main.ts and by the end-to-end tests. */
export async function startLns(config: LnsConfig): Promise<StartedApp> {
  const logger = new Logger('lns');
  const secrets = resolveSecrets(config);
  const app = await NestFactory.create(AppModule.forRoot(config, secrets), {
    logger: NEST_LEVELS[config.log.level],
    bufferLogs: false,
  });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());

  const doc = new DocumentBuilder()
    .setTitle('LNS')
    .setDescription('LoRaWAN network server and join server: management API')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'api/docs/json',
  });

  if (secrets.generatedAdminToken) {
    // Printed once, on the start that generated it; it is saved in the data dir.
    logger.log(
      `admin token (generated, saved in ${config.dataDir}/admin-token): ${secrets.generatedAdminToken}`,
    );
  }
  await app.listen(config.http.port, config.http.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  logger.log(`listening http=${httpPort}`);
  return { app, httpPort };
}
