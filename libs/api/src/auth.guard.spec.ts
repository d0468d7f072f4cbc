import { Abstract, HttpException, NotFoundException } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ApiTokenGuard, Public } from './auth.guard';
import {
  ApplicationScoped,
  applicationFilterInQuery,
  applicationInBody,
  applicationParam,
  ApplicationScope,
  SHARED_WITH_APPLICATIONS,
} from './auth/application-scope';
import { ApplicationTokenVerifier, VerifiedApplicationToken } from './auth/application-token-verifier';
import { principalOf } from './auth/principal';

const ADMIN = 'the-admin-token-0123456789';
const APP_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const APP_B = 'bbbbbbbb-0000-4000-8000-000000000002';

/** A device registry in miniature, found by the guard the way the real one is: as a peer. */
class Devices {
  constructor(readonly owners: Record<string, string>) {}
}
const deviceMissing = (devEui: string) =>
  new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no device ${devEui}` });
const byDevice: ApplicationScope = {
  field: 'devEui',
  applicationOf: (req, peers) => {
    const eui = String(req.params?.devEui).toLowerCase();
    const app = peers(Devices)?.owners[eui];
    if (!app) throw deviceMissing(eui);
    return app;
  },
  otherApplication: (req) => deviceMissing(String(req.params?.devEui).toLowerCase()),
};

/** Routes as the real controllers mark them. */
class Routes {
  @Public() health() {}
  adminOnly() {}
  @ApplicationScoped(applicationParam('id')) application() {}
  @ApplicationScoped(applicationInBody('applicationId')) createDevice() {}
  @ApplicationScoped(applicationFilterInQuery('applicationId')) listDevices() {}
  @ApplicationScoped(SHARED_WITH_APPLICATIONS) profiles() {}
  @ApplicationScoped(byDevice) device() {}
}

@ApplicationScoped(applicationParam('id'))
class ScopedClass {
  any() {}
}

const TOKENS: Record<string, VerifiedApplicationToken> = {
  'lns_rw-a': { applicationId: APP_A, readOnly: false, tokenId: 't-rw-a' },
  'lns_ro-a': { applicationId: APP_A, readOnly: true, tokenId: 't-ro-a' },
  'lns_rw-b': { applicationId: APP_B, readOnly: false, tokenId: 't-rw-b' },
};

class FakeVerifier extends ApplicationTokenVerifier {
  calls: string[] = [];
  async verify(token: string) {
    this.calls.push(token);
    return TOKENS[token] ?? null;
  }
}

function setup(opts: { verifier?: boolean } = {}) {
  const verifier = new FakeVerifier();
  const peers = new Map<Abstract<unknown>, unknown>([[Devices, new Devices({ '0004a30b001c0530': APP_A })]]);
  if (opts.verifier !== false) peers.set(ApplicationTokenVerifier, verifier);
  const lookups: unknown[] = [];
  const moduleRef = {
    get: (token: Abstract<unknown>, o: { strict: boolean }) => {
      lookups.push(token);
      expect(o).toEqual({ strict: false });
      if (!peers.has(token)) throw new Error('not found');
      return peers.get(token);
    },
  } as unknown as ModuleRef;
  const guard = new ApiTokenGuard(new Reflector(), moduleRef, {
    adminToken: ADMIN,
    masterKey: Buffer.alloc(32),
  });
  return { guard, verifier, lookups };
}

interface Call {
  token?: string;
  header?: string;
  method?: string;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

function context(route: keyof Routes | 'classScoped', call: Call) {
  const req = {
    method: call.method ?? 'GET',
    headers: {
      authorization: call.header ?? (call.token !== undefined ? `Bearer ${call.token}` : undefined),
    },
    params: call.params ?? {},
    query: call.query ?? {},
    body: call.body,
  };
  const [cls, handler] =
    route === 'classScoped'
      ? [ScopedClass, ScopedClass.prototype.any]
      : [Routes, Routes.prototype[route] as (...a: unknown[]) => unknown];
  return { req, ctx: new ExecutionContextHost([req, {}], cls, handler) };
}

/** The guard's answer: 'ok' with the principal recorded, or the HTTP status and body thrown. */
async function run(g: ApiTokenGuard, route: keyof Routes | 'classScoped', call: Call) {
  const { req, ctx } = context(route, call);
  try {
    expect(await g.canActivate(ctx)).toBe(true);
    return { status: 'ok' as const, principal: principalOf(req) };
  } catch (err) {
    if (!(err instanceof HttpException)) throw err;
    return { status: err.getStatus(), body: err.getResponse() as Record<string, unknown> };
  }
}

describe('ApiTokenGuard', () => {
  it('lets @Public() routes through without a token, recording no caller', async () => {
    const { guard } = setup();
    expect(await run(guard, 'health', {})).toEqual({ status: 'ok', principal: undefined });
  });

  it.each([
    ['no header', {}],
    ['not Bearer', { header: `Basic ${ADMIN}` }],
    ['an unknown token', { token: 'lns_nope' }],
    ['the admin token with a character more', { token: ADMIN + 'x' }],
  ])('answers 401 to %s, on any route', async (_, call: Call) => {
    const { guard } = setup();
    for (const route of ['adminOnly', 'application', 'device'] as const) {
      const res = await run(guard, route, { ...call, params: { id: APP_A, devEui: '0004a30b001c0530' } });
      expect(res).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: 'missing or wrong bearer token' },
      });
    }
  });

  it('lets the admin token through everywhere, without asking the verifier', async () => {
    const { guard, verifier } = setup();
    for (const route of ['adminOnly', 'application', 'createDevice', 'device', 'classScoped'] as const) {
      const res = await run(guard, route, {
        token: ADMIN,
        method: 'DELETE',
        params: { id: APP_B, devEui: '0004a30b001c0530' },
      });
      expect(res).toEqual({ status: 'ok', principal: { kind: 'admin' } });
    }
    expect(verifier.calls).toEqual([]);
  });

  it('refuses an application token on a route not opened to it (403, not 401)', async () => {
    const { guard } = setup();
    expect(await run(guard, 'adminOnly', { token: 'lns_rw-a' })).toEqual({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'this route needs the admin token: an application token may not use it',
      },
    });
  });

  it("lets an application token use its own application's routes and records it as the caller", async () => {
    const { guard } = setup();
    const principal = { kind: 'application', applicationId: APP_A, readOnly: false, tokenId: 't-rw-a' };
    for (const [route, call] of [
      ['application', { method: 'GET', params: { id: APP_A } }],
      ['classScoped', { method: 'DELETE', params: { id: APP_A } }],
      ['createDevice', { method: 'POST', body: { applicationId: APP_A } }],
      ['listDevices', { query: { applicationId: APP_A } }],
      ['listDevices', {}],
      ['profiles', {}],
      ['device', { method: 'POST', params: { devEui: '0004A30B001C0530' } }],
    ] as Array<[keyof Routes | 'classScoped', Call]>) {
      expect(await run(guard, route, { ...call, token: 'lns_rw-a' })).toEqual({ status: 'ok', principal });
    }
  });

  it("refuses another application's resources with a 403 naming the field", async () => {
    const { guard } = setup();
    const notYours = (field: string) => ({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: `${field}: not this token's application`,
        fields: [{ field, reason: "not this token's application" }],
      },
    });
    const b = { token: 'lns_rw-b' };
    expect(await run(guard, 'application', { ...b, params: { id: APP_A } })).toEqual(notYours('id'));
    expect(await run(guard, 'classScoped', { ...b, params: { id: APP_A } })).toEqual(notYours('id'));
    expect(
      await run(guard, 'createDevice', { ...b, method: 'POST', body: { applicationId: APP_A } }),
    ).toEqual(notYours('applicationId'));
    expect(await run(guard, 'listDevices', { ...b, query: { applicationId: APP_A } })).toEqual(
      notYours('applicationId'),
    );
  });

  it('refuses a body that names no application, or names it with something else than a string', async () => {
    const { guard } = setup();
    const named = {
      status: 403,
      body: expect.objectContaining({
        fields: [{ field: 'applicationId', reason: "must name this token's application" }],
      }),
    };
    for (const body of [undefined, {}, { applicationId: [APP_A] }, 'text']) {
      expect(await run(guard, 'createDevice', { token: 'lns_rw-a', method: 'POST', body })).toEqual(named);
    }
  });

  it("answers another application's device exactly as a missing one", async () => {
    const { guard } = setup();
    const other = await run(guard, 'device', { token: 'lns_rw-b', params: { devEui: '0004A30B001C0530' } });
    const missing = await run(guard, 'device', { token: 'lns_rw-b', params: { devEui: '0004a30b001c0599' } });
    expect(other).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'no device 0004a30b001c0530' },
    });
    expect(missing).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'no device 0004a30b001c0599' },
    });
  });

  it('lets a read-only token only read, and says so before looking anything up', async () => {
    const { guard, lookups } = setup();
    const ro = { token: 'lns_ro-a' };
    expect(await run(guard, 'application', { ...ro, method: 'GET', params: { id: APP_A } })).toMatchObject({
      status: 'ok',
      principal: { readOnly: true, applicationId: APP_A },
    });
    expect(await run(guard, 'classScoped', { ...ro, method: 'HEAD', params: { id: APP_A } })).toMatchObject({
      status: 'ok',
    });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await run(guard, 'device', { ...ro, method, params: { devEui: '0004a30b001c0599' } });
      expect(res).toEqual({
        status: 403,
        body: {
          statusCode: 403,
          error: 'Forbidden',
          message: `this token is read-only: it may not ${method}`,
        },
      });
    }
    expect(lookups).not.toContain(Devices);
  });

  it('in a process without application tokens (the standalone join server) knows the admin token only', async () => {
    const { guard, lookups } = setup({ verifier: false });
    expect(await run(guard, 'application', { token: 'lns_rw-a', params: { id: APP_A } })).toMatchObject({
      status: 401,
    });
    expect(await run(guard, 'application', { token: 'lns_rw-a', params: { id: APP_A } })).toMatchObject({
      status: 401,
    });
    expect(await run(guard, 'adminOnly', { token: ADMIN })).toEqual({
      status: 'ok',
      principal: { kind: 'admin' },
    });
    // Looked up once: an absent verifier is remembered, not searched for on every request.
    expect(lookups.filter((t) => t === ApplicationTokenVerifier)).toHaveLength(1);
  });

  it('takes a verifier that calls a token the admin token as the admin', async () => {
    const { guard, verifier } = setup();
    verifier.verify = async () => ({ applicationId: null, readOnly: false, tokenId: null });
    expect(await run(guard, 'adminOnly', { token: 'another-admin' })).toEqual({
      status: 'ok',
      principal: { kind: 'admin' },
    });
  });
});
