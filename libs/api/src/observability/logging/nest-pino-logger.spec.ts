import { createLogger } from './create-logger';
import { NestPinoLogger } from './nest-pino-logger';

function setup(level: 'info' | 'debug' | 'trace' = 'trace') {
  const lines: string[] = [];
  const pino = createLogger({
    level,
    pretty: false,
    destination: { write: (s: string) => void lines.push(s) },
  });
  return {
    nest: new NestPinoLogger(pino),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('NestPinoLogger', () => {
  it('maps Nest levels to pino levels and the last argument to `context`', () => {
    const { nest, entries } = setup();
    nest.log('a', 'Ctx');
    nest.warn('b', 'Ctx');
    nest.debug('c', 'Ctx');
    nest.verbose('d', 'Ctx');
    nest.fatal('e', 'Ctx');
    nest.error('f', 'Ctx');
    expect(entries().map((e) => [e.level, e.msg, e.context])).toEqual([
      ['info', 'a', 'Ctx'],
      ['warn', 'b', 'Ctx'],
      ['debug', 'c', 'Ctx'],
      ['trace', 'd', 'Ctx'],
      ['fatal', 'e', 'Ctx'],
      ['error', 'f', 'Ctx'],
    ]);
  });

  it('keeps the stack trace Nest passes to error() apart from the context', () => {
    const { nest, entries } = setup();
    const stack = new Error('boom').stack!;
    nest.error('boom', stack, 'ExceptionsHandler');
    nest.error('alone', stack);
    nest.error('no stack', undefined, 'Ctx');
    const [a, b, c] = entries();
    expect(a).toMatchObject({ level: 'error', msg: 'boom', context: 'ExceptionsHandler', err: { stack } });
    expect(b).toMatchObject({ msg: 'alone', err: { stack } });
    expect(b.context).toBeUndefined();
    expect(c).toMatchObject({ msg: 'no stack', context: 'Ctx' });
    expect(c.err).toBeUndefined();
  });

  it('logs an Error with its message and stack', () => {
    const { nest, entries } = setup();
    nest.error(new Error('broken'), 'Ctx');
    expect(entries()[0]).toMatchObject({ msg: 'broken', context: 'Ctx', err: { message: 'broken' } });
  });

  it('logs an object as fields, redacted like any other', () => {
    const { nest, entries } = setup();
    nest.log(
      { msg: 'device created', devEui: '0101010101010101', appKey: '2b7e151628aed2a6abf7158809cf4f3c' },
      'Ctx',
    );
    expect(entries()[0]).toMatchObject({
      msg: 'device created',
      devEui: '0101010101010101',
      appKey: '[redacted]',
    });
  });

  it("moves Nest's start-up chatter to debug", () => {
    const info = setup('info');
    info.nest.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    info.nest.log('AppModule dependencies initialized', 'InstanceLoader');
    info.nest.log('Nest application successfully started', 'NestApplication');
    expect(info.entries().map((e) => e.msg)).toEqual(['Nest application successfully started']);
    const debug = setup('debug');
    debug.nest.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    expect(debug.entries()[0]).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});
