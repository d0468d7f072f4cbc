import { AddressInfo } from 'node:net';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  createLogger,
  createValidationPipe,
  httpRequestLogger,
  httpsOptionsFrom,
  NestPinoLogger,
} from '@lns/api';
import { LnsConfig, resolveSecrets } from '@lns/config';
import { JoinServerAppModule } from './app.module';

export interface StartedJoinServer {
  app: INestApplication;
  httpPort: number;
}

/** Builds, configures and starts the standalone join server; used by main.ts and by end-to-end tests. */
export async function startJoinServer(config: LnsConfig): Promise<StartedJoinServer> {
  const root = createLogger({ level: config.log.level });
  const logger = new Logger('join-server');
  const secrets = resolveSecrets(config);
  const httpsOptions = httpsOptionsFrom(config.http.tls);
  const app = await NestFactory.create(JoinServerAppModule.forRoot(config, secrets), {
    logger: new NestPinoLogger(root),
    bufferLogs: false,
    httpsOptions,
  });
  const requestLog = httpRequestLogger(root);
  if (requestLog) app.use(requestLog);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());

  const doc = new DocumentBuilder()
    .setTitle('LNS join server')
    .setDescription(
      'Standalone LoRaWAN join server: device root keys, DevNonce/JoinNonce state, and the LoRaWAN Backend ' +
        'Interfaces endpoint (POST /api/backend-interfaces) for any network server',
    )
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
  if (httpsOptions) {
    logger.log(`HTTPS${httpsOptions.requestCert ? ', client certificates requested (mutual TLS)' : ''}`);
  }
  logger.log(`listening http=${httpPort}`);
  return { app, httpPort };
}
