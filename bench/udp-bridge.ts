/**
 * Throughput of the Semtech UDP bridge on loopback (not run in CI).
 *
 * Starts the built server (`npm run build` first) on free ports with one registered
 * gateway, then blasts PUSH_DATA (one rxpk each, as a forwarder sends one received
 * packet) from N sockets for a few seconds, each keeping at most W datagrams in flight,
 * and reports PUSH_ACKs answered per second and the datagrams never acknowledged.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/udp-bridge.ts \
 *     [--sockets 4] [--window 32] [--seconds 5]
 *
 * The server runs in its own process so that the figure is the server's, not this
 * client's event loop. Loopback only: it measures the bridge, not a network.
 */
import { createSocket, Socket } from 'node:dgram';
import { startLnsProcess } from '../test/support/lns-process';

const GATEWAY_ID = 'bec0000000000001';
/** A PUSH_DATA not answered within this is counted lost (lora_pkt_fwd waits 100 ms, push_timeout_ms). */
const ACK_TIMEOUT_MS = 500;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Sender {
  socket: Socket;
  /** token → time sent (ms). */
  inFlight: Map<number, number>;
  nextToken: number;
}

async function main(): Promise<void> {
  const sockets = arg('sockets', 4);
  const window = arg('window', 32);
  const seconds = arg('seconds', 5);

  const lns = await startLnsProcess({ LNS_UDP_HOST: '127.0.0.1', LNS_HTTP_HOST: '127.0.0.1' }, [
    'http',
    'udp',
  ]);
  const api = `http://127.0.0.1:${lns.ports.http}/api`;
  const headers = { Authorization: `Bearer ${lns.adminToken()}`, 'Content-Type': 'application/json' };
  const created = await fetch(`${api}/gateways`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ gatewayId: GATEWAY_ID, name: 'bench', region: 'EU868' }),
  });
  if (created.status !== 201) throw new Error(`register: HTTP ${created.status}`);

  // A realistic rxpk: 23-byte unconfirmed uplink, the fields lora_pkt_fwd writes.
  const body = Buffer.from(
    JSON.stringify({
      rxpk: [
        {
          time: '2026-11-21T10:00:00.000000Z',
          tmst: 3512348611,
          chan: 2,
          rfch: 0,
          freq: 868.5,
          stat: 1,
          modu: 'LORA',
          datr: 'SF7BW125',
          codr: '4/5',
          rssi: -57,
          lsnr: 9.8,
          size: 23,
          data: Buffer.from('40e2050026800100016e0ad5aab4c2d1a0b1c2d3e4f506', 'hex').toString('base64'),
        },
      ],
    }),
  );
  const header = Buffer.from([2, 0, 0, 0x00, ...Buffer.from(GATEWAY_ID, 'hex')]);

  let sent = 0;
  let acked = 0;
  let lost = 0;
  let running = true;
  const senders: Sender[] = [];

  const send = (s: Sender): void => {
    const token = s.nextToken;
    s.nextToken = (s.nextToken + 1) & 0xffff;
    const datagram = Buffer.concat([header, body]);
    datagram.writeUInt16BE(token, 1);
    s.inFlight.set(token, Date.now());
    sent++;
    s.socket.send(datagram, lns.ports.udp!, '127.0.0.1');
  };

  for (let i = 0; i < sockets; i++) {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    const s: Sender = { socket, inFlight: new Map(), nextToken: (i * 0x3000) & 0xffff };
    socket.on('message', (msg) => {
      if (msg.length !== 4 || msg[3] !== 0x01) return;
      if (!s.inFlight.delete(msg.readUInt16BE(1))) return;
      acked++;
      if (running) send(s);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    senders.push(s);
  }

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const s of senders) {
      for (const [token, at] of s.inFlight) {
        if (now - at <= ACK_TIMEOUT_MS) continue;
        s.inFlight.delete(token);
        lost++;
        if (running) send(s);
      }
    }
  }, 50);

  const started = process.hrtime.bigint();
  for (const s of senders) for (let k = 0; k < window; k++) send(s);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const ackedInWindow = acked;
  await new Promise((r) => setTimeout(r, ACK_TIMEOUT_MS + 100));
  clearInterval(sweep);
  for (const s of senders) lost += s.inFlight.size;

  const state = (await (await fetch(`${api}/gateways/${GATEWAY_ID}`, { headers })).json()) as {
    counters: { pushData: number; rxOk: number; malformed: number };
  };
  for (const s of senders) s.socket.close();
  await lns.stop();

  const rate = Math.round(ackedInWindow / elapsed);
  console.log(
    `udp-bridge: ${sockets} sockets × ${window} in flight, ${elapsed.toFixed(1)} s, node ${process.version}`,
  );
  console.log(`  PUSH_DATA sent        ${sent}`);
  console.log(`  PUSH_ACK received     ${acked}`);
  console.log(`  PUSH_ACK/s            ${rate}`);
  console.log(
    `  lost (no ACK ${ACK_TIMEOUT_MS} ms) ${lost} (${((lost / Math.max(sent, 1)) * 100).toFixed(3)} %)`,
  );
  console.log(
    `  server: pushData ${state.counters.pushData}, rxOk ${state.counters.rxOk}, malformed ${state.counters.malformed}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
