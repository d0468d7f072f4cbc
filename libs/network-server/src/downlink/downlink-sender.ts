import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DownlinkError, GatewayBridgeService, Txpk } from '@lns/gateway-bridge';
import { Region, timeOnAir } from '@lns/lorawan';
import { UplinkGatewayRx } from '../session/device-session';
import { NetworkCounters } from '../uplink/network-counters';
import { DutyCycleTracker, dutyCycleBand } from './duty-cycle';
import { rankGateways } from './gateway-selection';
import { TxAckWaiter } from './tx-ack-waiter';
import { buildTxpk, TxWindow } from './txpk';

/**
 * A PULL_RESP must reach the gateway this long before its tmst: lora_pkt_fwd's JIT queue
 * refuses packets due within TX_JIT_DELAY (30 ms), and the datagram needs time to travel.
 */
export const SCHEDULE_MARGIN_MS = 50;
/** How long the last window's TX_ACK is waited for before the downlink is taken as sent. */
export const TX_ACK_WAIT_MS = 2_000;

export interface SendRequest {
  region: Region;
  /** The receptions a downlink may answer through (Class A: this uplink's; Class C: the last one's). */
  gateways: readonly UplinkGatewayRx[];
  /** In the order to try: RX1 then RX2 (Class A, join-accept), or RXC. */
  windows: readonly TxWindow[];
  phyPayload: Buffer;
}

export interface SendResult {
  sent: boolean;
  window?: TxWindow;
  gatewayId?: string;
  txpk?: Txpk;
  /** The id given to the bridge (a 32-bit number, ChirpStack's downlinkId). */
  downlinkId?: number;
  /** Why nothing went out. */
  reason?: 'NO_GATEWAY' | 'TOO_LATE' | 'TX_FAILED';
}

/**
 * Sends one frame through the best gateway and window: gateways ranked by link margin less
 * their duty-cycle load (gateway-selection.ts), RX1 first; a gateway that is not connected
 * gives its turn to the next; a TX_ACK error (TOO_LATE, COLLISION_PACKET …) moves on to the
 * next window while it can still be met. Each window is sent at most once per gateway.
 */
@Injectable()
export class DownlinkSender {
  private readonly logger = new Logger('Downlink');
  readonly dutyCycle = new DutyCycleTracker();

  constructor(
    private readonly bridge: GatewayBridgeService,
    private readonly txAcks: TxAckWaiter,
    private readonly counters: NetworkCounters,
  ) {}

  async send(req: SendRequest): Promise<SendResult> {
    const { region } = req;
    const first = req.windows[0];
    const airtime = (w: TxWindow) =>
      timeOnAir(region.getDataRate(w.dataRate), req.phyPayload.length, 'downlink');
    const ranked = rankGateways(
      req.gateways,
      this.dutyCycle,
      dutyCycleBand(region.name, first.frequency),
      airtime(first),
    );
    let reason: SendResult['reason'] = 'NO_GATEWAY';
    for (const gw of ranked) {
      gateway: for (let i = 0; i < req.windows.length; i++) {
        const w = req.windows[i];
        const now = Date.now();
        const deadline =
          w.delay === undefined ? Infinity : gw.receivedAt + w.delay * 1000 - SCHEDULE_MARGIN_MS;
        if (now > deadline) {
          reason = 'TOO_LATE';
          this.counters.downlink.windowsMissed++;
          continue;
        }
        const band = dutyCycleBand(region.name, w.frequency);
        const ms = airtime(w);
        if (!this.dutyCycle.allows(gw.gatewayId, band, ms, now)) continue;
        const txpk = buildTxpk(region, w, req.phyPayload, w.delay === undefined ? undefined : gw.tmst);
        const downlinkId = randomInt(1, 0xffffffff);
        const expectation = this.txAcks.expect(String(downlinkId));
        let txAckExpected: boolean;
        try {
          ({ txAckExpected } = await this.bridge.sendDownlink({
            gatewayId: gw.gatewayId,
            downlinkId: String(downlinkId),
            txpk,
          }));
        } catch (err) {
          expectation.cancel();
          this.counters.downlink.sendErrors++;
          if (!(err instanceof DownlinkError)) throw err;
          this.counters.sendErrorCode(err.code);
          this.logger.debug(`${w.name} via ${gw.gatewayId}: ${err.code} ${err.message}`);
          reason = 'TX_FAILED';
          if (err.code === 'GATEWAY_NOT_CONNECTED') break gateway;
          continue;
        }
        if (txAckExpected) {
          const next = req.windows[i + 1];
          const waitMs =
            next?.delay === undefined
              ? TX_ACK_WAIT_MS
              : gw.receivedAt + next.delay * 1000 - SCHEDULE_MARGIN_MS - Date.now();
          const ack = await expectation.wait(Math.min(TX_ACK_WAIT_MS, waitMs));
          if (ack === 'timeout') {
            // A lost TX_ACK is likelier than a silent refusal: the frame is taken as sent.
            this.counters.downlink.txAckTimeouts++;
          } else if (ack.error !== 'NONE') {
            this.counters.txError(ack.error);
            this.logger.debug(`${w.name} via ${gw.gatewayId}: TX_ACK ${ack.error}`);
            reason = 'TX_FAILED';
            continue;
          }
        } else {
          expectation.cancel();
        }
        this.counters.downlink.txOk++;
        this.dutyCycle.record(gw.gatewayId, band, ms, Date.now());
        if (w.name === 'RX1') this.counters.downlink.rx1++;
        else if (w.name === 'RX2') this.counters.downlink.rx2++;
        else this.counters.downlink.classC++;
        return { sent: true, window: w, gatewayId: gw.gatewayId, txpk, downlinkId };
      }
    }
    if (reason === 'NO_GATEWAY') this.counters.downlink.noGateway++;
    this.counters.downlink.failed++;
    return { sent: false, reason };
  }
}
