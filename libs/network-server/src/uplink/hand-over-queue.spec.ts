import { HandOverQueue } from './hand-over-queue';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('HandOverQueue', () => {
  it('hands items over after the I/O of their turn, at most a budget of work per turn, oldest first', async () => {
    const handled: number[] = [];
    const q = new HandOverQueue<number>((i) => {
      handled.push(i);
      busy(2);
    }, 5);
    for (let i = 0; i < 10; i++) q.push(i);
    expect(handled).toEqual([]); // not in the pushing task
    await new Promise((r) => setImmediate(r));
    // 2 + 2 + 2 ms > 5 ms: the rest in later turns (fewer when this thread was descheduled meanwhile).
    expect(handled.length).toBeGreaterThanOrEqual(1);
    expect(handled.length).toBeLessThanOrEqual(3);
    expect(handled).toEqual([...Array(handled.length).keys()]);
    while (handled.length < 10) await new Promise((r) => setImmediate(r));
    expect(handled).toEqual([...Array(10).keys()]);
    expect(q.size).toBe(0);
  });

  it('hands over spare items only when no other item waits', async () => {
    const handled: string[] = [];
    const q = new HandOverQueue<string>((i) => {
      handled.push(i);
      if (i === 'due 1') q.push('due 3'); // came in while the others waited
    });
    q.pushSpare('spare 1');
    q.push('due 1');
    q.pushSpare('spare 2');
    q.push('due 2');
    expect(q.size).toBe(4);
    await new Promise((r) => setImmediate(r));
    expect(handled).toEqual(['due 1', 'due 2', 'due 3', 'spare 1', 'spare 2']);
    q.pushSpare('spare 3');
    q.pushSpare('spare 4');
    expect(q.stop()).toBe(2);
  });

  it('drops what is queued when stopped, and takes nothing after', async () => {
    const handled: number[] = [];
    const q = new HandOverQueue<number>((i) => void handled.push(i));
    q.push(1);
    q.push(2);
    expect(q.stop()).toBe(2);
    q.push(3);
    await new Promise((r) => setImmediate(r));
    expect(handled).toEqual([]);
  });
});
