import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Rng, Seed } from './rng';

/**
 * A packet forwarder without radio: it speaks the Semtech UDP protocol (PROTOCOL.TXT,
 * versions 1 and 2) to a network server the way lora_pkt_fwd does, from two sockets
 * (upstream for PUSH_DATA, downstream for PULL_DATA/PULL_RESP/TX_ACK), so that the
 * server's NAT handling is exercised too. Standalone on purpose: it shares no code with
 * the server's codec, so a misreading of the protocol on one side shows up as a test
 * failure instead of cancelling out.
 */

export type ProtocolVersion = 1 | 2;

/** `txpk_ack.error` values a forwarder can answer (PROTOCOL.TXT §6). */
export type TxAckErrorCode =
  | 'TOO_LATE'
  | 'TOO_EARLY'
  | 'COLLISION_PACKET'
  | 'COLLISION_BEACON'
  | 'TX_FREQ'
  | 'TX_POWER'
  | 'GPS_UNLOCKED';

export interface VirtualGatewayOptions {
  /** EUI, 16 hex digits. */
  gatewayId: string;
  /** Server host; 127.0.0.1 by default. */
  host?: string;
  /** Server UDP port. */
  port: number;
  /** 2 (lora_pkt_fwd v3+, with TX_ACK) by default. */
  protocolVersion?: ProtocolVersion;
  /** PULL_DATA interval; lora_pkt_fwd's sample global_conf.json uses 10 s. */
  keepaliveMs?: number;
  /** How long sendUplink/sendStat/pull wait for their ACK. */
  ackTimeoutMs?: number;
  /** Everything random (tokens, tmst start, RSSI) draws from this seed; the EUI by default. */
  seed?: Seed;
  /** Where the concentrator counter starts; random by default (a real one starts at power-up). */
  tmstStart?: number;
  /** Position reported by sendStat(). */
  location?: { latitude: number; longitude: number; altitude: number };
}

/** Radio metadata of one simulated reception; anything left out gets a realistic value. */
export interface RadioOverrides {
  /** Hz; 868.1 MHz by default. */
  frequency?: number;
  modulation?: 'LORA' | 'FSK';
  spreadingFactor?: number;
  /** Hz. */
  bandwidth?: number;
  codeRate?: string;
  /** FSK bit/s. */
  bitRate?: number;
  rssi?: number;
  snr?: number;
  channel?: number;
  rfChain?: number;
  /** 1 CRC OK (default), 0 no CRC, -1 CRC failed. */
  crcStatus?: 1 | 0 | -1;
  /** The concentrator counter at the end of reception; now by default. */
  tmst?: number;
  /** UTC time of reception; now by default, null to leave it out (no GPS/NTP). */
  time?: Date | null;
  /** Fields merged into the rxpk as they are, e.g. `rsig` or deliberately wrong types. */
  extra?: Record<string, unknown>;
}

export interface SentPushData {
  token: number;
  /** The JSON object sent. */
  body: unknown;
}

/** A PULL_RESP the gateway received, decoded. */
export interface ReceivedDownlink {
  protocolVersion: number;
  token: number;
  receivedAt: number;
  /** Which socket it arrived on: a server must answer the down socket (PROTOCOL.TXT §5.2). */
  socket: 'up' | 'down';
  from: { address: string; port: number };
  imme: boolean;
  tmst?: number;
  tmms?: number;
  /** Hz, from `freq` as the forwarder computes it (MHz × 1e6, truncated). */
  frequency: number;
  rfChain?: number;
  power?: number;
  modulation?: string;
  spreadingFactor?: number;
  bandwidth?: number;
  codeRate?: string;
  bitRate?: number;
  invertPolarity?: boolean;
  size?: number;
  phyPayload: Buffer;
  /** The txpk object as received. */
  txpk: Record<string, unknown>;
  /** The whole datagram, for checks on the JSON text itself (e.g. freq's decimals). */
  datagram: Buffer;
}

const PUSH_DATA = 0x00;
const PUSH_ACK = 0x01;
const PULL_DATA = 0x02;
const PULL_RESP = 0x03;
const PULL_ACK = 0x04;
const TX_ACK = 0x05;
const TMST_MODULO = 2 ** 32;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class VirtualGateway extends EventEmitter {
  readonly gatewayId: string;
  readonly protocolVersion: ProtocolVersion;
  /** Every PULL_RESP received, oldest first. */
  readonly downlinks: ReceivedDownlink[] = [];
  /** What a lora_pkt_fwd would report in its stat (and the tests read). */
  readonly counters = {
    pushSent: 0,
    pushAcked: 0,
    pullSent: 0,
    pullAcked: 0,
    /** ACKs whose token matched nothing pending ("out-of-sync ACK" in lora_pkt_fwd). */
    outOfSyncAcks: 0,
    txAckSent: 0,
    rxReceived: 0,
    rxOk: 0,
  };

  private readonly host: string;
  private readonly port: number;
  private readonly keepaliveMs: number;
  private readonly ackTimeoutMs: number;
  private readonly rng: Rng;
  private readonly eui: Buffer;
  private readonly tmstStart: number;
  private readonly clockStart = performance.now();
  private readonly location?: VirtualGatewayOptions['location'];
  private up: Socket | null = null;
  private down: Socket | null = null;
  private keepalive: NodeJS.Timeout | undefined;
  private readonly pushWaiters = new Map<number, Waiter>();
  private readonly pullWaiters = new Map<number, Waiter>();
  private readonly downlinkWaiters: Array<(d: ReceivedDownlink) => void> = [];
  /** PULL_RESP received while nobody was waiting in nextDownlink(). */
  private readonly unclaimed: ReceivedDownlink[] = [];
  private nextTxError: TxAckErrorCode | undefined;

  constructor(options: VirtualGatewayOptions) {
    super();
    if (!/^[0-9a-fA-F]{16}$/.test(options.gatewayId)) throw new Error('gatewayId must be 16 hex digits');
    this.gatewayId = options.gatewayId.toLowerCase();
    this.eui = Buffer.from(this.gatewayId, 'hex');
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port;
    this.protocolVersion = options.protocolVersion ?? 2;
    this.keepaliveMs = options.keepaliveMs ?? 10_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1_000;
    this.rng = new Rng(options.seed ?? this.gatewayId);
    this.tmstStart = options.tmstStart ?? this.rng.nextUint32();
    this.location = options.location;
  }

  /** Opens both sockets and sends the first PULL_DATA; resolves at its PULL_ACK. */
  async start(): Promise<void> {
    this.up = await this.openSocket('up');
    this.down = await this.openSocket('down');
    await this.pull();
    this.keepalive = setInterval(() => this.pull().catch(() => undefined), this.keepaliveMs);
    this.keepalive.unref();
  }

  /** Sends one PULL_DATA now; resolves at the PULL_ACK with its token. */
  pull(): Promise<void> {
    if (!this.down) return Promise.reject(new Error(`${this.gatewayId}: not started`));
    const token = this.freshToken(this.pullWaiters);
    const waiting = this.waitFor(this.pullWaiters, token, 'PULL_ACK');
    this.counters.pullSent++;
    this.sendOn(this.down, this.header(PULL_DATA, token));
    return waiting;
  }

  /**
   * A NAT that drops its mapping: the down socket is replaced by one on another port,
   * and a PULL_DATA from it tells the server where downlinks go now.
   */
  async rebindDownstream(): Promise<void> {
    const old = this.down;
    this.down = await this.openSocket('down');
    await new Promise<void>((resolve) => (old ? old.close(() => resolve()) : resolve()));
    await this.pull();
  }

  /** The local ports, for assertions on where datagrams arrive. */
  get ports(): { up: number | null; down: number | null } {
    return { up: this.up?.address().port ?? null, down: this.down?.address().port ?? null };
  }

  /** The concentrator's µs counter now: a random start plus real time, wrapping at 2^32. */
  concentratorTime(): number {
    const elapsedUs = Math.floor((performance.now() - this.clockStart) * 1000);
    return (this.tmstStart + elapsedUs) % TMST_MODULO;
  }

  /** The rxpk a concentrator would report for this PHYPayload (PROTOCOL.TXT §4). */
  buildRxpk(phyPayload: Buffer, radio: RadioOverrides = {}): Record<string, unknown> {
    const modulation = radio.modulation ?? 'LORA';
    const frequency = radio.frequency ?? 868_100_000;
    const rxpk: Record<string, unknown> = {};
    const time = radio.time === undefined ? new Date() : radio.time;
    if (time) rxpk.time = compactIsoTime(time);
    rxpk.tmst = radio.tmst ?? this.concentratorTime();
    rxpk.chan = radio.channel ?? 0;
    rxpk.rfch = radio.rfChain ?? 0;
    rxpk.freq = Number((frequency / 1e6).toFixed(6));
    rxpk.stat = radio.crcStatus ?? 1;
    rxpk.modu = modulation;
    if (modulation === 'LORA') {
      rxpk.datr = `SF${radio.spreadingFactor ?? 7}BW${(radio.bandwidth ?? 125_000) / 1000}`;
      rxpk.codr = radio.codeRate ?? '4/5';
      rxpk.rssi = radio.rssi ?? this.rng.intBetween(-115, -40);
      rxpk.lsnr = radio.snr ?? this.rng.intBetween(-150, 120) / 10;
    } else {
      rxpk.datr = radio.bitRate ?? 50_000;
      rxpk.rssi = radio.rssi ?? this.rng.intBetween(-110, -40);
    }
    rxpk.size = phyPayload.length;
    rxpk.data = phyPayload.toString('base64');
    return { ...rxpk, ...radio.extra };
  }

  /** One received radio packet in a PUSH_DATA; resolves at the PUSH_ACK with its token. */
  sendUplink(phyPayload: Buffer, radio: RadioOverrides = {}): Promise<SentPushData> {
    return this.sendUplinks([{ phyPayload, radio }]);
  }

  /** Several packets in one PUSH_DATA, as a forwarder batches one fetch cycle. */
  sendUplinks(packets: Array<{ phyPayload: Buffer; radio?: RadioOverrides }>): Promise<SentPushData> {
    const rxpk = packets.map((p) => this.buildRxpk(p.phyPayload, p.radio));
    this.counters.rxReceived += rxpk.length;
    this.counters.rxOk += rxpk.filter((r) => r.stat === 1).length;
    return this.sendPushData({ rxpk });
  }

  /** A status report (PROTOCOL.TXT §4 stat) from the counters kept so far, plus overrides. */
  sendStat(overrides: Record<string, unknown> = {}): Promise<SentPushData> {
    const c = this.counters;
    const stat: Record<string, unknown> = {
      time: expandedTime(new Date()),
      ...(this.location && {
        lati: this.location.latitude,
        long: this.location.longitude,
        alti: this.location.altitude,
      }),
      rxnb: c.rxReceived,
      rxok: c.rxOk,
      rxfw: c.rxReceived,
      ackr: c.pushSent === 0 ? 100 : Math.round((c.pushAcked / c.pushSent) * 1000) / 10,
      dwnb: this.downlinks.length,
      txnb: this.downlinks.length,
      ...overrides,
    };
    return this.sendPushData({ stat });
  }

  /**
   * Any JSON body in a well-formed PUSH_DATA (a string is sent as it is, for bad JSON);
   * resolves at the PUSH_ACK, rejects when none comes within ackTimeoutMs.
   */
  sendPushData(body: unknown): Promise<SentPushData> {
    if (!this.up) return Promise.reject(new Error(`${this.gatewayId}: not started`));
    const token = this.freshToken(this.pushWaiters);
    const waiting = this.waitFor(this.pushWaiters, token, 'PUSH_ACK');
    this.counters.pushSent++;
    this.sendOn(this.up, this.pushDataDatagram(body, token));
    return waiting.then(() => ({ token, body }));
  }

  /** The bytes of a PUSH_DATA from this gateway, for tests that alter them. */
  pushDataDatagram(body: unknown, token = this.rng.int(0x10000)): Buffer {
    const json = typeof body === 'string' ? body : JSON.stringify(body);
    return Buffer.concat([this.header(PUSH_DATA, token), Buffer.from(json, 'utf8')]);
  }

  /** Any bytes, from the up or the down socket: for malformed-datagram tests. */
  sendRaw(datagram: Buffer, socket: 'up' | 'down' = 'up'): void {
    this.sendOn(socket === 'up' ? this.up : this.down, datagram);
  }

  /** The next PULL_RESP answers TX_ACK with this error instead of success. */
  failNextTx(error: TxAckErrorCode): void {
    this.nextTxError = error;
  }

  /** Resolves with the next PULL_RESP (or one already received and not yet taken). */
  nextDownlink(timeoutMs = 2_000): Promise<ReceivedDownlink> {
    const ready = this.unclaimed.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.downlinkWaiters.indexOf(take);
        if (i >= 0) this.downlinkWaiters.splice(i, 1);
        reject(new Error(`${this.gatewayId}: no PULL_RESP within ${timeoutMs} ms`));
      }, timeoutMs);
      const take = (d: ReceivedDownlink) => {
        clearTimeout(timer);
        resolve(d);
      };
      this.downlinkWaiters.push(take);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.keepalive);
    for (const waiters of [this.pushWaiters, this.pullWaiters]) {
      for (const w of waiters.values()) {
        clearTimeout(w.timer);
        w.reject(new Error(`${this.gatewayId}: stopped`));
      }
      waiters.clear();
    }
    const sockets = [this.up, this.down];
    this.up = null;
    this.down = null;
    await Promise.all(
      sockets.map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))),
    );
  }

  private openSocket(name: 'up' | 'down'): Promise<Socket> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, from) => this.onDatagram(msg, from, name));
    socket.on('error', (err) => this.emit('socketError', err));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  }

  private onDatagram(msg: Buffer, from: RemoteInfo, socket: 'up' | 'down'): void {
    // lora_pkt_fwd drops downstream datagrams shorter than 4 bytes or of another version.
    if (msg.length < 4 || msg[0] !== this.protocolVersion) return;
    const token = msg.readUInt16BE(1);
    switch (msg[3]) {
      case PUSH_ACK:
        if (this.settle(this.pushWaiters, token)) this.counters.pushAcked++;
        break;
      case PULL_ACK:
        if (this.settle(this.pullWaiters, token)) this.counters.pullAcked++;
        break;
      case PULL_RESP:
        this.onPullResp(msg, from, socket, token);
        break;
      default:
        this.emit('unexpected', msg);
    }
  }

  private onPullResp(msg: Buffer, from: RemoteInfo, socket: 'up' | 'down', token: number): void {
    let txpk: Record<string, unknown>;
    try {
      txpk = JSON.parse(msg.toString('utf8', 4)).txpk;
      if (!txpk || typeof txpk !== 'object') throw new Error('no txpk object');
    } catch (err) {
      this.emit('badDownlink', msg, err);
      return;
    }
    const downlink = decodeTxpk(txpk, {
      protocolVersion: msg[0],
      token,
      socket,
      from: { address: from.address, port: from.port },
      datagram: msg,
    });
    this.downlinks.push(downlink);
    this.emit('downlink', downlink);
    const waiter = this.downlinkWaiters.shift();
    if (waiter) waiter(downlink);
    else this.unclaimed.push(downlink);
    // Version 1 forwarders have no TX_ACK (PROTOCOL.TXT 1.2).
    if (this.protocolVersion === 2) this.sendTxAck(token);
  }

  /** As lora_pkt_fwd send_tx_ack(): no JSON when all went well (PROTOCOL.TXT §5.5). */
  private sendTxAck(token: number): void {
    const error = this.nextTxError;
    this.nextTxError = undefined;
    const head = this.header(TX_ACK, token);
    const datagram = error ? Buffer.concat([head, Buffer.from(`{"txpk_ack":{"error":"${error}"}}`)]) : head;
    this.counters.txAckSent++;
    this.sendOn(this.down, datagram);
  }

  /** version, token, identifier and, for gateway-sent types, the EUI. */
  private header(type: number, token: number): Buffer {
    const buf = Buffer.alloc(12);
    buf[0] = this.protocolVersion;
    buf.writeUInt16BE(token, 1);
    buf[3] = type;
    this.eui.copy(buf, 4);
    return buf;
  }

  private sendOn(socket: Socket | null, datagram: Buffer): void {
    if (!socket) throw new Error(`${this.gatewayId}: not started`);
    socket.send(datagram, this.port, this.host);
  }

  private freshToken(pending: Map<number, Waiter>): number {
    let token = this.rng.int(0x10000);
    while (pending.has(token)) token = (token + 1) & 0xffff;
    return token;
  }

  private waitFor(waiters: Map<number, Waiter>, token: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(token);
        reject(new Error(`${this.gatewayId}: no ${what} for token ${token} within ${this.ackTimeoutMs} ms`));
      }, this.ackTimeoutMs);
      waiters.set(token, { resolve, reject, timer });
    });
  }

  private settle(waiters: Map<number, Waiter>, token: number): boolean {
    const w = waiters.get(token);
    if (!w) {
      this.counters.outOfSyncAcks++;
      return false;
    }
    waiters.delete(token);
    clearTimeout(w.timer);
    w.resolve();
    return true;
  }
}

function decodeTxpk(
  txpk: Record<string, unknown>,
  meta: Pick<ReceivedDownlink, 'protocolVersion' | 'token' | 'socket' | 'from' | 'datagram'>,
): ReceivedDownlink {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const datr = txpk.datr;
  const lora = typeof datr === 'string' ? /^SF(\d+)BW(\d+)$/.exec(datr) : null;
  return {
    ...meta,
    receivedAt: Date.now(),
    imme: txpk.imme === true,
    tmst: num(txpk.tmst),
    tmms: num(txpk.tmms),
    // lora_pkt_fwd: (uint32_t)((double)(1.0e6) * json_value_get_number(val)).
    frequency: Math.trunc(1e6 * (num(txpk.freq) ?? 0)),
    rfChain: num(txpk.rfch),
    power: num(txpk.powe),
    modulation: typeof txpk.modu === 'string' ? txpk.modu : undefined,
    spreadingFactor: lora ? Number(lora[1]) : undefined,
    bandwidth: lora ? Number(lora[2]) * 1000 : undefined,
    codeRate: typeof txpk.codr === 'string' ? txpk.codr : undefined,
    bitRate: typeof datr === 'number' ? datr : undefined,
    invertPolarity: typeof txpk.ipol === 'boolean' ? txpk.ipol : undefined,
    size: num(txpk.size),
    phyPayload: typeof txpk.data === 'string' ? Buffer.from(txpk.data, 'base64') : Buffer.alloc(0),
    txpk,
  };
}

/** "ISO 8601 'compact' format", µs precision, as lora_pkt_fwd writes rxpk time. */
function compactIsoTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** "2014-01-12 08:59:28 GMT", as lora_pkt_fwd writes stat time. */
function expandedTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}
