import { EventEmitter } from 'node:events';
import { INestApplication, Logger } from '@nestjs/common';
import { installShutdown } from './shutdown';

function harness(close: () => Promise<void>, timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const app = { close } as unknown as INestApplication;
  installShutdown(Promise.resolve(app), {
    name: 'test',
    timeoutMs,
    exit: (c) => void exits.push(c),
    signals: { on: (s: string, f: (...a: unknown[]) => void) => signals.on(s, f) } as never,
  });
  return { signals, exits };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('installShutdown', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each(['SIGTERM', 'SIGINT'])('%s closes the app, then exits 0', async (signal) => {
    let closed = false;
    const h = harness(async () => void (closed = true));
    h.signals.emit(signal, signal);
    await tick();
    expect(closed).toBe(true);
    expect(h.exits).toEqual([0]);
  });

  it('a failed close exits 1', async () => {
    const h = harness(() => Promise.reject(new Error('stuck')));
    h.signals.emit('SIGTERM', 'SIGTERM');
    await tick();
    expect(h.exits).toEqual([1]);
  });

  it('a second signal exits 1 at once; a close taking too long exits 1', async () => {
    const h = harness(() => new Promise(() => undefined), 30);
    h.signals.emit('SIGTERM', 'SIGTERM');
    h.signals.emit('SIGINT', 'SIGINT');
    expect(h.exits).toEqual([1]);
    await tick(60);
    expect(h.exits).toEqual([1, 1]);
  });
});
