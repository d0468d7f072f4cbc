import { createLogger, REDACTED, SECRET_FIELDS } from './create-logger';

const KEY = '2b7e151628aed2a6abf7158809cf4f3c';

function capture(level: Parameters<typeof createLogger>[0]['level'] = 'trace') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    pretty: false,
    destination: { write: (s: string) => void lines.push(s) },
  });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object a line: level by name, ISO time, msg', () => {
    const { logger, lines, entries } = capture();
    logger.info({ context: 'GatewayBridge' }, 'listening udp=1700');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].trimEnd()).not.toContain('\n');
    expect(entries()[0]).toMatchObject({
      level: 'info',
      context: 'GatewayBridge',
      msg: 'listening udp=1700',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, entries } = capture('warn');
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    logger.fatal('louder');
    expect(entries().map((e) => e.msg)).toEqual(['loud', 'louder']);
  });

  it.each(SECRET_FIELDS.map((f) => [f]))('redacts %s at the top and two levels down', (field) => {
    const { logger, lines } = capture();
    logger.info({ [field]: KEY, device: { [field]: KEY }, req: { body: { [field]: KEY } } }, 'x');
    expect(lines[0]).not.toContain(KEY);
    const e = JSON.parse(lines[0]);
    expect(e[field]).toBe(REDACTED);
    expect(e.device[field]).toBe(REDACTED);
    expect(e.req.body[field]).toBe(REDACTED);
  });

  it('redacts the Authorization and Cookie headers of a request', () => {
    const { logger, lines } = capture();
    logger.debug(
      { req: { headers: { authorization: 'Bearer s3cret-token', cookie: 'sid=s3cret', host: 'h' } } },
      'r',
    );
    expect(lines[0]).not.toContain('s3cret');
    expect(JSON.parse(lines[0]).req.headers.host).toBe('h');
  });

  it('leaves other fields alone', () => {
    const { logger, entries } = capture();
    logger.info({ devEui: '0101010101010101', keyId: 'k1' }, 'x');
    expect(entries()[0]).toMatchObject({ devEui: '0101010101010101', keyId: 'k1' });
  });
});
