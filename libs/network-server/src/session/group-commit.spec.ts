import { GroupCommit } from './group-commit';
import { WriteQueue } from './write-queue';

interface Row {
  key: string;
  value: number;
}

const flushPromises = () =>
  new Promise((r) => jest.requireActual<typeof import('timers')>('timers').setImmediate(r));

describe('GroupCommit', () => {
  let batches: Array<Array<[string, number]>>;
  let fail: number;
  let queue: WriteQueue;
  const write = async (batch: Row[]) => {
    if (fail > 0) {
      fail--;
      throw new Error('disk full');
    }
    batches.push(batch.map((r) => [r.key, r.value]));
  };

  beforeEach(() => {
    jest.useFakeTimers();
    batches = [];
    fail = 0;
    queue = new WriteQueue();
  });
  afterEach(() => jest.useRealTimers());

  /** Writes off the event loop (a worker thread), one at a time; `release()` ends the one in flight. */
  function pipelinedWithOneWriteInFlight() {
    let ends: () => void = () => undefined;
    const offLoop = (batch: Row[]) =>
      new Promise<void>((resolve) => {
        batches.push(batch.map((r) => [r.key, r.value]));
        ends = resolve;
      });
    return { gc: new GroupCommit<Row>(queue, offLoop), release: () => ends() };
  }

  it('writes what is marked within the delay in one batch, each key once with its latest value', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 5 });
    const a = { key: 'a', value: 1 };
    gc.mark('a', a);
    gc.mark('b', { key: 'b', value: 2 });
    a.value = 3;
    gc.mark('a', a);
    const done = gc.committed();
    expect(batches).toHaveLength(0);
    jest.advanceTimersByTime(5);
    await done;
    expect(batches).toEqual([
      [
        ['a', 3],
        ['b', 2],
      ],
    ]);
  });

  it('spaces commits under load: the next seal waits spacing × the last write duration, at most maxDelayMs', async () => {
    // better-sqlite3 blocks the event loop for the whole commit (fsync included): here 3 ms.
    const slow = async (batch: Row[]) => {
      jest.advanceTimersByTime(3);
      await write(batch);
    };
    const gc = new GroupCommit<Row>(queue, slow, { delayMs: 2, spacing: 4, maxDelayMs: 20 });
    gc.mark('a', { key: 'a', value: 1 });
    jest.advanceTimersByTime(2);
    await gc.committed();
    expect(batches).toHaveLength(1);

    gc.mark('b', { key: 'b', value: 1 });
    const b = gc.committed();
    jest.advanceTimersByTime(11);
    await flushPromises();
    expect(batches).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await b;
    expect(batches).toEqual([[['a', 1]], [['b', 1]]]);

    const capped = new GroupCommit<Row>(queue, slow, { delayMs: 2, spacing: 100, maxDelayMs: 20 });
    capped.mark('c', { key: 'c', value: 1 });
    jest.advanceTimersByTime(2);
    await capped.committed();
    capped.mark('d', { key: 'd', value: 1 });
    const d = capped.committed();
    jest.advanceTimersByTime(20);
    await d;
    expect(batches).toHaveLength(4);
  });

  it('after an idle spell the delay is delayMs again', async () => {
    const slow = async (batch: Row[]) => {
      jest.advanceTimersByTime(3);
      await write(batch);
    };
    const gc = new GroupCommit<Row>(queue, slow, { delayMs: 2, spacing: 4 });
    gc.mark('a', { key: 'a', value: 1 });
    jest.advanceTimersByTime(2);
    await gc.committed();
    jest.advanceTimersByTime(1_000);
    gc.mark('b', { key: 'b', value: 1 });
    const b = gc.committed();
    jest.advanceTimersByTime(2);
    await b;
    expect(batches).toHaveLength(2);
  });

  it('pipelined: a due generation gathers while the previous one is written, then goes at once', async () => {
    // Writes off the event loop (a worker thread): each one ends when its reply comes.
    const inFlight: Array<() => void> = [];
    const offLoop = (batch: Row[]) =>
      new Promise<void>((resolve) => {
        batches.push(batch.map((r) => [r.key, r.value]));
        inFlight.push(resolve);
      });
    const gc = new GroupCommit<Row>(queue, offLoop);
    gc.retime({ delayMs: 2, spacing: 0, pipelined: true });
    gc.mark('a', { key: 'a', value: 1 });
    const a = gc.committed();
    jest.advanceTimersByTime(2);
    await flushPromises();
    expect(batches).toEqual([[['a', 1]]]);
    // While `a` is being written, more changes fall due: they wait, in one generation.
    gc.mark('b', { key: 'b', value: 1 });
    const b = gc.committed();
    jest.advanceTimersByTime(10);
    gc.mark('c', { key: 'c', value: 1 });
    jest.advanceTimersByTime(10);
    await flushPromises();
    expect(batches).toHaveLength(1);
    expect(gc.pending).toBe(2);
    // The write ends: the next generation is sealed and written at once, without another delay.
    inFlight.shift()!();
    await a;
    await flushPromises();
    expect(batches).toEqual([
      [['a', 1]],
      [
        ['b', 1],
        ['c', 1],
      ],
    ]);
    inFlight.shift()!();
    await b;
    // Idle again: the next change waits delayMs only.
    gc.mark('d', { key: 'd', value: 1 });
    jest.advanceTimersByTime(2);
    await flushPromises();
    expect(batches).toHaveLength(3);
    inFlight.shift()!();
    await gc.flush();
  });

  it('pipelined with spacing: the due generation goes one write duration after the last write ended', async () => {
    const { gc, release } = pipelinedWithOneWriteInFlight();
    gc.retime({ delayMs: 2, spacing: 1, pipelined: true });
    gc.mark('a', { key: 'a', value: 1 });
    jest.advanceTimersByTime(2);
    await flushPromises();
    gc.mark('b', { key: 'b', value: 1 });
    jest.advanceTimersByTime(3); // the write of `a` takes 3 ms; `b` falls due meanwhile
    release();
    await flushPromises();
    expect(batches).toHaveLength(1);
    jest.advanceTimersByTime(2);
    await flushPromises();
    expect(batches).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await flushPromises();
    expect(batches).toEqual([[['a', 1]], [['b', 1]]]);
    release();
    await gc.flush();
  });

  it('urgent: committed(true) seals at once instead of gathering for delayMs', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 5 });
    gc.mark('a', { key: 'a', value: 1 });
    const calm = gc.committed();
    gc.mark('b', { key: 'b', value: 2 });
    const urgent = gc.committed(true); // no timer advanced
    await urgent;
    await calm;
    expect(batches).toEqual([
      [
        ['a', 1],
        ['b', 2],
      ],
    ]);
  });

  it('urgent, pipelined with spacing: the generation goes the moment the write in flight ends', async () => {
    const { gc, release } = pipelinedWithOneWriteInFlight();
    gc.retime({ delayMs: 2, spacing: 4, pipelined: true });
    gc.mark('a', { key: 'a', value: 1 });
    jest.advanceTimersByTime(2);
    await flushPromises();
    jest.advanceTimersByTime(5); // the write of `a` takes 5 ms: spaced, the next would wait 20 ms more
    gc.mark('b', { key: 'b', value: 1 });
    const b = gc.committed(true);
    await flushPromises();
    expect(batches).toHaveLength(1); // not beside the write in flight
    release();
    await flushPromises();
    expect(batches).toEqual([[['a', 1]], [['b', 1]]]);
    release();
    await b;
    // A change nobody waits on urgently gathers for delayMs again.
    gc.mark('c', { key: 'c', value: 1 });
    jest.advanceTimersByTime(2);
    await flushPromises();
    expect(batches).toHaveLength(3);
    release();
    await gc.flush();
  });

  it('seals at maxRows at once, and splits a sealed generation into transactions of maxRows', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 1000, maxRows: 2 });
    gc.mark('a', { key: 'a', value: 1 });
    gc.mark('b', { key: 'b', value: 1 });
    await flushPromises();
    expect(batches).toHaveLength(1);
    for (const k of ['c', 'd', 'e']) gc.mark(k, { key: k, value: 1 });
    await gc.flush();
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('committed() covers only what was marked before it; with nothing pending it waits for the write in flight', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 5 });
    gc.mark('a', { key: 'a', value: 1 });
    const first = gc.committed();
    jest.advanceTimersByTime(5); // sealed, write in flight
    const inFlight = gc.committed();
    let resolved = false;
    void inFlight.then(() => (resolved = true));
    gc.mark('b', { key: 'b', value: 1 });
    const second = gc.committed();
    await first;
    await inFlight;
    expect(resolved).toBe(true);
    expect(batches).toEqual([[['a', 1]]]);
    jest.advanceTimersByTime(5);
    await second;
    expect(batches).toEqual([[['a', 1]], [['b', 1]]]);
  });

  it('a failed commit rejects its waiters, keeps the changes and writes them again after retryMs', async () => {
    const errors: unknown[] = [];
    const gc = new GroupCommit<Row>(queue, write, {
      delayMs: 5,
      retryMs: 100,
      onError: (e) => errors.push(e),
    });
    fail = 1;
    gc.mark('a', { key: 'a', value: 1 });
    const waiting = gc.committed();
    jest.advanceTimersByTime(5);
    await expect(waiting).rejects.toThrow('disk full');
    expect(errors).toHaveLength(1);
    expect(gc.pending).toBe(1);
    const retried = gc.committed();
    jest.advanceTimersByTime(100);
    await retried;
    expect(batches).toEqual([[['a', 1]]]);
  });

  it('committed() resolves when forget() took every key it waited for', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 5 });
    gc.mark('a', { key: 'a', value: 1 });
    const waiting = gc.committed();
    gc.forget('a');
    jest.advanceTimersByTime(5);
    await waiting;
    expect(batches).toEqual([]);
  });

  it('forget() drops a key not yet written; stop() leaves no timer but flush() still writes', async () => {
    const gc = new GroupCommit<Row>(queue, write, { delayMs: 5 });
    gc.mark('a', { key: 'a', value: 1 });
    gc.forget('a');
    gc.mark('b', { key: 'b', value: 1 });
    gc.stop();
    expect(jest.getTimerCount()).toBe(0);
    await gc.flush();
    expect(batches).toEqual([[['b', 1]]]);
  });

  it('runs its writes in order with other writes of the queue', async () => {
    const order: string[] = [];
    const gc = new GroupCommit<Row>(
      queue,
      async (b) => void order.push(`commit ${b.map((r) => r.key).join()}`),
      {
        delayMs: 5,
      },
    );
    gc.mark('a', { key: 'a', value: 1 });
    jest.advanceTimersByTime(5);
    const other = queue.run(async () => void order.push('activate'));
    gc.mark('b', { key: 'b', value: 1 });
    await gc.flush();
    await other;
    expect(order).toEqual(['commit a', 'activate', 'commit b']);
  });
});
