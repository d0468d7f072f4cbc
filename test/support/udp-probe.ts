import { createSocket, Socket } from 'node:dgram';

/**
 * A bare UDP socket for exact-byte checks (a VirtualGateway hides what it drops): sends
 * a datagram and collects whatever comes back within a time.
 */
export class UdpProbe {
  private readonly received: Buffer[] = [];
  private socket!: Socket;

  static async open(): Promise<UdpProbe> {
    const probe = new UdpProbe();
    probe.socket = createSocket('udp4');
    probe.socket.on('message', (msg) => void probe.received.push(msg));
    await new Promise<void>((resolve) => probe.socket.bind(0, '127.0.0.1', resolve));
    return probe;
  }

  /** Sends, then resolves with every datagram that arrived within `waitMs`. */
  async exchange(datagram: Buffer, port: number, waitMs = 150): Promise<Buffer[]> {
    this.received.length = 0;
    this.socket.send(datagram, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, waitMs));
    return [...this.received];
  }

  /** Sends and resolves with the first answer, or rejects after `timeoutMs`. */
  async request(datagram: Buffer, port: number, timeoutMs = 1000): Promise<Buffer> {
    this.received.length = 0;
    this.socket.send(datagram, port, '127.0.0.1');
    const end = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      if (Date.now() > end) throw new Error('no answer');
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.received[0];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** version, token, identifier, EUI and an optional JSON text, as a gateway would send. */
export function gatewayDatagram(
  version: number,
  token: number,
  type: number,
  eui: string,
  json?: string,
): Buffer {
  const head = Buffer.from([version, token >> 8, token & 0xff, type]);
  const parts = [head, Buffer.from(eui, 'hex')];
  if (json !== undefined) parts.push(Buffer.from(json));
  return Buffer.concat(parts);
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
