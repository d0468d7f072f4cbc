import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { Logger } from '@nestjs/common';
import { UdpAddress } from '../gateway/gateway-state';

/**
 * Room in the kernel for datagrams that arrive while the event loop is busy (a stat
 * burst of many gateways, a GC pause). Linux caps it at net.core.rmem_max silently.
 */
export const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export type DatagramHandler = (msg: Buffer, from: RemoteInfo) => void;

/** The one udp4 socket of the Semtech protocol: both the forwarder's up and down sockets talk to it. */
export class UdpEndpoint {
  private socket: Socket | null = null;
  private boundPort: number | null = null;

  constructor(private readonly logger: Logger) {}

  get port(): number | null {
    return this.boundPort;
  }

  /** Binds and resolves with the port bound (the one chosen, for port 0). */
  bind(host: string, port: number, onDatagram: DatagramHandler): Promise<number> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    this.socket = socket;
    socket.on('message', onDatagram);
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

  /** Fire and forget (PUSH_ACK, PULL_ACK): a lost ack is the gateway's statistic, not our error. */
  send(datagram: Buffer, to: UdpAddress): void {
    this.socket?.send(datagram, to.port, to.address, (err) => {
      if (err) this.logger.debug(`send to ${to.address}:${to.port} failed: ${err.message}`);
    });
  }

  /** Resolves once the datagram is handed to the kernel. */
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
