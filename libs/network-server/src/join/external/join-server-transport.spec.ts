import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import {
  createAgent,
  JoinServerTransport,
  JoinServerTransportError,
  MAX_ANSWER_BYTES,
  postJson,
} from './join-server-transport';
import {
  CA_CERT,
  CLIENT_CERT,
  CLIENT_KEY,
  SERVER_CERT,
  SERVER_KEY,
  UNTRUSTED_CLIENT_CERT,
  UNTRUSTED_CLIENT_KEY,
} from './testing/test-pki';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

function handle(h: Handler): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => h(req, body, res));
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(JoinServerTransportError);
  return (e as JoinServerTransportError).code;
}

describe('join server transport', () => {
  const servers: http.Server[] = [];
  const transports: JoinServerTransport[] = [];
  afterEach(async () => {
    for (const t of transports.splice(0)) t.agent.destroy();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  async function plain(h: Handler) {
    const server = http.createServer(handle(h));
    servers.push(server);
    const port = await listen(server);
    const url = new URL(`http://127.0.0.1:${port}/api/backend-interfaces`);
    const t: JoinServerTransport = {
      url,
      authorization: 'Bearer tok-0123456789abcdef',
      agent: createAgent(url),
    };
    transports.push(t);
    return { server, t };
  }

  it('POSTs JSON with the bearer token; keeps the connection for the next request', async () => {
    const seen: Array<{ auth?: string; type?: string; body: string; path?: string }> = [];
    let connections = 0;
    const { server, t } = await plain((req, body, res) => {
      seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body, path: req.url });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    server.on('connection', () => connections++);
    expect(await postJson(t, { A: 1 }, { timeoutMs: 2000 })).toEqual({ status: 200, body: '{"ok":true}' });
    await postJson(t, { A: 2 }, { timeoutMs: 2000, url: new URL('/api/js/claims', t.url) });
    expect(seen).toEqual([
      {
        auth: 'Bearer tok-0123456789abcdef',
        type: 'application/json',
        body: '{"A":1}',
        path: '/api/backend-interfaces',
      },
      {
        auth: 'Bearer tok-0123456789abcdef',
        type: 'application/json',
        body: '{"A":2}',
        path: '/api/js/claims',
      },
    ]);
    expect(connections).toBe(1);
  });

  it('a kept-alive connection the server dropped is retried once on a new one', async () => {
    const served = new WeakMap<object, number>();
    let connections = 0;
    const { server, t } = await plain((req, _body, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      // The second request on a connection finds it gone (a restart, an idle timeout racing the request).
      if (n > 1) return void req.socket.destroy();
      res.end('ok');
    });
    server.on('connection', () => connections++);
    expect((await postJson(t, {}, { timeoutMs: 2000 })).body).toBe('ok');
    expect((await postJson(t, {}, { timeoutMs: 2000 })).body).toBe('ok');
    expect(connections).toBe(2);
  });

  it('resolves any HTTP status with its body (the caller decides)', async () => {
    const { t } = await plain((_req, _body, res) => {
      res.statusCode = 401;
      res.end('no');
    });
    expect(await postJson(t, {}, { timeoutMs: 2000 })).toEqual({ status: 401, body: 'no' });
  });

  it('TIMEOUT when the answer is late; the request is abandoned', async () => {
    const { t } = await plain(() => undefined);
    const started = Date.now();
    expect(await codeOf(postJson(t, {}, { timeoutMs: 150 }))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('BAD_RESPONSE for an answer over the size limit', async () => {
    const { t } = await plain((_req, _body, res) => res.end('x'.repeat(MAX_ANSWER_BYTES + 1)));
    expect(await codeOf(postJson(t, {}, { timeoutMs: 2000 }))).toBe('BAD_RESPONSE');
  });

  it('UNREACHABLE when nothing listens', async () => {
    const { server, t } = await plain(() => undefined);
    servers.splice(servers.indexOf(server), 1);
    await new Promise((r) => server.close(r));
    expect(await codeOf(postJson(t, {}, { timeoutMs: 2000 }))).toBe('UNREACHABLE');
  });

  describe('HTTPS and mutual TLS', () => {
    async function tlsServer(requireClientCert: boolean) {
      const server = https.createServer(
        {
          cert: SERVER_CERT,
          key: SERVER_KEY,
          ...(requireClientCert ? { ca: CA_CERT, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handle((req, _body, res) => {
          const sock = req.socket as TLSSocket;
          res.end(JSON.stringify({ client: sock.authorized ? sock.getPeerCertificate().subject.CN : null }));
        }),
      );
      servers.push(server);
      return listen(server);
    }

    function transport(port: number, tls: { ca?: string; cert?: string; key?: string }): JoinServerTransport {
      const url = new URL(`https://localhost:${port}/bi`);
      const t = { url, agent: createAgent(url, tls) };
      transports.push(t);
      return t;
    }

    it('trusts the registered CA; refuses a certificate the system does not trust (TLS)', async () => {
      const port = await tlsServer(false);
      expect((await postJson(transport(port, { ca: CA_CERT }), {}, { timeoutMs: 3000 })).status).toBe(200);
      expect(await codeOf(postJson(transport(port, {}), {}, { timeoutMs: 3000 }))).toBe('TLS');
    });

    it('presents the client certificate; the server refuses a request without one or with an untrusted one', async () => {
      const port = await tlsServer(true);
      const ok = await postJson(
        transport(port, { ca: CA_CERT, cert: CLIENT_CERT, key: CLIENT_KEY }),
        {},
        { timeoutMs: 3000 },
      );
      expect(JSON.parse(ok.body)).toEqual({ client: '000013' });
      // TLS 1.3 reports the refusal as an alert after the handshake ("certificate required").
      expect(['TLS', 'UNREACHABLE']).toContain(
        await codeOf(postJson(transport(port, { ca: CA_CERT }), {}, { timeoutMs: 3000 })),
      );
      const untrusted = transport(port, {
        ca: CA_CERT,
        cert: UNTRUSTED_CLIENT_CERT,
        key: UNTRUSTED_CLIENT_KEY,
      });
      expect(['TLS', 'UNREACHABLE']).toContain(await codeOf(postJson(untrusted, {}, { timeoutMs: 3000 })));
    });
  });
});
