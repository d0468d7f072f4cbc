import { OutboxDelivery } from '../outbox/outbox-delivery';
import { eventually } from '../webhook-test-support';
import { WebhookCounters } from '../webhook-counters';
import { webhookOptions, WebhookOptions } from '../webhook-options';
import { DeliveryAttempt } from '../webhook.repository';
import { DeliveryOutcome } from './delivery-outcome';
import { DeliveryFailure, EndpointWorker, OutboxPort } from './endpoint-worker';
import { WebhookRequest, WebhookTransport } from './http-transport';

interface Call {
  req: WebhookRequest;
  at: number;
  answer: (o: DeliveryOutcome) => void;
}

/** Answers as `auto` says, or holds the request until the test answers it. */
class FakeTransport implements WebhookTransport {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  auto: ((req: WebhookRequest, n: number) => DeliveryOutcome | undefined) | undefined = () => ({
    kind: 'delivered',
    status: 200,
  });

  post(req: WebhookRequest, signal?: AbortSignal): Promise<DeliveryOutcome> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    return new Promise<DeliveryOutcome>((resolve) => {
      const answer = (o: DeliveryOutcome) => resolve(o);
      const n = this.calls.length;
      this.calls.push({ req, at: Date.now(), answer });
      signal?.addEventListener('abort', () => answer({ kind: 'retry', reason: 'aborted' }));
      const auto = this.auto?.(req, n);
      if (auto) setImmediate(() => answer(auto));
    }).finally(() => this.inFlight--);
  }

  close(): void {
    this.closed = true;
  }

  sent(): string[] {
    return this.calls.map((c) => c.req.deliveryId);
  }
}

/** The outbox table in memory. */
class FakeOutbox implements OutboxPort {
  rows: OutboxDelivery[] = [];
  readonly completedIds: number[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  readonly loads: Array<{ afterId: number; limit: number }> = [];

  load(_w: string, afterId: number, limit: number, accept: (rows: OutboxDelivery[]) => void): void {
    this.loads.push({ afterId, limit });
    // Read when the turn comes, as behind the group commits queued before it.
    setImmediate(() =>
      accept(
        this.rows
          .filter((r) => r.id > afterId)
          .slice(0, limit)
          .map((r) => ({ ...r })),
      ),
    );
  }
  completed(id: number): void {
    this.completedIds.push(id);
    this.rows = this.rows.filter((r) => r.id !== id);
  }
  rescheduled(a: DeliveryAttempt): void {
    this.attempts.push(a);
  }
}

let nextId = 1;
function delivery(overrides: Partial<OutboxDelivery> = {}): OutboxDelivery {
  const id = nextId++;
  return {
    id,
    webhookId: 'w1',
    deliveryId: `d${id}`,
    applicationId: 'app',
    devEui: '0102030405060708',
    event: 'up',
    body: '{}',
    createdAt: Date.now(),
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    ...overrides,
  };
}

function setup(options: Partial<WebhookOptions> = {}) {
  const transport = new FakeTransport();
  const outbox = new FakeOutbox();
  const counters = new WebhookCounters();
  const givenUp: Array<{ d: OutboxDelivery; failure: DeliveryFailure }> = [];
  const worker = new EndpointWorker({
    webhookId: 'w1',
    transport,
    outbox,
    options: webhookOptions({
      initialBackoffMs: 40,
      maxBackoffMs: 1_000,
      jitter: 0,
      concurrency: 3,
      ...options,
    }),
    counters,
    onGiveUp: (d, failure) => givenUp.push({ d, failure }),
  });
  /** As the group commit does: the row is in the table, then offered. */
  const commit = (d: OutboxDelivery) => {
    outbox.rows.push({ ...d });
    worker.offer(d);
  };
  return { transport, outbox, counters, givenUp, worker, commit };
}

describe('EndpointWorker', () => {
  const workers: EndpointWorker[] = [];
  afterEach(() => workers.splice(0).forEach((w) => w.stop()));
  const make = (options: Partial<WebhookOptions> = {}) => {
    const s = setup(options);
    workers.push(s.worker);
    return s;
  };

  it('starts with what a previous run left in the outbox, in id order, then takes new rows', async () => {
    const s = make();
    const left = [delivery(), delivery(), delivery()];
    s.outbox.rows.push(...left);
    s.worker.start();
    await eventually(() => s.transport.calls.length === 3);
    const fresh = delivery();
    s.commit(fresh);
    await eventually(() => s.outbox.completedIds.length === 4);
    expect(s.transport.sent()).toEqual([...left, fresh].map((d) => d.deliveryId));
    expect(s.outbox.rows).toEqual([]);
    expect(s.counters.delivered).toBe(4);
  });

  it('has at most `concurrency` requests in flight', async () => {
    const s = make({ concurrency: 3 });
    s.transport.auto = undefined;
    s.worker.start();
    await eventually(() => s.outbox.loads.length === 1);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) s.commit(delivery());
    expect(s.transport.calls).toHaveLength(3);
    s.transport.calls[0].answer({ kind: 'delivered', status: 200 });
    await eventually(() => s.transport.calls.length === 4);
    s.transport.auto = () => ({ kind: 'delivered', status: 200 });
    for (const c of s.transport.calls.slice(1)) c.answer({ kind: 'delivered', status: 200 });
    await eventually(() => s.counters.delivered === 10);
    expect(s.transport.maxInFlight).toBe(3);
  });

  it('pauses the endpoint after a failure, probes with the failed delivery first, one at a time, then resumes', async () => {
    const s = make({ initialBackoffMs: 60 });
    s.transport.auto = (_req, n) =>
      n < 2 ? { kind: 'retry', reason: 'HTTP 503', status: 503 } : { kind: 'delivered', status: 200 };
    s.worker.start();
    await eventually(() => s.outbox.loads.length === 1);
    await new Promise((r) => setImmediate(r));
    const ds = [delivery(), delivery(), delivery(), delivery()];
    s.transport.auto = undefined;
    ds.forEach((d) => s.commit(d));
    // Three in flight; the first fails, the others fail too (all before the back-off).
    s.transport.calls[0].answer({ kind: 'retry', reason: 'HTTP 503', status: 503 });
    s.transport.calls[1].answer({ kind: 'retry', reason: 'HTTP 503', status: 503 });
    s.transport.calls[2].answer({ kind: 'delivered', status: 200 });
    await eventually(() => s.counters.retries === 2);
    const failedAt = Date.now();
    s.transport.auto = () => ({ kind: 'delivered', status: 200 });
    await eventually(() => s.counters.delivered === 4);
    const retried = s.transport.calls.slice(3);
    // The probe is the oldest failed delivery, after the back-off; nothing else went before it.
    expect(retried[0].req.deliveryId).toBe(ds[0].deliveryId);
    expect(retried[0].at - failedAt).toBeGreaterThanOrEqual(50);
    expect(retried.map((c) => c.req.deliveryId)).toEqual([ds[0], ds[1], ds[3]].map((d) => d.deliveryId));
    // Failures in flight together count as one: the back-off did not double.
    expect(s.worker.status().failures).toBe(0);
    expect(s.outbox.attempts.map((a) => [a.id, a.attempts])).toEqual([
      [ds[0].id, 1],
      [ds[1].id, 1],
    ]);
  });

  it('doubles the back-off with each consecutive failure and honours Retry-After', async () => {
    const s = make({ initialBackoffMs: 30, concurrency: 1 });
    let n = 0;
    s.transport.auto = () =>
      ++n <= 3
        ? { kind: 'retry', reason: 'ECONNREFUSED' }
        : n === 4
          ? { kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: 250 }
          : { kind: 'delivered', status: 200 };
    s.worker.start();
    await eventually(() => s.outbox.loads.length === 1);
    await new Promise((r) => setImmediate(r));
    s.commit(delivery());
    await eventually(() => s.counters.delivered === 1, 3_000);
    const gaps = s.transport.calls.slice(1).map((c, i) => c.at - s.transport.calls[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(28);
    expect(gaps[1]).toBeGreaterThanOrEqual(58);
    expect(gaps[2]).toBeGreaterThanOrEqual(118);
    expect(gaps[3]).toBeGreaterThanOrEqual(245);
    expect(s.outbox.attempts.at(-1)).toMatchObject({ attempts: 4, lastError: 'HTTP 429' });
    expect(s.counters.retries).toBe(4);
  });

  it('gives up a delivery the endpoint refuses (4xx) and goes on with the next at once', async () => {
    const s = make();
    s.transport.auto = (req) =>
      req.deliveryId === 'bad'
        ? { kind: 'rejected', reason: 'HTTP 422', status: 422 }
        : { kind: 'delivered', status: 200 };
    const bad = delivery({ deliveryId: 'bad' });
    s.outbox.rows.push(bad, delivery());
    s.worker.start();
    await eventually(() => s.outbox.completedIds.length === 2);
    expect(s.givenUp).toEqual([
      {
        d: expect.objectContaining({ deliveryId: 'bad' }),
        failure: { kind: 'rejected', reason: 'HTTP 422', status: 422 },
      },
    ]);
    expect(s.counters).toMatchObject({ rejected: 1, delivered: 1, retries: 0 });
    expect(s.worker.status()).toMatchObject({ failures: 0, lastError: 'HTTP 422' });
  });

  it('gives up a delivery older than the maximum age, before sending it or when its next attempt would be too late', async () => {
    const s = make({ maxAgeMs: 1_000, initialBackoffMs: 600, concurrency: 1 });
    s.transport.auto = () => ({ kind: 'retry', reason: 'HTTP 500', status: 500 });
    const old = delivery({ createdAt: Date.now() - 5_000, attempts: 7, lastError: 'HTTP 502' });
    const young = delivery({ createdAt: Date.now() - 500 });
    s.outbox.rows.push(old, young);
    s.worker.start();
    await eventually(() => s.givenUp.length === 2);
    expect(s.transport.sent()).toEqual([young.deliveryId]);
    expect(s.givenUp.map((g) => [g.d.deliveryId, g.failure.kind])).toEqual([
      [old.deliveryId, 'expired'],
      [young.deliveryId, 'expired'],
    ]);
    expect(s.givenUp[0].failure.reason).toBe('not delivered within 1000 ms (7 attempts, last: HTTP 502)');
    expect(s.givenUp[1].failure).toMatchObject({ status: 500 });
    expect(s.counters.expired).toBe(2);
    expect(s.outbox.completedIds).toEqual([old.id, young.id]);
  });

  it('keeps at most memoryPerEndpoint deliveries in memory; the rest are read back from the outbox in order', async () => {
    const s = make({ memoryPerEndpoint: 4, concurrency: 1 });
    s.transport.auto = undefined;
    s.worker.start();
    await eventually(() => s.outbox.loads.length === 1);
    await new Promise((r) => setImmediate(r));
    const ds = Array.from({ length: 12 }, () => delivery());
    ds.forEach((d) => s.commit(d));
    // One in flight + four queued; the other seven are only in the table.
    expect(s.worker.status().inMemory).toBe(5);
    s.transport.auto = () => ({ kind: 'delivered', status: 200 });
    s.transport.calls[0].answer({ kind: 'delivered', status: 200 });
    await eventually(() => s.counters.delivered === 12);
    expect(s.transport.sent()).toEqual(ds.map((d) => d.deliveryId));
    expect(s.outbox.loads.length).toBeGreaterThan(2);
    expect(s.outbox.loads.every((l) => l.limit <= 4)).toBe(true);
  });

  it('resumes the back-off a previous run left (nextAttemptAt, attempts)', async () => {
    const s = make({ initialBackoffMs: 1_000 });
    const d = delivery({ attempts: 3, nextAttemptAt: Date.now() + 150, lastError: 'HTTP 503' });
    s.outbox.rows.push(d);
    const started = Date.now();
    s.worker.start();
    await eventually(() => s.counters.delivered === 1);
    expect(s.transport.calls[0].at - started).toBeGreaterThanOrEqual(140);
  });

  it('close() lets requests in flight finish within the grace, and records them', async () => {
    const s = make();
    s.transport.auto = undefined;
    s.outbox.rows.push(delivery(), delivery());
    s.worker.start();
    await eventually(() => s.transport.calls.length === 2);
    setTimeout(() => s.transport.calls[0].answer({ kind: 'delivered', status: 200 }), 30);
    setTimeout(() => s.transport.calls[1].answer({ kind: 'delivered', status: 200 }), 60);
    await s.worker.close(1_000);
    expect(s.outbox.completedIds).toHaveLength(2);
    expect(s.transport.closed).toBe(true);
  });

  it('close() aborts what is still in flight after the grace: the row stays for the next start', async () => {
    const s = make();
    s.transport.auto = undefined;
    const d = delivery();
    s.outbox.rows.push(d);
    s.worker.start();
    await eventually(() => s.transport.calls.length === 1);
    const started = Date.now();
    await s.worker.close(80);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(s.outbox.completedIds).toEqual([]);
    expect(s.outbox.rows.map((r) => r.id)).toEqual([d.id]);
    expect(s.counters.retries).toBe(0);
  });

  it('stop() ends everything at once; later offers are ignored', async () => {
    const s = make();
    s.transport.auto = undefined;
    s.worker.start();
    s.commit(delivery());
    await eventually(() => s.transport.calls.length === 1);
    s.worker.stop();
    s.commit(delivery());
    await new Promise((r) => setTimeout(r, 20));
    expect(s.transport.calls).toHaveLength(1);
    expect(s.transport.closed).toBe(true);
    expect(s.worker.status().inMemory).toBe(0);
  });
});
