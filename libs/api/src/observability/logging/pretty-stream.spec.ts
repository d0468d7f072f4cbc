import { createLogger } from './create-logger';
import { prettyLine, prettyStream } from './pretty-stream';

describe('pretty logs', () => {
  it('prints time, level, context and message, then other fields as JSON', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 'info',
        time: '2025-01-02T03:04:05.678Z',
        pid: 1,
        hostname: 'h',
        context: 'GatewayBridge',
        msg: 'listening udp=1700',
        port: 1700,
      }),
    );
    expect(line).toBe('03:04:05.678 INFO  [GatewayBridge] listening udp=1700 {"port":1700}\n');
  });

  it('prints a stack trace as lines after the message', () => {
    const line = prettyLine(
      JSON.stringify({ level: 'error', msg: 'boom', err: { stack: 'Error: boom\n    at x (y.ts:1:2)' } }),
    );
    expect(line).toBe(' ERROR boom\nError: boom\n    at x (y.ts:1:2)\n');
  });

  it('passes a line that is not JSON through', () => {
    expect(prettyLine('plain\n')).toBe('plain\n');
  });

  it('formats what the logger wrote, after redaction', () => {
    const out: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: prettyStream({ write: (s: string) => out.push(s) }),
    });
    logger.info({ appKey: '2b7e151628aed2a6abf7158809cf4f3c' }, 'hello');
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello \{"appKey":"\[redacted\]"\}\n$/);
  });
});
