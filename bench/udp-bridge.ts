/**
 * Throughput of the Semtech UDP bridge on loopback (not run in CI).
 *
 * Starts the built server (`npm run build` first) on free ports with one registered
 * gateway, then blasts PUSH_DATA (one rxpk each, as a forwarder sends one received
 * packet) from N sockets for a few seconds, each keeping at most W datagrams in flight,
 * and reports PUSH_ACKs answered per second and the datagrams never acknowledged, and
 * the server's CPU per datagram: its main thread's (the event loop that runs LoRaWAN) and
 * the whole process's (the UDP worker thread included), from /proc (Linux).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/udp-bridge.ts \
 *     [--sockets 4] [--window 32] [--seconds 5] [--worker true|false] [--rate N]
 *
 * `--worker false` runs the socket on the main thread (udp.worker). `--rate N` paces the
 * senders to N datagrams/s in total instead of as fast as the acks come back: the CPU per
 * datagram is only comparable between runs at the same rate. LNS_BENCH_MAIN=<main.js>
 * benchmarks another build.
 *
 * The server runs in its own process so that the figure is the server's, not this
 * client's event loop. Loopback only: it measures the bridge, not a network.
 */
import { createSocket, Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { LNS_MAIN, startLnsProcess } from '../test/support/lns-process';

const GATEWAY_ID = 'bec0000000000001';
/** A PUSH_DATA not answered within this is counted lost (lora_pkt_fwd waits 100 ms, push_timeout_ms). */
const ACK_TIMEOUT_MS = 500;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process (`/proc/pid/stat`) or one of its threads (`/proc/pid/task/tid/stat`). */
function cpuSeconds(statFile: string): number {
  // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
  const text = readFileSync(statFile, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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
  const rate = arg('rate', 0);
  const worker = stringArg('worker');

  const lns = await startLnsProcess(
    {
      LNS_UDP_HOST: '127.0.0.1',
      LNS_HTTP_HOST: '127.0.0.1',
      ...(worker !== undefined && { LNS_UDP_WORKER: worker }),
    },
    ['http', 'udp'],
    process.env.LNS_BENCH_MAIN ?? LNS_MAIN,
  );
  const pid = lns.proc.pid!;
  const mainThreadStat = `/proc/${pid}/task/${pid}/stat`;
  const processStat = `/proc/${pid}/stat`;
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
      if (running && rate === 0) send(s);
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
        if (running && rate === 0) send(s);
      }
    }
  }, 50);

  // Paced: every 10 ms the datagrams due since the start, spread over the senders.
  let pacer: NodeJS.Timeout | undefined;
  const cpuBefore = { main: cpuSeconds(mainThreadStat), all: cpuSeconds(processStat) };
  const started = process.hrtime.bigint();
  if (rate > 0) {
    let next = 0;
    pacer = setInterval(() => {
      const due = Math.floor((Number(process.hrtime.bigint() - started) / 1e9) * rate);
      for (; sent < due; next = (next + 1) % senders.length) send(senders[next]);
    }, 10);
  } else {
    for (const s of senders) for (let k = 0; k < window; k++) send(s);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  clearInterval(pacer);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const ackedInWindow = acked;
  const cpu = {
    main: cpuSeconds(mainThreadStat) - cpuBefore.main,
    all: cpuSeconds(processStat) - cpuBefore.all,
  };
  await new Promise((r) => setTimeout(r, ACK_TIMEOUT_MS + 100));
  clearInterval(sweep);
  for (const s of senders) lost += s.inFlight.size;

  const state = (await (await fetch(`${api}/gateways/${GATEWAY_ID}`, { headers })).json()) as {
    counters: { pushData: number; rxOk: number; malformed: number };
  };
  for (const s of senders) s.socket.close();
  await lns.stop();

  const ackRate = Math.round(ackedInWindow / elapsed);
  const perDatagram = (s: number) => ((s * 1e6) / Math.max(ackedInWindow, 1)).toFixed(1);
  console.log(
    `udp-bridge: ${sockets} sockets × ${rate > 0 ? `paced at ${rate}/s` : `${window} in flight`}, ` +
      `${elapsed.toFixed(1)} s, udp.worker ${worker ?? 'default'}, node ${process.version}`,
  );
  console.log(`  PUSH_DATA sent        ${sent}`);
  console.log(`  PUSH_ACK received     ${acked}`);
  console.log(`  PUSH_ACK/s            ${ackRate}`);
  console.log(
    `  server CPU/datagram   main thread ${perDatagram(cpu.main)} µs, process ${perDatagram(cpu.all)} µs ` +
      `(main thread ${((cpu.main / elapsed) * 100).toFixed(0)} % busy)`,
  );
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
