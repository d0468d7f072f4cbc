import type { Duplex } from 'node:stream';

export interface TurnBatchedWritesOptions {
  /**
   * Bytes the connection may hold in user space once a turn's writes were handed to the
   * kernel (what the kernel did not take) before it is closed as too slow. Infinity: no limit.
   */
  maxBufferedBytes: number;
  /** Called once when the limit is passed, just before the connection is destroyed. */
  onOverflow?: (bufferedBytes: number) => void;
}

/** A connection whose writes are batched: see `batchWritesPerTurn`. */
export interface TurnBatchedWrites {
  /** Hands everything written so far to the kernel now, in one writev. */
  flush(): void;
}

/** The error a connection closed for being too slow is destroyed with. */
export class SlowConsumerError extends Error {
  constructor(readonly bufferedBytes: number) {
    super(`closed: ${bufferedBytes} bytes waiting, the peer does not read fast enough`);
    this.name = 'SlowConsumerError';
  }
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Makes every write to `stream` within one event-loop turn go out in one writev.
 *
 * aedes delivers each message to each subscriber in its own `setImmediate`, and mqtt-packet
 * corks the socket for one packet only, so every message to every subscriber was its own
 * writev system call, loopback TCP processing included. Here the first write of a turn corks
 * the stream and a `setImmediate` uncorks it: the writes of one turn share a syscall.
 * `flush()` lets the caller uncork sooner (the broker does at the end of the turn's
 * deliveries), and `destroy()` without an error flushes first, so a close loses nothing
 * that was written before it. Order is the stream's own: corking only delays.
 *
 * Backpressure: aedes waits for 'drain' when a write returns false, and until it comes the
 * message holds one of the broker's delivery slots (`concurrency`); a client that stops
 * reading held them all, stalled every other subscriber and left every later message
 * queued in memory without bound. Writes here always report success, so aedes never waits
 * on one client; instead, when a flush leaves more than `maxBufferedBytes` that the kernel
 * would not take, the connection is destroyed (`SlowConsumerError`) and what is written to
 * it after is discarded. Between flushes a connection holds one turn's messages at most.
 * QoS 0 messages to it are lost, as QoS 0 allows (MQTT 3.1.1 §4.3.1); QoS 1 messages of a
 * persistent session stay in the broker's store for its reconnection (§4.4), as for any
 * lost connection.
 */
export function batchWritesPerTurn(stream: Duplex, options: TurnBatchedWritesOptions): TurnBatchedWrites {
  const write = stream.write;
  const destroy = stream.destroy;
  let corked = false;
  let scheduled = false;
  let overflowed = false;

  const flush = (): void => {
    if (!corked) return;
    corked = false;
    stream.uncork();
    // What the kernel did not take now waits in the process: the client is behind.
    const buffered = stream.writableLength;
    if (buffered > options.maxBufferedBytes && !overflowed) {
      overflowed = true;
      options.onOverflow?.(buffered);
      // Not from inside flush(): its caller may be closing this connection or iterating them all.
      process.nextTick(() => destroy.call(stream, new SlowConsumerError(buffered)));
    }
  };
  const flushScheduled = (): void => {
    scheduled = false;
    flush();
  };

  stream.write = function batchedWrite(this: Duplex, chunk: unknown, ...rest: unknown[]): boolean {
    if (overflowed || stream.destroyed) {
      // Closed: nothing more reaches the client. Callers still get their callback.
      const callback = rest.find((a): a is WriteCallback => typeof a === 'function');
      if (callback) process.nextTick(callback, new Error('the connection is closed'));
      return true;
    }
    if (!corked) {
      corked = true;
      stream.cork();
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushScheduled);
      }
    }
    (write as (chunk: unknown, ...rest: unknown[]) => boolean).call(stream, chunk, ...rest);
    return true;
  } as Duplex['write'];

  stream.destroy = function flushingDestroy(this: Duplex, error?: Error): Duplex {
    if (!error && !overflowed && !stream.destroyed) flush();
    return destroy.call(stream, error);
  };

  return { flush };
}
