import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * Free ports on 127.0.0.1, for a server started with its log level at warn (its `listening …`
 * lines are info). All of a call's sockets are held open together, so the ports differ.
 */
export async function freePorts(kind: 'tcp' | 'udp', count: number): Promise<number[]> {
  const closers: Array<() => Promise<void>> = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    if (kind === 'tcp') {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      ports.push((server.address() as { port: number }).port);
      closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    } else {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      ports.push(socket.address().port);
      closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
    }
  }
  await Promise.all(closers.map((c) => c()));
  return ports;
}
