import { readFileSync } from 'node:fs';
import { HttpTlsConfig } from '@lns/config';

/** What NestFactory.create takes as `httpsOptions` (node:https ServerOptions). */
export interface HttpsServerOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

export class HttpsConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`config ${key}: ${reason}`);
    this.name = 'HttpsConfigError';
  }
}

/**
 * HTTPS for the HTTP API when `http.tls.certFile`/`keyFile` are set; undefined = plain HTTP. With
 * `caFile`, clients are asked for a certificate (mutual TLS) but not refused at the handshake: routes
 * that need one (the Backend Interfaces endpoint) check it, the others still take the bearer token.
 */
export function httpsOptionsFrom(tls: HttpTlsConfig | undefined): HttpsServerOptions | undefined {
  if (!tls?.certFile) return undefined;
  const read = (key: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new HttpsConfigError(
        key,
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  };
  const options: HttpsServerOptions = {
    cert: read('http.tls.certFile', tls.certFile),
    key: read('http.tls.keyFile', tls.keyFile),
  };
  if (tls.caFile) {
    options.ca = read('http.tls.caFile', tls.caFile);
    options.requestCert = true;
    options.rejectUnauthorized = false;
  }
  return options;
}
