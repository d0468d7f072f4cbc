/*
 * The UDP worker thread: owns the Semtech socket, answers the PUSH_DATA of accepted gateways at
 * once, and forwards what it received to the main thread, one batch per event-loop turn. The
 * packets of the PUSH_DATA it acknowledges it deduplicates itself: the main thread gets their
 * gateway's counts and, once its window closed, each uplink (worker-handover.ts); every other
 * datagram as it came. Started by UdpWorkerEndpoint; the protocol is in worker-protocol.ts.
 */
import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { isMainThread, MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Deduplicator } from '../dedup/deduplicator';
import { DatagramBatcher } from './datagram-batch';
import { decodeInWorker } from './worker-handover';
import { AckPolicy, Backlog, FromUdpWorker, isPushData, ToUdpWorker, UdpWorkerData } from './worker-protocol';

/** The worker's body, on `port` (parentPort in the thread; a MessageChannel end in tests). */
export function runUdpWorker(port: MessagePort, data: UdpWorkerData): void {
  const policy = new AckPolicy();
  const batcher = new DatagramBatcher();
  const backlog = new Backlog(data.progress);
  // The windows close here, on a thread that is seldom busy, and not late behind the main thread's work.
  // Each first copy goes to the main thread at once: the network server checks and commits the
  // frame while the window collects the other copies (DataUplinkHandler.checkEarly).
  const dedup = new Deduplicator(
    data.dedup,
    (uplink) => {
      batcher.addUplink(uplink);
      schedule();
    },
    (first) => batcher.addFirstCopy(first),
  );
  const intake = new Int32Array(data.intake);
  const post = (msg: FromUdpWorker, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);
  let scheduled = false;
  let socket: Socket | null = null;
  let closing = false;

  const flush = (): void => {
    scheduled = false;
    if (batcher.empty) return;
    const { batch, transfer } = batcher.take(dedup.size);
    post(batch, transfer);
  };
  // One postMessage per event-loop turn, however many datagrams libuv read in it.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  const onDatagram = (msg: Buffer, from: RemoteInfo): void => {
    const receivedAt = Date.now();
    if (Atomics.load(intake, 0) === 1 && isPushData(msg)) {
      // Uplinks are being published late: new ones only lengthen the queue (IntakeGuard).
      batcher.addRefused();
      return schedule();
    }
    if (!backlog.admit(receivedAt)) {
      // As a full kernel buffer would: no ack, so the forwarder counts it lost.
      batcher.addDropped();
      return schedule();
    }
    let acked = false;
    try {
      const { ack, pushData } = policy.judge(msg);
      if (ack) {
        // Fire and forget: a lost ack is the gateway's statistic. No callback: one process.nextTick
        // less per ack (dgram then drops a failed send silently; an IP address needs no lookup).
        socket!.send(ack, from.port, from.address);
        acked = true;
      }
      const decoded = pushData && decodeInWorker(pushData.header, pushData.body, receivedAt);
      if (decoded) {
        // Parsed here already: the packets go to the dedup, the main thread gets the counts.
        for (const copy of decoded.copies) batcher.countCopy(dedup.add(copy, receivedAt));
        batcher.addPushData(decoded.push, from.address, from.port, receivedAt);
        return schedule();
      }
    } catch {
      // judge and decodeInWorker do not throw; should they ever, the main thread still gets the datagram and judges it.
    }
    batcher.add(msg, from.address, from.port, receivedAt, acked);
    schedule();
  };

  const send = (msg: Extract<ToUdpWorker, { type: 'send' }>): void => {
    const done = (err: Error | null): void => {
      if (msg.id === 0) return;
      batcher.addSent(msg.id, err ? err.message : null);
      schedule();
    };
    if (!socket) return done(new Error('udp socket is closed'));
    try {
      socket.send(msg.datagram, msg.port, msg.address, done);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const close = (): void => {
    closing = true;
    const s = socket;
    socket = null;
    const finish = (): void => {
      const dropped = dedup.stop();
      flush();
      post({ type: 'closed', dropped });
      port.close();
    };
    if (s) s.close(finish);
    else finish();
  };

  port.on('message', (msg: ToUdpWorker) => {
    if (msg.type === 'send') send(msg);
    else if (msg.type === 'accepted') policy.apply(msg);
    else if (msg.type === 'close') close();
  });

  const s = createSocket({ type: 'udp4', recvBufferSize: data.recvBufferSize });
  const onBindError = (err: Error): void => {
    post({ type: 'bindError', message: err.message });
    s.close();
    port.close();
  };
  s.once('error', onBindError);
  s.on('message', onDatagram);
  s.bind(data.port, data.host, () => {
    s.off('error', onBindError);
    // Send errors without a callback surface here; one bad peer must not stop the socket.
    s.on('error', (err) => post({ type: 'socketError', message: err.message }));
    if (closing) return void s.close();
    socket = s;
    post({ type: 'listening', port: s.address().port });
  });
}

if (!isMainThread && parentPort && (workerData as { udpWorker?: UdpWorkerData } | null)?.udpWorker) {
  runUdpWorker(parentPort, (workerData as { udpWorker: UdpWorkerData }).udpWorker);
}
