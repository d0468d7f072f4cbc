import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AddressInfo } from 'node:net';
import {
  createLogger,
  createValidationPipe,
  httpRequestLogger,
  httpsOptionsFrom,
  NestPinoLogger,
} from '@lns/api';
import { LnsConfig, resolveSecrets } from '@lns/config';
import { installManufacturerImportBody } from '@lns/join-server';
import { AppModule } from './app.module';
import { observeLns } from './observability/observe-lns';

export interface StartedApp {
  app: INestApplication;
  httpPort: number;
}

/** Builds, configures and starts the LNS; used by main.ts and by the end-to-end tests. */
export async function startLns(config: LnsConfig): Promise<StartedApp> {
  // JSON lines at config log.level for everything, Nest's own messages included.
  const root = createLogger({ level: config.log.level });
  const logger = new Logger('lns');
  const secrets = resolveSecrets(config);
  const app = await NestFactory.create(AppModule.forRoot(config, secrets), {
    logger: new NestPinoLogger(root),
    bufferLogs: false,
    // HTTPS (and client certificates for the Backend Interfaces) when http.tls is set.
    httpsOptions: httpsOptionsFrom(config.http.tls),
  });
  observeLns(app);
  const requestLog = httpRequestLogger(root);
  if (requestLog) app.use(requestLog);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  // Manufacturer imports of thousands of records: read before the 100 kB JSON parser refuses them.
  installManufacturerImportBody(app);

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
