import { decodePhyPayload, MType, peekDevAddr } from '@lns/lorawan';
import { Rng } from '../rng';
import { VirtualDevice } from '../virtual-device';
import { ReceivedDownlink, VirtualGateway } from '../virtual-gateway';
import type { UplinkResult } from '../device/types';

export interface SimulatedDevice {
  device: VirtualDevice;
  devEui: string;
  /** Indices of the gateways that hear this device, with their link quality. */
  links: Array<{ gateway: number; rssi: number; snr: number }>;
  /** Concentrator time of the last transmission per gateway (RX window checks). */
  lastTmst: Map<number, number>;
  joinPending: boolean;
  /** The device's next cycle. */
  timer?: NodeJS.Timeout;
  stats: { joined: boolean; uplinks: number; downlinks: number; late: number; errors: string[] };
}

export interface SimulationTotals {
  devices: number;
  joined: number;
  uplinks: number;
  downlinks: number;
  downlinksOutsideWindows: number;
  errors: number;
}

const JOIN_RETRY_MS = 12_000;

/**
 * Drives virtual devices through virtual gateways: joins (OTAA), periodic uplinks heard by
 * several gateways with different RSSI/SNR, and every PULL_RESP routed back to the device it
 * is for (by DevAddr; join-accepts to the device whose join is pending and whose key opens it).
 */
export class Simulation {
  private readonly byDevAddr = new Map<number, SimulatedDevice>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    readonly gateways: VirtualGateway[],
    readonly devices: SimulatedDevice[],
    private readonly opts: { intervalMs: number; confirmed: number; payloadSize: number; rng: Rng },
  ) {
    gateways.forEach((g, i) => g.on('downlink', (dl: ReceivedDownlink) => this.onDownlink(i, dl)));
    for (const d of devices) this.index(d);
  }

  start(): void {
    this.devices.forEach((d, i) => {
      // Spread the first transmissions over one interval, as real devices do.
      const delay = Math.floor((this.opts.intervalMs * i) / this.devices.length);
      this.next(d, delay);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  totals(): SimulationTotals {
    const t: SimulationTotals = {
      devices: this.devices.length,
      joined: 0,
      uplinks: 0,
      downlinks: 0,
      downlinksOutsideWindows: 0,
      errors: 0,
    };
    for (const d of this.devices) {
      t.joined += d.stats.joined ? 1 : 0;
      t.uplinks += d.stats.uplinks;
      t.downlinks += d.stats.downlinks;
      t.downlinksOutsideWindows += d.stats.late;
      t.errors += d.stats.errors.length;
    }
    return t;
  }

  /** Schedules the device's next cycle, replacing the one pending. */
  private next(d: SimulatedDevice, ms: number): void {
    if (this.stopped) return;
    if (d.timer) {
      clearTimeout(d.timer);
      this.timers.delete(d.timer);
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      d.timer = undefined;
      void this.cycle(d).catch((err: unknown) => this.error(d, String(err)));
    }, ms);
    d.timer = t;
    this.timers.add(t);
  }

  private index(d: SimulatedDevice): void {
    const devAddr = d.device.state().devAddr;
    if (devAddr !== undefined) this.byDevAddr.set(devAddr, d);
  }

  private async cycle(d: SimulatedDevice): Promise<void> {
    if (this.stopped) return;
    if (!d.device.joined) {
      d.joinPending = true;
      // Retried if no join-accept comes; a join-accept reschedules the device at once.
      this.next(d, this.opts.rng.jitter(JOIN_RETRY_MS, 0.2));
      await this.transmit(d, d.device.joinRequest());
      return;
    }
    const up = d.device.uplink({
      fPort: 1,
      payload: this.opts.rng.bytes(this.opts.payloadSize),
      confirmed: this.opts.rng.next() < this.opts.confirmed,
    });
    d.stats.uplinks++;
    this.next(d, this.opts.rng.jitter(this.opts.intervalMs, 0.1));
    await this.transmit(d, up);
  }

  private async transmit(
    d: SimulatedDevice,
    tx: Pick<UplinkResult, 'phyPayload' | 'frequency' | 'dataRate'>,
  ): Promise<void> {
    const dr = d.device.region.getDataRate(tx.dataRate);
    const lora = dr.modulation === 'LORA' ? dr : undefined;
    await Promise.all(
      d.links.map(async (l) => {
        const gw = this.gateways[l.gateway];
        const tmst = gw.concentratorTime();
        d.lastTmst.set(l.gateway, tmst);
        try {
          await gw.sendUplink(tx.phyPayload, {
            frequency: tx.frequency,
            spreadingFactor: lora?.spreadingFactor,
            bandwidth: lora?.bandwidth,
            rssi: l.rssi + Math.round(this.opts.rng.jitter(0, 3)),
            snr: l.snr,
            tmst,
          });
        } catch (err) {
          this.error(d, `gateway ${gw.gatewayId}: ${(err as Error).message}`);
        }
      }),
    );
  }

  private onDownlink(gateway: number, dl: ReceivedDownlink): void {
    // The gateway keeps every downlink for tests; a long simulation must not.
    this.gateways[gateway].downlinks.length = 0;
    let mType: MType;
    try {
      mType = decodePhyPayload(dl.phyPayload).mType;
    } catch {
      return;
    }
    if (mType === MType.JoinAccept) {
      for (const d of this.devices) {
        if (d.joinPending && d.device.handleJoinAccept(dl.phyPayload)) {
          d.joinPending = false;
          d.stats.joined = true;
          this.countWindow(d, gateway, dl);
          this.index(d);
          // First uplink shortly after joining (after RX2 would have closed).
          this.next(d, this.opts.rng.jitter(2_000, 0.5));
          return;
        }
      }
      return;
    }
    const devAddr = peekDevAddr(dl.phyPayload);
    const d = devAddr === undefined ? undefined : this.byDevAddr.get(devAddr);
    if (!d) return;
    const slot = this.countWindow(d, gateway, dl);
    const result = d.device.handleDownlink(dl.phyPayload, { slot });
    if (result.accepted) d.stats.downlinks++;
    else this.error(d, `downlink refused: ${result.reason}`);
  }

  private countWindow(d: SimulatedDevice, gateway: number, dl: ReceivedDownlink) {
    const uplinkTmst = d.lastTmst.get(gateway);
    const slot =
      uplinkTmst === undefined || dl.spreadingFactor === undefined
        ? undefined
        : d.device.matchRxWindow(
            {
              frequency: dl.frequency,
              dataRate: { spreadingFactor: dl.spreadingFactor, bandwidth: dl.bandwidth! },
              tmst: dl.tmst,
              immediate: dl.imme,
            },
            uplinkTmst,
          );
    if (!slot) d.stats.late++;
    return slot;
  }

  private error(d: SimulatedDevice, message: string): void {
    if (d.stats.errors.length < 20) d.stats.errors.push(message);
  }
}
