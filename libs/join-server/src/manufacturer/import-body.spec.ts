import { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { LnsConfig, Secrets } from '@lns/config';
import {
  importBodyOf,
  importMediaType,
  manufacturerImportBodyReader,
  RawImportBody,
  readRawBody,
} from './import-body';
import { ManufacturerCredentials } from './manufacturer-credentials';
import { ManufacturerError } from './manufacturer-errors';

type Req = IncomingMessage & { body?: unknown };

/** A request whose body streams `text` (ended), with the given headers. */
function requestOf(
  text: string,
  headers: Record<string, string>,
  method = 'POST',
  url = '/api/js/devices',
): Req {
  const stream = new PassThrough() as unknown as Req;
  Object.assign(stream, { headers, method, url });
  (stream as unknown as PassThrough).end(text);
  return stream;
}

const credentials = new ManufacturerCredentials(
  { adminToken: 'admin-token-admin-token', manufacturerToken: 'maker-token-maker-token' } as Secrets,
  { dataDir: '/tmp' } as LnsConfig,
);

describe('importMediaType', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/vnd.records+json', 'json'],
    ['text/csv', 'csv'],
    ['Text/CSV; charset=UTF-8', 'csv'],
    ['application/csv', 'csv'],
    ['application/xml', undefined],
    [undefined, undefined],
  ])('%s → %s', (type, media) => {
    expect(importMediaType(type)).toBe(media);
  });
});

describe('readRawBody', () => {
  it('reads the body as UTF-8', async () => {
    await expect(readRawBody(requestOf('dev_eui;é', {}))).resolves.toBe('dev_eui;é');
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    await expect(readRawBody(requestOf('x', { 'content-length': '100' }), 10)).rejects.toMatchObject({
      code: 'BODY_TOO_LARGE',
    });
    await expect(readRawBody(requestOf('x'.repeat(100), {}), 10)).rejects.toBeInstanceOf(ManufacturerError);
  });
});

describe('importBodyOf', () => {
  it('takes a body read early, parsing JSON', async () => {
    const req = requestOf('', {});
    req.body = new RawImportBody('json', '[{"devEui":"01"}]');
    await expect(importBodyOf(req)).resolves.toEqual({ type: 'json', value: [{ devEui: '01' }] });
    req.body = new RawImportBody('json', '[{');
    await expect(importBodyOf(req)).rejects.toMatchObject({ code: 'INVALID_RECORDS' });
  });

  it('takes JSON the application parsed, and reads CSV itself', async () => {
    const json = requestOf('', { 'content-type': 'application/json' });
    json.body = [1];
    await expect(importBodyOf(json)).resolves.toEqual({ type: 'json', value: [1] });
    await expect(importBodyOf(requestOf('a,b\n1,2', { 'content-type': 'text/csv' }))).resolves.toEqual({
      type: 'csv',
      text: 'a,b\n1,2',
    });
  });

  it('refuses another media type', async () => {
    await expect(
      importBodyOf(requestOf('<x/>', { 'content-type': 'application/xml' })),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });
});

describe('manufacturerImportBodyReader', () => {
  const reader = manufacturerImportBodyReader(credentials);
  const run = (req: Req) =>
    new Promise<{ next: boolean; res: { statusCode?: number; body?: string } }>((resolve) => {
      const out: { statusCode?: number; body?: string } = {};
      const res = {
        set statusCode(c: number) {
          out.statusCode = c;
        },
        setHeader: () => undefined,
        end: (b: string) => {
          out.body = b;
          resolve({ next: false, res: out });
        },
      } as unknown as ServerResponse;
      reader(req, res, () => resolve({ next: true, res: out }));
    });

  it('reads an authenticated import (manufacturer or admin token) before any body parser', async () => {
    for (const token of ['maker-token-maker-token', 'admin-token-admin-token']) {
      const req = requestOf('[]', { 'content-type': 'application/json', authorization: `Bearer ${token}` });
      expect((await run(req)).next).toBe(true);
      expect(req.body).toEqual(new RawImportBody('json', '[]'));
    }
  });

  it('leaves other requests alone: no token, a wrong one, another route or method', async () => {
    const cases: Req[] = [
      requestOf('[]', { 'content-type': 'application/json' }),
      requestOf('[]', { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' }),
      requestOf(
        '[]',
        { 'content-type': 'application/json', authorization: 'Bearer maker-token-maker-token' },
        'POST',
        '/api/js/claims',
      ),
      requestOf('', { authorization: 'Bearer maker-token-maker-token' }, 'GET'),
      requestOf('<x/>', {
        'content-type': 'application/xml',
        authorization: 'Bearer maker-token-maker-token',
      }),
    ];
    for (const req of cases) {
      expect((await run(req)).next).toBe(true);
      expect(req.body).toBeUndefined();
    }
  });

  it('answers 413 itself for a body over 16 MiB', async () => {
    const req = requestOf('', {
      'content-type': 'text/csv',
      'content-length': String(17 * 1024 * 1024),
      authorization: 'Bearer maker-token-maker-token',
    });
    const { next, res } = await run(req);
    expect(next).toBe(false);
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body!)).toMatchObject({ statusCode: 413, fields: [{ field: 'body' }] });
  });
});
