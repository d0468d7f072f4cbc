import { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { ManufacturerCredentials } from './manufacturer-credentials';
import { ManufacturerError } from './manufacturer-errors';

/** An import body may be this large: about 150 000 CSV records, 100 000 JSON ones. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

export type ImportBody = { type: 'json'; value: unknown } | { type: 'csv'; text: string };

type Request = IncomingMessage & { body?: unknown };

/** `application/json` (and `…+json`), or CSV (`text/csv`, `application/csv`); else undefined. */
export function importMediaType(contentType: string | undefined): 'json' | 'csv' | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return 'json';
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/comma-separated-values')
    return 'csv';
  return undefined;
}

/** A body read by manufacturerImportBodyReader, before the application's body parsers. */
export class RawImportBody {
  constructor(
    readonly type: 'json' | 'csv',
    readonly text: string,
  ) {}
}

/** The request body as UTF-8 text, at most `maxBytes`; beyond, ManufacturerError BODY_TOO_LARGE. */
export function readRawBody(req: IncomingMessage, maxBytes = MAX_IMPORT_BYTES): Promise<string> {
  const tooLarge = () =>
    new ManufacturerError('BODY_TOO_LARGE', `the body is over ${maxBytes} bytes`, [
      { field: 'body', reason: `over ${maxBytes} bytes: split the import` },
    ]);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
      failed = true;
    });
  });
}

/**
 * The import body, however it arrived: read early by manufacturerImportBodyReader, parsed as JSON by the
 * application's parser (up to its limit), or still unread (CSV, which no default parser takes). Throws
 * ManufacturerError UNSUPPORTED_MEDIA_TYPE, INVALID_RECORDS (bad JSON) or BODY_TOO_LARGE.
 */
export async function importBodyOf(req: Request): Promise<ImportBody> {
  if (req.body instanceof RawImportBody) return fromText(req.body.type, req.body.text);
  const type = importMediaType(req.headers['content-type']);
  if (type === 'json') return { type, value: req.body };
  if (type === 'csv') {
    if (typeof req.body === 'string') return { type, text: req.body };
    return { type, text: await readRawBody(req) };
  }
  throw new ManufacturerError(
    'UNSUPPORTED_MEDIA_TYPE',
    'records are sent as application/json (an array) or text/csv',
    [{ field: 'Content-Type', reason: 'must be application/json or text/csv' }],
  );
}

function fromText(type: 'json' | 'csv', text: string): ImportBody {
  if (type === 'csv') return { type, text };
  try {
    return { type, value: JSON.parse(text) as unknown };
  } catch (e) {
    throw new ManufacturerError('INVALID_RECORDS', 'the body is not valid JSON', [
      { field: 'body', reason: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` },
    ]);
  }
}

const IMPORT_PATH = /\/js\/devices\/?$/;

/**
 * Express middleware that reads the body of an authenticated `POST …/js/devices` itself, up to
 * MAX_IMPORT_BYTES, before the application's JSON parser (100 kB by default) would refuse a JSON import
 * of a few thousand records. Requests without the manufacturer or admin token are left to the normal
 * path (and its 401): nobody unauthenticated gets a large body read.
 */
export function manufacturerImportBodyReader(credentials: ManufacturerCredentials) {
  return (req: Request, res: ServerResponse, next: (err?: unknown) => void): void => {
    const type = importMediaType(req.headers['content-type']);
    const path = (req.url ?? '').split('?')[0];
    if (
      req.method !== 'POST' ||
      !type ||
      !IMPORT_PATH.test(path) ||
      !credentials.accepts(req.headers.authorization)
    ) {
      next();
      return;
    }
    readRawBody(req).then(
      (text) => {
        req.body = new RawImportBody(type, text);
        next();
      },
      (err: unknown) => {
        if (err instanceof ManufacturerError) {
          res.statusCode = 413;
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.setHeader('connection', 'close');
          res.end(
            JSON.stringify({
              statusCode: 413,
              error: 'Payload Too Large',
              message: err.message,
              fields: err.problems,
            }),
          );
          return;
        }
        next(err);
      },
    );
  };
}

/**
 * Installs manufacturerImportBodyReader on an application that serves the join server, before it
 * starts (the app's own body parsers are installed at start, after it). Without it, CSV imports still
 * work at any size and JSON imports up to the application's JSON limit.
 */
export function installManufacturerImportBody(app: INestApplication): void {
  app.use(manufacturerImportBodyReader(app.get(ManufacturerCredentials, { strict: false })));
}
