import { Controller, Get, INestApplication, Logger, NotFoundException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { errorBody, fieldError, MapErrors, mapError, mappedErrorBody, mappedException } from './http-errors';

class ThingNotFoundError extends Error {
  constructor(readonly thingId: string) {
    super(`no thing ${thingId}`);
  }
}
class LimitError extends Error {
  constructor(readonly limit: number) {
    super(`at most ${limit}`);
  }
}
/** A subclass mapped before its base: the first mapping that matches answers. */
class SpecialLimitError extends LimitError {}

const thingNotFound = mapError(ThingNotFoundError, {
  status: 404,
  field: 'thingId',
  reason: 'no such thing',
});
const specialLimit = mapError(SpecialLimitError, {
  status: 400,
  field: 'kind',
  reason: 'special',
  message: 'own',
});
const limit = mapError(LimitError, (err) => ({
  status: 409,
  field: 'count',
  reason: `at most ${err.limit}`,
}));

@MapErrors(specialLimit, thingNotFound, limit)
@Controller('things')
class ThingController {
  @Get('missing')
  missing(): never {
    throw new ThingNotFoundError('t1');
  }

  @Get('full')
  async full(): Promise<never> {
    throw new LimitError(3);
  }

  @Get('special')
  special(): never {
    throw new SpecialLimitError(1);
  }

  @Get('unmapped')
  unmapped(): never {
    throw new Error('boom');
  }

  @Get('http')
  http(): never {
    throw fieldError(404, 'no such route thing', 'x', 'gone');
  }
}

/** Declares no mapping: the same error keeps Nest's answer here (mappings are the routes' own). */
@Controller('others')
class OtherController {
  @Get('missing')
  missing(): never {
    throw new ThingNotFoundError('t2');
  }
}

describe('MapErrors', () => {
  let app: INestApplication;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    const module = await Test.createTestingModule({
      controllers: [ThingController, OtherController],
    }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  const get = (path: string) => request(app.getHttpServer()).get(path);

  it('answers a mapped error with its status and the error body, byte for byte', async () => {
    const res = await get('/things/missing')
      .expect(404)
      .expect('Content-Type', /application\/json/);
    expect(res.text).toBe(
      '{"statusCode":404,"error":"Not Found","message":"no thing t1","fields":[{"field":"thingId","reason":"no such thing"}]}',
    );
  });

  it('reads the answer from the error when the mapping is a function (async routes too)', async () => {
    const res = await get('/things/full').expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'at most 3',
      fields: [{ field: 'count', reason: 'at most 3' }],
    });
  });

  it('takes the first mapping that matches, and a message the mapping gives', async () => {
    const res = await get('/things/special').expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'own',
      fields: [{ field: 'kind', reason: 'special' }],
    });
  });

  it('leaves other errors to Nest: an unmapped one is still a 500, an HttpException its own answer', async () => {
    expect((await get('/things/unmapped').expect(500)).body).toEqual({
      statusCode: 500,
      message: 'Internal server error',
    });
    expect((await get('/things/http').expect(404)).text).toBe(
      '{"statusCode":404,"error":"Not Found","message":"no such route thing","fields":[{"field":"x","reason":"gone"}]}',
    );
  });

  it('maps only on the controllers that declare it', async () => {
    expect((await get('/others/missing').expect(500)).body.statusCode).toBe(500);
  });
});

describe('error bodies', () => {
  it('builds the validation pipe’s shape, keys in its order', () => {
    expect(JSON.stringify(errorBody(409, 'm', [{ field: 'f', reason: 'r' }]))).toBe(
      '{"statusCode":409,"error":"Conflict","message":"m","fields":[{"field":"f","reason":"r"}]}',
    );
  });

  it("throws Nest's own exception for the status, so callers may test for it", () => {
    const e = fieldError(404, 'm', 'f', 'r');
    expect(e).toBeInstanceOf(NotFoundException);
    expect(e.getStatus()).toBe(404);
    expect(e.getResponse()).toEqual(errorBody(404, 'm', [{ field: 'f', reason: 'r' }]));
  });

  it('gives no body for an error no mapping is about, and the mapped exception for one', () => {
    expect(mappedErrorBody([thingNotFound], new Error('x'))).toBeUndefined();
    const e = mappedException(thingNotFound, new ThingNotFoundError('t3'));
    expect(e).toBeInstanceOf(NotFoundException);
    expect(e.getResponse()).toEqual(
      errorBody(404, 'no thing t3', [{ field: 'thingId', reason: 'no such thing' }]),
    );
  });
});
