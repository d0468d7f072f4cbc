import { WriteBatcher } from './write-batcher';
import { WriteQueue } from './write-queue';

describe('WriteBatcher', () => {
  let batches: string[][];
  const writeAll = async (items: string[]) => {
    batches.push(items);
    return items.map((i) => (i.startsWith('bad') ? new Error(`refused ${i}`) : undefined));
  };

  beforeEach(() => {
    jest.useFakeTimers();
    batches = [];
  });
  afterEach(() => jest.useRealTimers());

  it('writes the items added within delayMs together; each add() settles with its own item', async () => {
    const b = new WriteBatcher(new WriteQueue(), writeAll, { delayMs: 2, maxItems: 10 });
    const x = b.add('x');
    const bad = b.add('bad-y');
    expect(b.pending).toBe(2);
    jest.advanceTimersByTime(2);
    await expect(x).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('refused bad-y');
    expect(batches).toEqual([['x', 'bad-y']]);
  });

  it('writes a full batch at once, and seal() hands over what is gathered', async () => {
    const b = new WriteBatcher(new WriteQueue(), writeAll, { delayMs: 1000, maxItems: 2 });
    const done = [b.add('a'), b.add('b')];
    await Promise.all(done);
    const c = b.add('c');
    b.seal();
    await c;
    expect(batches).toEqual([['a', 'b'], ['c']]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects every item when the whole write fails, and runs in order with the queue', async () => {
    const queue = new WriteQueue();
    const order: string[] = [];
    const b = new WriteBatcher<string>(
      queue,
      async (items) => {
        order.push(`batch ${items.join()}`);
        throw new Error('disk full');
      },
      { delayMs: 1, maxItems: 10 },
    );
    const x = b.add('x');
    b.seal();
    const after = queue.run(async () => void order.push('after'));
    await expect(x).rejects.toThrow('disk full');
    await after;
    expect(order).toEqual(['batch x', 'after']);
  });
});
