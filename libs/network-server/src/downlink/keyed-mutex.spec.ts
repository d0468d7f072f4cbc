import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs the tasks of one key one after another, of other keys side by side, and survives a failure', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
      };
    const a1 = m.run('a', task('a1', 20, true));
    const a2 = m.run('a', task('a2', 1));
    const b1 = m.run('b', task('b1', 5));
    expect(m.busy('a')).toBe(true);
    await expect(a1).rejects.toThrow('a1');
    await Promise.all([a2, b1]);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    await new Promise((r) => setImmediate(r));
    expect(m.busy('a')).toBe(false);
  });
});
