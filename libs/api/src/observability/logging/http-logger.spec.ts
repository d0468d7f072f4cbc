import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createLogger } from './create-logger';
import { httpRequestLogger } from './http-logger';

interface HttpLine {
  level: string;
  context?: string;
  req: { method: string; url: string; headers: Record<string, string> };
  res: { statusCode: number };
}

describe('httpRequestLogger', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  function logger(level: 'info' | 'debug') {
    const lines: string[] = [];
    const root = createLogger({
      level,
      pretty: false,
      destination: { write: (s: string) => void lines.push(s) },
    });
    return { root, entries: () => lines.map((l) => JSON.parse(l) as HttpLine) };
  }

  it('is not installed at all above debug: requests pay nothing', () => {
    expect(httpRequestLogger(logger('info').root)).toBeUndefined();
  });

  it('logs each request at debug with the Authorization header redacted', async () => {
    const { root, entries } = logger('debug');
    const middleware = httpRequestLogger(root)!;
    server = createServer((req, res) => middleware(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await request(`http://127.0.0.1:${port}`)
      .get('/api/devices')
      .set('Authorization', 'Bearer s3cret')
      .expect(200);
    const e = entries().find((x) => x.context === 'HTTP');
    expect(e).toMatchObject({
      level: 'debug',
      req: { method: 'GET', url: '/api/devices' },
      res: { statusCode: 200 },
    });
    expect(e!.req.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(entries())).not.toContain('s3cret');
  });
});
