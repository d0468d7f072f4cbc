import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { Logger } from '@nestjs/common';
import { UdpAddress } from '../gateway/gateway-state';
import { DeduplicatedUplink, FirstCopy } from '../dedup/deduplicated-uplink';
import { UplinkDedupReport } from '../events';
import { WorkerPushData } from './worker-handover';

/**
 * Room in the kernel for datagrams that arrive while the event loop is busy (a stat
 * burst of many gateways, a GC pause). Linux caps it at net.core.rmem_max silently.
 */
export const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * One received datagram. `receivedAt`: when the socket had it (ms since the epoch).
 * `acked`: the endpoint already sent its PUSH_ACK or PULL_ACK (the worker does).
 */
export type DatagramHandler = (msg: Buffer, from: RemoteInfo, receivedAt: number, acked: boolean) => void;

/** Where an endpoint delivers what it received. */
export interface DatagramSink {
  datagram: DatagramHandler;
  /** A PUSH_DATA the endpoint acknowledged and decoded; its packets went to the endpoint's deduplication (the worker's). */
  pushData(push: WorkerPushData, from: RemoteInfo, receivedAt: number): void;
  /** The first copy of an uplink the endpoint is deduplicating; `uplink` follows with the same id. */
  firstCopy(first: FirstCopy): void;
  /** An uplink the endpoint deduplicated. */
  uplink(uplink: DeduplicatedUplink): void;
  /** What the endpoint's deduplication counted since its last report. */
  dedupReport(report: UplinkDedupReport): void;
}

/** The Semtech socket as GatewayBridgeService uses it: in this thread (UdpEndpoint) or a worker's. */
export interface DatagramEndpoint {
  /** The bound port; null before bind, after close, and while a worker is being restarted. */
  readonly port: number | null;
  bind(host: string, port: number, sink: DatagramSink): Promise<number>;
  /** Fire and forget (PUSH_ACK, PULL_ACK): a lost ack is the gateway's statistic, not our error. */
  send(datagram: Buffer, to: UdpAddress): void;
  /** Resolves once the datagram is handed to the kernel. */
  sendAndWait(datagram: Buffer, to: UdpAddress): Promise<void>;
  /**
   * The gateways the endpoint may acknowledge by itself (all of them; replaces any
   * earlier set), and whether any gateway may be acknowledged (`gateways.allowUnknown`).
   */
  acceptGateways(gatewayIds: Iterable<string>, allowUnknown: boolean): void;
  /** One change of that set. */
  acceptGateway(gatewayId: string, accepted: boolean, allowUnknown: boolean): void;
  close(): Promise<void>;
}

/**
 * The one udp4 socket of the Semtech protocol: both the forwarder's up and down sockets
 * talk to it. In this thread (`udp.worker: false`): it acknowledges and deduplicates nothing by
 * itself, every datagram goes to `sink.datagram`.
 */
export class UdpEndpoint implements DatagramEndpoint {
  private socket: Socket | null = null;
  private boundPort: number | null = null;

  constructor(private readonly logger: Logger) {}

  get port(): number | null {
    return this.boundPort;
  }

  /** Binds and resolves with the port bound (the one chosen, for port 0). */
  bind(host: string, port: number, sink: DatagramSink): Promise<number> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    this.socket = socket;
    socket.on('message', (msg, from) => sink.datagram(msg, from, Date.now(), false));
    return new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        // Send errors without a callback surface here; one bad peer must not stop the socket.
        socket.on('error', (err) => this.logger.warn(`udp socket: ${err.message}`));
        this.boundPort = socket.address().port;
        resolve(this.boundPort);
      });
    });
  }

  acceptGateways(): void {
    // Acknowledgements are the caller's in this thread.
  }

  acceptGateway(): void {
    // Acknowledgements are the caller's in this thread.
  }

  send(datagram: Buffer, to: UdpAddress): void {
    this.socket?.send(datagram, to.port, to.address, (err) => {
      if (err) this.logger.debug(`send to ${to.address}:${to.port} failed: ${err.message}`);
    });
  }

  sendAndWait(datagram: Buffer, to: UdpAddress): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('udp socket is closed'));
    return new Promise((resolve, reject) => {
      socket.send(datagram, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    this.boundPort = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
