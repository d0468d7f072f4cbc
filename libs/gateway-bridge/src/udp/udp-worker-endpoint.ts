import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { UdpAddress } from '../gateway/gateway-state';
import { IntakeGuard } from '../intake/intake-guard';
import { DatagramBatch, unpackBatch, uplinksIn } from './datagram-batch';
import { DatagramEndpoint, DatagramSink, RECV_BUFFER_BYTES } from './udp-endpoint';
import { Backlog, FromUdpWorker, MAX_BACKLOG_MS, ToUdpWorker, UdpWorkerData } from './worker-protocol';

/** The defaults of config dedup.*. */
const DEFAULT_DEDUP: UdpWorkerData['dedup'] = { windowMs: 200, cooldownMs: 1_000 };
/** First wait before restarting a worker that died; doubles per failed attempt up to the max. */
export const RESTART_DELAY_MS = 100;
export const RESTART_DELAY_MAX_MS = 5_000;
/** How long close() waits for the worker to close its socket before terminating it. */
const CLOSE_TIMEOUT_MS = 2_000;
/** At most one overload warning per this, with the datagrams dropped since the last. */
const DROPPED_LOG_MS = 10_000;

/**
 * The compiled udp-worker.js next to this module in production; under ts-jest/ts-node
 * (this file is .ts) the .ts source, compiled on load in the thread.
 */
export function defaultWorkerFile(): string {
  return join(__dirname, `udp-worker${extname(__filename)}`);
}

function spawn(file: string, data: UdpWorkerData): Worker {
  const workerData = { udpWorker: data };
  if (file.endsWith('.ts')) {
    return new Worker(
      `require('ts-node/register/transpile-only'); require('tsconfig-paths/register'); require(${JSON.stringify(file)});`,
      { eval: true, workerData },
    );
  }
  return new Worker(file, { workerData });
}

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The Semtech socket owned by a worker thread (udp-worker.ts): receiving, PUSH_ACK
 * for accepted gateways, and every send happen there, off the main event loop.
 * Received datagrams come back in batches, one message per worker event-loop turn. The worker
 * deduplicates the packets of the PUSH_DATA it acknowledged: those come as counts (`sink.pushData`)
 * each uplink's first copy as its window opens (`sink.firstCopy`), and, once the window closed, the
 * uplink (`sink.uplink`); other datagrams as they are.
 * Should the worker die, it is restarted on the same port; `port` is null meanwhile.
 */
export class UdpWorkerEndpoint implements DatagramEndpoint {
  private worker: Worker | null = null;
  private boundPort: number | null = null;
  private host = '';
  private sink: DatagramSink | undefined;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay = RESTART_DELAY_MS;
  private exited: Promise<void> = Promise.resolve();
  /** The worker's set, kept here to give a restarted worker. */
  private readonly accepted = new Set<string>();
  private allowUnknown = false;
  /** Changes not yet posted: one message per event-loop turn, however many registrations. */
  private changes: { add: Set<string>; remove: Set<string> } | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private dropped = 0;
  private droppedLoggedAt = 0;
  /** The worker's dedup size at its last report. */
  private dedupSize = 0;
  /** Uplinks the worker handed over after close() began: not handled, counted in the shutdown warning. */
  private uplinksDroppedAtClose = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intake = new IntakeGuard(),
    /** The worker's deduplication (config dedup.*). */
    private readonly dedup: UdpWorkerData['dedup'] = DEFAULT_DEDUP,
    private readonly workerFile = defaultWorkerFile(),
  ) {}

  get port(): number | null {
    return this.boundPort;
  }

  /** Starts the worker; resolves with the port bound, rejects when the socket cannot be bound. */
  bind(host: string, port: number, sink: DatagramSink): Promise<number> {
    this.host = host;
    this.sink = sink;
    this.closing = false;
    return this.start(port);
  }

  acceptGateways(gatewayIds: Iterable<string>, allowUnknown: boolean): void {
    this.accepted.clear();
    for (const id of gatewayIds) this.accepted.add(id);
    this.allowUnknown = allowUnknown;
    this.changes = null;
    this.postAccepted();
  }

  acceptGateway(gatewayId: string, accepted: boolean, allowUnknown: boolean): void {
    if (accepted) this.accepted.add(gatewayId);
    else this.accepted.delete(gatewayId);
    this.allowUnknown = allowUnknown;
    if (!this.worker) return; // a worker being started gets the whole set
    if (!this.changes) {
      this.changes = { add: new Set(), remove: new Set() };
      setImmediate(() => this.postChanges());
    }
    const [into, from] = accepted
      ? [this.changes.add, this.changes.remove]
      : [this.changes.remove, this.changes.add];
    from.delete(gatewayId);
    into.add(gatewayId);
  }

  send(datagram: Buffer, to: UdpAddress): void {
    this.post(0, datagram, to);
  }

  sendAndWait(datagram: Buffer, to: UdpAddress): Promise<void> {
    if (!this.worker || this.boundPort === null) return Promise.reject(new Error('udp socket is closed'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post(id, datagram, to);
    });
  }

  /** Closes the socket; datagrams the worker still forwards afterwards are dropped. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    this.boundPort = null;
    const worker = this.worker;
    if (!worker) return;
    const exited = this.exited;
    worker.postMessage({ type: 'close' } satisfies ToUdpWorker);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private start(port: number): Promise<number> {
    const progress = Backlog.create();
    const backlog = new Backlog(progress);
    const worker = spawn(this.workerFile, {
      host: this.host,
      port,
      recvBufferSize: RECV_BUFFER_BYTES,
      progress,
      intake: this.intake.shared,
      dedup: this.dedup,
    });
    this.worker = worker;
    // Before any datagram: the worker must not answer with a stale set.
    this.postAccepted();
    let resolveExited!: () => void;
    this.exited = new Promise((r) => (resolveExited = r));
    return new Promise<number>((resolve, reject) => {
      /** The port bound: a restart takes the same one, also when port 0 let the system choose. */
      let listening: number | null = null;
      worker.on('message', (msg: FromUdpWorker) => {
        switch (msg.type) {
          case 'listening':
            listening = msg.port;
            if (this.worker === worker && !this.closing) this.boundPort = msg.port;
            return resolve(msg.port);
          case 'batch':
            return this.onBatch(msg, backlog);
          case 'bindError':
            return reject(new Error(msg.message));
          case 'socketError':
            return this.logger.warn(`udp socket: ${msg.message}`);
          case 'closed': {
            const dropped = msg.dropped + this.uplinksDroppedAtClose;
            this.uplinksDroppedAtClose = 0;
            if (dropped > 0)
              this.logger.warn(`${dropped} uplinks still in their dedup window at shutdown were not handled`);
            return;
          }
        }
      });
      worker.on('error', (err) => this.logger.error(`udp worker: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => {
        resolveExited();
        if (this.worker !== worker) return;
        this.worker = null;
        this.boundPort = null;
        this.changes = null;
        for (const [id, w] of this.waiting) {
          this.waiting.delete(id);
          w.reject(new Error('udp worker exited'));
        }
        if (listening === null) return reject(new Error(`udp worker exited (code ${code}) before binding`));
        if (this.closing) return;
        this.logger.error(
          `udp worker exited unexpectedly (code ${code}); restarting it on port ${listening}`,
        );
        this.scheduleRestart(listening);
      });
    });
  }

  private scheduleRestart(port: number): void {
    this.restartTimer = setTimeout(() => {
      // Through a promise: a worker that cannot even be created is one more failed attempt.
      Promise.resolve()
        .then(() => this.start(port))
        .then(
          (bound) => {
            this.restartDelay = RESTART_DELAY_MS;
            this.logger.log(`udp worker restarted on port ${bound}`);
          },
          (err: Error) => {
            if (this.closing) return;
            this.logger.error(`udp worker restart on port ${port} failed: ${err.message}`);
            this.restartDelay = Math.min(this.restartDelay * 2, RESTART_DELAY_MAX_MS);
            this.scheduleRestart(port);
          },
        );
    }, this.restartDelay);
  }

  private onBatch(batch: DatagramBatch, backlog: Backlog): void {
    for (const [id, error] of batch.sent) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      if (error === null) w.resolve();
      else w.reject(new Error(error));
    }
    if (batch.dropped > 0) this.noteDropped(batch.dropped);
    if (batch.refused > 0) this.intake.refused(batch.refused);
    // After close() nothing may change the state any more (the final write-behind follows).
    const sink = this.sink;
    if (this.closing || !sink) {
      this.uplinksDroppedAtClose += uplinksIn(batch);
      return;
    }
    const [copies, late, overflow, size] = batch.dedup;
    if (copies > 0 || size !== this.dedupSize) sink.dedupReport({ copies, late, overflow, size });
    this.dedupSize = size;
    let handOvers = 0;
    for (const d of unpackBatch(batch)) {
      if (d.kind === 'uplink') {
        handOvers++;
        sink.uplink(d.uplink);
      } else if (d.kind === 'firstCopy') {
        handOvers++;
        sink.firstCopy(d.first);
      } else if (d.kind === 'pushData')
        sink.pushData(d.push, { address: d.address, port: d.port, family: 'IPv4', size: 0 }, d.receivedAt);
      else
        sink.datagram(
          d.msg,
          { address: d.address, port: d.port, family: 'IPv4', size: d.msg.length },
          d.receivedAt,
          d.acked,
        );
    }
    // The backlog counts datagrams; the uplinks and first copies came out of the worker's dedup.
    backlog.handledMore(batch.addresses.length - handOvers);
  }

  private noteDropped(count: number): void {
    this.dropped += count;
    const now = Date.now();
    if (now - this.droppedLoggedAt < DROPPED_LOG_MS) return;
    this.logger.warn(
      `udp worker dropped ${this.dropped} datagrams unanswered: the main thread was about ` +
        `${MAX_BACKLOG_MS} ms of its work behind (overloaded)`,
    );
    this.dropped = 0;
    this.droppedLoggedAt = now;
  }

  private post(id: number, datagram: Buffer, to: UdpAddress): void {
    const worker = this.worker;
    if (!worker) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.reject(new Error('udp socket is closed'));
      return;
    }
    // A copy of exactly its bytes, transferred: a pooled Buffer would clone its whole 8 KB slab.
    const copy = new Uint8Array(datagram);
    worker.postMessage(
      { type: 'send', id, datagram: copy, address: to.address, port: to.port } satisfies ToUdpWorker,
      [copy.buffer],
    );
  }

  private postAccepted(): void {
    this.worker?.postMessage({
      type: 'accepted',
      reset: true,
      add: [...this.accepted],
      remove: [],
      allowUnknown: this.allowUnknown,
    } satisfies ToUdpWorker);
  }

  private postChanges(): void {
    const changes = this.changes;
    this.changes = null;
    if (!changes || !this.worker) return;
    this.worker.postMessage({
      type: 'accepted',
      reset: false,
      add: [...changes.add],
      remove: [...changes.remove],
      allowUnknown: this.allowUnknown,
    } satisfies ToUdpWorker);
  }
}
