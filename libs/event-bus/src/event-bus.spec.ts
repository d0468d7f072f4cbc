import { EventBus } from './event-bus';

declare module '@lns/event-bus' {
  interface EventMap {
    'test.ping': { n: number };
  }
}

describe('EventBus', () => {
  it('delivers to every subscriber in order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('test.ping', (e) => void seen.push(`a${e.n}`));
    bus.on('test.ping', (e) => void seen.push(`b${e.n}`));
    bus.emit('test.ping', { n: 1 });
    expect(seen).toEqual(['a1', 'b1']);
  });

  it('keeps delivering when a handler throws or rejects', async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.on('test.ping', () => {
      throw new Error('boom');
    });
    bus.on('test.ping', () => Promise.reject(new Error('async boom')));
    bus.on('test.ping', (e) => void seen.push(e.n));
    expect(() => bus.emit('test.ping', { n: 7 })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([7]);
  });

  it('unsubscribes', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const off = bus.on('test.ping', (e) => void seen.push(e.n));
    off();
    bus.emit('test.ping', { n: 1 });
    expect(seen).toEqual([]);
    expect(bus.listenerCount('test.ping')).toBe(0);
  });
});
