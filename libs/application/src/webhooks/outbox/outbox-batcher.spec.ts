import { eventually } from '../webhook-test-support';
import { OutboxWrite } from '../webhook.repository';
import { OutboxBatcher, OutboxBatcherOptions } from './outbox-batcher';
import { OutboxDelivery } from './outbox-delivery';
import { SerialQueue } from './serial-queue';

/** The repository's group commits, recorded; `fail` makes the next ones throw. */
class FakeRepository {
  readonly log: string[] = [];
  readonly inserted: OutboxDelivery[][] = [];
  fail = 0;
  /** Holds writes until it resolves. */
  gate: Promise<void> = Promise.resolve();
  async writeOutbox(batch: OutboxWrite) {
    await new Promise((r) => setImmediate(r));
    await this.gate;
    if (this.fail > 0) {
      this.fail--;
      throw new Error('SQLITE_BUSY');
    }
    if (batch.inserts.length > 0) this.inserted.push([...batch.inserts]);
    const parts = [
      batch.inserts.length > 0 && `insert ${batch.inserts.map((r) => r.id).join(',')}`,
      batch.updates.length > 0 && `update ${batch.updates.map((x) => `${x.id}:${x.attempts}`).join(',')}`,
      batch.deletes.length > 0 && `delete ${batch.deletes.join(',')}`,
    ];
    this.log.push(parts.filter(Boolean).join(' + '));
  }
}

let nextId = 1;
const row = (webhookId = 'w1'): OutboxDelivery => ({
  id: nextId++,
  webhookId,
  deliveryId: 'd',
  applicationId: 'app',
  devEui: '0102030405060708',
  event: 'up',
  body: '{}',
  createdAt: Date.now(),
  attempts: 0,
  nextAttemptAt: null,
  lastError: null,
});

function setup(
  options: Partial<OutboxBatcherOptions> = {},
  keep?: (rows: OutboxDelivery[]) => OutboxDelivery[],
) {
  const repository = new FakeRepository();
  const committed: OutboxDelivery[][] = [];
  const failures: unknown[] = [];
  const batcher = new OutboxBatcher({
    queue: new SerialQueue(),
    repository,
    options: {
      commitDelayMs: 3,
      commitMaxRows: 256,
      commitRetryMs: 50,
      maxUncommittedRows: 10_000,
      ...options,
    },
    onCommitted: (rows) => committed.push(rows),
    onCommitFailed: async (rows, err) => {
      failures.push(err);
      return keep ? keep(rows) : rows;
    },
  });
  return { repository, committed, failures, batcher };
}

describe('OutboxBatcher', () => {
  const batchers: OutboxBatcher[] = [];
  afterEach(() => batchers.splice(0).forEach((b) => b.stop()));
  const make = (...args: Parameters<typeof setup>) => {
    const s = setup(...args);
    batchers.push(s.batcher);
    return s;
  };

  it('writes a burst of events in one INSERT a few ms later; add() itself writes nothing', async () => {
    const s = make();
    const rows = Array.from({ length: 100 }, () => row());
    // Memory only: a plain answer, no promise the uplink path could wait on, nothing written yet.
    const answers = rows.map((r) => s.batcher.add(r));
    expect(answers.every((a) => a === true)).toBe(true);
    expect(s.repository.log).toEqual([]);
    expect(s.batcher.uncommitted).toBe(100);
    await eventually(() => s.committed.length === 1);
    expect(s.repository.inserted).toHaveLength(1);
    expect(s.repository.inserted[0].map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(s.committed[0]).toEqual(rows);
    expect(s.batcher.uncommitted).toBe(0);
  });

  it('hands rows over only once they are written', async () => {
    const s = make();
    let open!: () => void;
    s.repository.gate = new Promise((r) => (open = r));
    s.batcher.add(row());
    await new Promise((r) => setTimeout(r, 20));
    // The INSERT is under way: nothing handed over yet.
    expect(s.committed).toEqual([]);
    open();
    await eventually(() => s.committed.length === 1);
    expect(s.repository.inserted).toHaveLength(1);
  });

  it('writes at once when a batch is full, and at most commitMaxRows rows per INSERT', async () => {
    const s = make({ commitDelayMs: 10_000, commitMaxRows: 10 });
    for (let i = 0; i < 25; i++) s.batcher.add(row());
    await eventually(() => s.repository.inserted.length >= 2);
    await s.batcher.flush();
    expect(s.repository.inserted.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('writes a failed batch again later, in order, and refuses rows beyond its bound meanwhile', async () => {
    const s = make({ maxUncommittedRows: 5, commitRetryMs: 40 });
    s.repository.fail = 2;
    const rows = [row(), row(), row()];
    rows.forEach((r) => s.batcher.add(r));
    await eventually(() => s.failures.length === 1);
    expect(s.batcher.add(row())).toBe(true);
    expect(s.batcher.add(row())).toBe(true);
    expect(s.batcher.add(row())).toBe(false);
    await eventually(() => s.committed.length > 0, 1_000);
    expect(s.failures).toHaveLength(2);
    expect(s.repository.inserted[0].map((r) => r.id)).toEqual([
      ...rows.map((r) => r.id),
      rows[2].id + 1,
      rows[2].id + 2,
    ]);
  });

  it('writes the rest at once when the failure was only rows of a webhook that is gone', async () => {
    const s = make({ commitRetryMs: 60_000 }, (rows) => rows.filter((r) => r.webhookId !== 'gone'));
    s.repository.fail = 1;
    const a = row('w1');
    const gone = row('gone');
    const b = row('w1');
    [a, gone, b].forEach((r) => s.batcher.add(r));
    await eventually(() => s.committed.length === 1);
    expect(s.committed[0].map((r) => r.id)).toEqual([a.id, b.id]);
  });

  it('writes new rows, failed attempts and finished rows of the moment in one transaction; a finished row needs no update', async () => {
    const s = make();
    const r = row();
    s.batcher.add(r);
    s.batcher.rescheduled({ id: 1, attempts: 1, nextAttemptAt: 5, lastError: 'x' });
    s.batcher.rescheduled({ id: 2, attempts: 1, nextAttemptAt: 5, lastError: 'x' });
    s.batcher.rescheduled({ id: 2, attempts: 2, nextAttemptAt: 9, lastError: 'y' });
    s.batcher.completed(1);
    s.batcher.completed(3);
    await eventually(() => s.repository.log.length === 1);
    expect(s.repository.log).toEqual([`insert ${r.id} + update 2:2 + delete 1,3`]);
  });

  it('keeps updates and deletes of a failed commit for the next one', async () => {
    const s = make({ commitRetryMs: 20 });
    s.repository.fail = 1;
    s.batcher.rescheduled({ id: 4, attempts: 1, nextAttemptAt: 5, lastError: 'x' });
    s.batcher.completed(5);
    await eventually(() => s.repository.log.length === 1);
    expect(s.failures).toHaveLength(1);
    expect(s.repository.log).toEqual(['update 4:1 + delete 5']);
  });

  it('purge() forgets the uncommitted rows of a deleted webhook', async () => {
    const s = make();
    const keep = row('w1');
    s.batcher.add(keep);
    s.batcher.add(row('w2'));
    s.batcher.purge('w2');
    await s.batcher.flush();
    expect(s.repository.inserted).toEqual([[keep]]);
  });

  it('flush() writes what is gathered without waiting for the timer', async () => {
    const s = make({ commitDelayMs: 60_000 });
    s.batcher.add(row());
    s.batcher.completed(99);
    await s.batcher.flush();
    expect(s.repository.log).toEqual([expect.stringMatching(/^insert \d+ \+ delete 99$/)]);
  });
});
