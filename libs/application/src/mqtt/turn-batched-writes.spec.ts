import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { batchWritesPerTurn, SlowConsumerError } from './turn-batched-writes';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A stream that records each system write it would make (one entry per write/writev). */
class RecordingStream extends Duplex {
  readonly syscalls: string[][] = [];
  /** When set, writes never complete: a peer that stopped reading. */
  stalled = false;

  constructor() {
    super({ highWaterMark: 16 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.syscalls.push([chunk.toString()]);
    if (!this.stalled) cb();
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (e?: Error | null) => void): void {
    this.syscalls.push(chunks.map((c) => c.chunk.toString()));
    if (!this.stalled) cb();
  }
}

describe('batchWritesPerTurn', () => {
  it('hands the writes of one event-loop turn to the system in one write, in order', async () => {
    const s = new RecordingStream();
    batchWritesPerTurn(s, { maxBufferedBytes: Infinity });
    s.write('a');
    s.write('b');
    s.write('c');
    expect(s.syscalls).toEqual([]);
    await nextTurn();
    expect(s.syscalls).toEqual([['a', 'b', 'c']]);
    s.write('d');
    s.write('e');
    await nextTurn();
    expect(s.syscalls).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('keeps the order when something else corks the stream too (mqtt-packet corks per packet)', async () => {
    const s = new RecordingStream();
    batchWritesPerTurn(s, { maxBufferedBytes: Infinity });
    s.write('1');
    s.cork();
    s.write('2');
    process.nextTick(() => s.uncork());
    s.write('3');
    await nextTurn();
    expect(s.syscalls.flat()).toEqual(['1', '2', '3']);
    expect(s.syscalls).toHaveLength(1);
  });

  it('flush() hands what is waiting to the system at once', () => {
    const s = new RecordingStream();
    const w = batchWritesPerTurn(s, { maxBufferedBytes: Infinity });
    s.write('a');
    s.write('b');
    w.flush();
    expect(s.syscalls).toEqual([['a', 'b']]);
    w.flush();
    expect(s.syscalls).toHaveLength(1);
  });

  it('reports success above the stream high-water mark, so a caller never waits for drain', () => {
    const s = new RecordingStream();
    s.stalled = true;
    batchWritesPerTurn(s, { maxBufferedBytes: 1000 });
    for (let i = 0; i < 20; i++) expect(s.write('0123456789')).toBe(true);
    expect(s.writableLength).toBeGreaterThan(s.writableHighWaterMark);
  });

  it('closes a stream that keeps more than the limit after a flush, and holds nothing more for it', async () => {
    const s = new RecordingStream();
    s.stalled = true;
    const overflows: number[] = [];
    const w = batchWritesPerTurn(s, { maxBufferedBytes: 100, onOverflow: (n) => overflows.push(n) });
    const closed = new Promise<Error | undefined>((resolve) => s.once('error', (e) => resolve(e)));
    for (let i = 0; i < 10; i++) s.write('0123456789');
    w.flush();
    expect(overflows).toEqual([]);
    // One turn may write more than the limit: only what is left after the flush counts.
    for (let i = 0; i < 20; i++) s.write('0123456789');
    expect(overflows).toEqual([]);
    w.flush();
    expect(overflows).toEqual([300]);
    // What comes after the limit is discarded, callbacks still called.
    const late = new Promise<Error | null | undefined>((resolve) => s.write('late', (e) => resolve(e)));
    expect(s.writableLength).toBe(300);
    const error = await closed;
    expect(error).toBeInstanceOf(SlowConsumerError);
    expect((error as SlowConsumerError).bufferedBytes).toBe(300);
    expect(s.destroyed).toBe(true);
    expect(await late).toBeInstanceOf(Error);
    for (let i = 0; i < 100; i++) s.write('0123456789');
    expect(overflows).toHaveLength(1);
  });

  describe('on a TCP connection', () => {
    let server: Server;
    let port: number;
    let accepted: Promise<Socket>;

    beforeEach(async () => {
      let onSocket: (s: Socket) => void = () => undefined;
      accepted = new Promise((resolve) => (onSocket = resolve));
      server = createServer({ noDelay: true }, (s) => onSocket(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    /** Everything the peer receives until the connection closes. */
    function connectReader(): { socket: Socket; received: Promise<string> } {
      const socket = new Socket();
      socket.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const received = new Promise<string>((resolve) =>
        socket.once('close', () => resolve(Buffer.concat(chunks).toString())),
      );
      return { socket, received };
    }

    it('delivers everything in order across turns', async () => {
      const reader = connectReader();
      const socket = await accepted;
      batchWritesPerTurn(socket, { maxBufferedBytes: Infinity });
      const expected: string[] = [];
      for (let turn = 0; turn < 20; turn++) {
        for (let i = 0; i < 50; i++) {
          const m = `${turn}.${i};`;
          expected.push(m);
          socket.write(m);
        }
        await nextTurn();
      }
      socket.end();
      expect(await reader.received).toBe(expected.join(''));
    });

    it('a close without an error sends what was written before it (the turn not flushed yet)', async () => {
      const reader = connectReader();
      const socket = await accepted;
      batchWritesPerTurn(socket, { maxBufferedBytes: Infinity });
      socket.write('last ');
      socket.write('words');
      socket.destroy();
      expect(await reader.received).toBe('last words');
    });

    it('closes a peer that stopped reading once the limit is passed', async () => {
      const reader = connectReader();
      reader.socket.pause();
      const socket = await accepted;
      let overflowed = 0;
      batchWritesPerTurn(socket, { maxBufferedBytes: 64 * 1024, onOverflow: () => overflowed++ });
      const error = new Promise<Error>((resolve) => socket.once('error', resolve));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const chunk = Buffer.alloc(16 * 1024, 'x');
      // The kernel's buffers take some megabytes first; then the process-side limit applies.
      for (let i = 0; i < 10_000 && overflowed === 0; i++) {
        socket.write(chunk);
        if (i % 8 === 7) await nextTurn();
      }
      expect(overflowed).toBe(1);
      expect(await error).toBeInstanceOf(SlowConsumerError);
      await closed;
      expect(socket.destroyed).toBe(true);
      reader.socket.destroy();
    });
  });
});
