import { RemoteInfo } from 'node:dgram';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { DownlinkError, DownlinkRequest, DownlinkSent } from './downlink/downlink-request';
import { DownlinkTracker } from './downlink/downlink-tracker';
import { BridgeCounters, GatewayRegistry } from './gateway/gateway-registry';
import { GatewayState, isConnected } from './gateway/gateway-state';
import {
  DatagramHeader,
  decodePushData,
  decodeTxAck,
  encodePullAck,
  encodePullResp,
  encodePushAck,
  GATEWAY_HEADER_LENGTH,
  PACKET_TYPE_NAMES,
  PacketType,
  parseHeader,
  parseJsonObject,
  PushDataContent,
  SemtechUdpError,
} from './semtech-udp';
import { DeduplicatedUplink, FirstCopy } from './dedup/deduplicated-uplink';
import { WorkerPushData } from './udp/worker-handover';
import { DatagramEndpoint, UdpEndpoint } from './udp/udp-endpoint';
import { UdpWorkerEndpoint } from './udp/udp-worker-endpoint';
import { isPushData } from './udp/worker-protocol';
import { IntakeGuard } from './intake/intake-guard';
import './events';

/** How often pending PULL_RESP without TX_ACK are given up. */
const SWEEP_MS = 5_000;

/**
 * The Semtech UDP packet forwarder protocol on one socket: PUSH_DATA → PUSH_ACK and
 * `uplink.received`/`gateway.stats`, PULL_DATA → PULL_ACK and the gateway's pull
 * address, sendDownlink() → PULL_RESP, TX_ACK → `downlink.txack`. The datagram path
 * touches memory only (GatewayRegistry) and never throws.
 *
 * With `udp.worker` (the default) a worker thread owns the socket: it receives, sends,
 * and acknowledges the PUSH_DATA of the gateways this service tells it
 * are accepted; every datagram still comes here (batched), and all state and events stay
 * on this thread.
 */
@Injectable()
export class GatewayBridgeService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('GatewayBridge');
  private readonly udp: DatagramEndpoint;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
    private readonly registry: GatewayRegistry,
    private readonly tracker: DownlinkTracker,
    private readonly bus: EventBus,
    private readonly intake: IntakeGuard,
  ) {
    this.udp =
      config.udp.worker === false
        ? new UdpEndpoint(this.logger)
        : new UdpWorkerEndpoint(this.logger, this.intake, config.dedup);
  }

  async onApplicationBootstrap(): Promise<void> {
    // The registered gateways are loaded (GatewayService.onModuleInit); later changes follow.
    this.udp.acceptGateways(
      [...this.registry.all()].map((gw) => gw.gatewayId),
      this.allowUnknownNow(),
    );
    this.registry.onMembership = (gatewayId, present) =>
      this.udp.acceptGateway(gatewayId, present, this.allowUnknownNow());
    const port = await this.udp.bind(this.config.udp.host, this.config.udp.port, {
      datagram: (msg, from, at, acked) => this.handleDatagram(msg, from, at, acked),
      pushData: (push, from, at) => this.handlePushData(push, from, at),
      firstCopy: (first) => this.handleFirstCopy(first),
      uplink: (uplink) => this.handleUplink(uplink),
      dedupReport: (report) => this.bus.emit('uplink.dedup.report', report),
    });
    this.logger.log(`listening udp=${port}`);
    this.sweeper = setInterval(() => this.sweepPending(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** First of the shutdown hooks: no datagram changes the state after the final write-behind. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    this.registry.onMembership = undefined;
    await this.udp.close();
  }

  /** The bound UDP port, null before bootstrap and after shutdown. */
  get udpPort(): number | null {
    return this.udp.port;
  }

  /** Bridge-wide counters since start (datagrams, malformed, unknown gateways, TX_ACK); for metrics. */
  get counters(): Readonly<BridgeCounters> {
    return this.registry.counters;
  }

  /**
   * One datagram from the socket, received at `receivedAt`; `acked` when the UDP worker
   * already sent its PUSH_ACK/PULL_ACK. Never throws: a bad datagram costs a counter, nothing else.
   */
  handleDatagram(msg: Buffer, from: RemoteInfo, receivedAt = Date.now(), acked = false): void {
    // Overloaded: as the worker does, a new PUSH_DATA is refused unanswered (IntakeGuard).
    if (this.intake.refusing && isPushData(msg)) return this.intake.refused(1);
    this.registry.counters.datagrams++;
    try {
      const header = parseHeader(msg);
      if (!header.ok) return this.malformed(null, header.error, from);
      const h = header.value;
      switch (h.type) {
        case PacketType.PUSH_DATA:
          return this.onPushData(msg, h, from, receivedAt, acked);
        case PacketType.PULL_DATA:
          return this.onPullData(h, from, receivedAt, acked);
        case PacketType.TX_ACK:
          return this.onTxAck(msg, h, from, receivedAt);
        default:
          // PUSH_ACK, PULL_ACK and PULL_RESP go to gateways, never to a server.
          return this.malformed(
            null,
            {
              code: 'UNKNOWN_TYPE',
              message: `${PACKET_TYPE_NAMES[h.type]} is sent by servers, not gateways`,
            },
            from,
          );
      }
    } catch (err) {
      this.failed(err, from);
    }
  }

  /**
   * A PUSH_DATA the UDP worker acknowledged and decoded (worker-handover.ts): the gateway's
   * counters and status, as handleDatagram keeps them for the same datagram; its packets went to
   * the worker's deduplication (handleUplink). Never throws.
   */
  handlePushData(push: WorkerPushData, from: RemoteInfo, receivedAt: number): void {
    this.registry.counters.datagrams++;
    try {
      const gw = this.accept(push.header, from, receivedAt);
      if (!gw) return;
      gw.counters.pushData++;
      this.countRxpk(gw, push.rxpkCount, push.badCrc, push.packets, push.rejected, from);
      this.serveStat(gw, push, from, receivedAt);
    } catch (err) {
      this.failed(err, from);
    }
  }

  /**
   * The first copy of an uplink the UDP worker is deduplicating, for the network server to check
   * and commit early; unless its gateway was removed meanwhile (its datagram would now be ignored).
   */
  handleFirstCopy(first: FirstCopy): void {
    if (this.registry.get(first.copy.rx.gatewayId)) this.bus.emit('uplink.first', first);
  }

  /**
   * An uplink the UDP worker deduplicated, for the network server. A copy from a gateway removed
   * since the worker took it goes (as its datagram would now be ignored), and with the last copy
   * the uplink.
   */
  handleUplink(uplink: DeduplicatedUplink): void {
    const { copies } = uplink;
    if (!copies.every((copy) => this.registry.get(copy.rx.gatewayId))) {
      uplink.copies = copies.filter((copy) => this.registry.get(copy.rx.gatewayId));
      if (uplink.copies.length === 0) return;
    }
    this.bus.emit('uplink.deduplicated', uplink);
  }

  /**
   * Sends a PULL_RESP to the address of the gateway's latest PULL_DATA. Resolves with
   * the token its TX_ACK will carry; throws DownlinkError GATEWAY_NOT_CONNECTED when
   * the gateway is unknown or its keep-alives stopped, INVALID_TXPK when the packet
   * cannot be encoded.
   */
  async sendDownlink(req: DownlinkRequest): Promise<DownlinkSent> {
    const now = Date.now();
    const gatewayId = typeof req.gatewayId === 'string' ? req.gatewayId.toLowerCase() : '';
    const gw = this.registry.get(gatewayId);
    if (!gw || !isConnected(gw, now) || this.udp.port === null) {
      throw new DownlinkError(
        'GATEWAY_NOT_CONNECTED',
        `gateway ${gatewayId} is not connected (no recent PULL_DATA)`,
      );
    }
    const to = gw.pullAddress!;
    const version = gw.protocolVersion ?? 2;
    // Version 1 has no TX_ACK and leaves the PULL_RESP token unused (PROTOCOL.TXT 1.2 §5.4).
    const pending = version === 2 ? this.tracker.reserve(gatewayId, req.downlinkId, now) : undefined;
    const datagram = encodePullResp(version, pending?.token ?? 0, req.txpk);
    if (!datagram.ok) {
      if (pending) this.tracker.cancel(pending);
      throw new DownlinkError('INVALID_TXPK', datagram.error.message, datagram.error.field);
    }
    try {
      await this.udp.sendAndWait(datagram.value, to);
    } catch (err) {
      if (pending) this.tracker.cancel(pending);
      throw new DownlinkError('SEND_FAILED', `PULL_RESP to ${to.address}:${to.port}: ${String(err)}`);
    }
    gw.counters.txSent++;
    gw.dirty = true;
    return { token: pending?.token ?? 0, txAckExpected: pending !== undefined };
  }

  private onPushData(msg: Buffer, h: DatagramHeader, from: RemoteInfo, now: number, acked: boolean): void {
    const gw = this.accept(h, from, now);
    if (!gw) return;
    gw.counters.pushData++;
    const body = parseJsonObject(msg, GATEWAY_HEADER_LENGTH);
    if (!body.ok) return this.malformed(gw, body.error, from);
    // Acknowledge at once, before the rxpk are decoded (PROTOCOL.TXT §3.1 "process
    // packets *after* ack"): the forwarder waits only push_timeout_ms (100 ms) for it. The
    // worker answers gateways it knows accepted; one accepted since (a race) is answered here.
    if (!acked) this.udp.send(encodePushAck(h.version, h.token), from);

    const decoded = decodePushData(body.value, gw.gatewayId);
    if (!decoded.ok) return this.malformed(gw, decoded.error, from);
    this.servePushData(gw, decoded.value, from, now);
  }

  /** The packets of a decoded PUSH_DATA as `uplink.received`, its `stat` as `gateway.stats`. */
  private servePushData(gw: GatewayState, content: PushDataContent, from: RemoteInfo, now: number): void {
    const { packets } = content;
    this.countRxpk(gw, content.rxpkCount, content.badCrc, packets.length, content.rejected, from);
    for (const packet of packets) {
      this.bus.emit('uplink.received', {
        phyPayload: packet.phyPayload,
        rx: packet.rx,
        tx: packet.tx,
        receivedAt: now,
      });
    }
    this.serveStat(gw, content, from, now);
  }

  /** What became of a PUSH_DATA's rxpk, on the gateway's counters; each refused one as malformed. */
  private countRxpk(
    gw: GatewayState,
    rxpkCount: number,
    badCrc: number,
    good: number,
    rejected: SemtechUdpError[],
    from: RemoteInfo,
  ): void {
    const c = gw.counters;
    c.rxReceived += rxpkCount;
    c.rxBadCrc += badCrc;
    c.rxOk += good;
    for (const error of rejected) this.malformed(gw, error, from);
  }

  /** A PUSH_DATA's `stat`: the gateway's last status and location, and `gateway.stats`. */
  private serveStat(
    gw: GatewayState,
    content: Pick<PushDataContent, 'stat' | 'statError'>,
    from: RemoteInfo,
    now: number,
  ): void {
    if (content.statError) this.malformed(gw, content.statError, from);
    if (content.stat) {
      gw.lastStat = content.stat;
      if (content.stat.location) gw.location = content.stat.location;
      this.bus.emit('gateway.stats', { gatewayId: gw.gatewayId, stat: content.stat, receivedAt: now });
    }
  }

  private onPullData(h: DatagramHeader, from: RemoteInfo, now: number, acked: boolean): void {
    const gw = this.accept(h, from, now);
    if (!gw) return;
    gw.counters.pullData++;
    // The NAT mapping of the forwarder's down socket is whatever the latest PULL_DATA came from (§5.2).
    const pull = gw.pullAddress;
    if (!pull || pull.port !== from.port || pull.address !== from.address) {
      gw.pullAddress = { address: from.address, port: from.port };
    }
    gw.lastPullAt = now;
    if (!acked) this.udp.send(encodePullAck(h.version, h.token), from);
  }

  private onTxAck(msg: Buffer, h: DatagramHeader, from: RemoteInfo, now: number): void {
    const gw = this.accept(h, from, now);
    if (!gw) return;
    const ack = decodeTxAck(msg);
    if (!ack.ok) return this.malformed(gw, ack.error, from);
    const pending = this.tracker.take(gw.gatewayId, h.token, now);
    if (!pending) {
      this.registry.counters.txAckUnmatched++;
      this.logger.debug(`TX_ACK token ${h.token} from ${gw.gatewayId} matches no pending downlink`);
      return;
    }
    const { error, rawError, warning } = ack.value;
    if (error === 'NONE') gw.counters.txOk++;
    else gw.counters.txErrors[error] = (gw.counters.txErrors[error] ?? 0) + 1;
    this.bus.emit('downlink.txack', {
      gatewayId: gw.gatewayId,
      downlinkId: pending.downlinkId,
      token: h.token,
      error,
      ...(rawError !== undefined && { rawError }),
      ...(warning !== undefined && { warning }),
      receivedAt: now,
    });
  }

  /**
   * The gateway's state when its datagrams are to be served: registered, or any when
   * `gateways.allowUnknown` is on. An unknown one is counted, and logged once per EUI.
   */
  private accept(h: DatagramHeader, from: RemoteInfo, now: number): GatewayState | undefined {
    const gatewayId = h.gatewayId!;
    let gw = this.registry.get(gatewayId);
    if (!gw && this.config.gateways.allowUnknown) gw = this.registry.addUnregistered(gatewayId, now);
    if (!gw) {
      if (this.registry.noteUnknown(gatewayId, { address: from.address, port: from.port }, now)) {
        this.logger.warn(
          `ignoring unknown gateway ${gatewayId} (${from.address}:${from.port}); register it with ` +
            `POST /api/gateways or set gateways.allowUnknown. Its datagrams are counted, not logged again.`,
        );
      }
      return undefined;
    }
    gw.lastSeenAt = now;
    gw.protocolVersion = h.version;
    gw.dirty = true;
    return gw;
  }

  /** What the worker is told of `gateways.allowUnknown`: on while accept() can still let one in. */
  private allowUnknownNow(): boolean {
    return this.config.gateways.allowUnknown && this.registry.roomForUnregistered;
  }

  /** A datagram whose handling threw (a bug, never bad input): counted malformed, logged with its stack. */
  private failed(err: unknown, from: RemoteInfo): void {
    this.registry.counters.malformed++;
    this.logger.error(
      `datagram from ${from.address}:${from.port}: ${err instanceof Error ? err.stack : String(err)}`,
    );
  }

  private malformed(gw: GatewayState | null, error: SemtechUdpError, from: RemoteInfo): void {
    this.registry.counters.malformed++;
    if (gw) gw.counters.malformed++;
    // Debug only: a broken or hostile sender must not be able to flood the log.
    this.logger.debug(
      `dropped from ${gw?.gatewayId ?? `${from.address}:${from.port}`}: ${error.code}` +
        `${error.field ? ` ${error.field}` : ''}: ${error.message}`,
    );
  }

  private sweepPending(): void {
    this.registry.counters.txAckMissing += this.tracker.sweep(Date.now()).length;
  }
}
