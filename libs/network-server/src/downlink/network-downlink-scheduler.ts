import { Injectable, Logger } from '@nestjs/common';
import { LorawanError, Region } from '@lns/lorawan';
import { DeviceRegistry } from '../registry/device-registry';
import { NetworkCounters } from '../uplink/network-counters';
import { gatewayRx, uplinkDataRate } from '../uplink/radio';
import { JoinAcceptDownlink, DownlinkScheduler } from './downlink-scheduler';
import { DownlinkSender } from './downlink-sender';
import { TxWindow } from './txpk';

/**
 * The DownlinkScheduler other parts call (the join handler): join-accepts in RX1 at
 * JOIN_ACCEPT_DELAY1, or RX2 at JOIN_ACCEPT_DELAY2 (L1.0.4 §6.2.6, L11 §6.2.3; RP002 5 s / 6 s).
 *
 * A join-accept is received with the device's default radio settings, whatever the new session
 * will use: RX1DROffset 0 and the region's default RX2 frequency and data rate (the settings in
 * the join-accept's DLSettings apply only after it). So the windows are the region's defaults.
 */
@Injectable()
export class NetworkDownlinkScheduler extends DownlinkScheduler {
  private readonly logger = new Logger('Downlink');

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly sender: DownlinkSender,
    private readonly counters: NetworkCounters,
  ) {
    super();
  }

  async scheduleJoinAccept(
    d: JoinAcceptDownlink,
  ): Promise<{ sent: boolean; window?: 'RX1' | 'RX2'; gatewayId?: string }> {
    const region = this.registry.get(d.devEui)?.region;
    const best = d.uplink.copies[0];
    if (!region || !best) return { sent: false };
    const windows: TxWindow[] = [];
    const rx1 = this.rx1(region, d);
    if (rx1) windows.push(rx1);
    windows.push({
      name: 'RX2',
      frequency: region.rx2.frequency,
      dataRate: region.rx2.dataRate,
      delay: region.joinAcceptDelay2,
    });
    // The device's class and gateways for Class C, until its first data uplink.
    d.session.lastUplink = {
      gateways: d.uplink.copies.map(gatewayRx),
      dataRate: uplinkDataRate(region, best.tx) ?? 0,
      frequency: best.rx.frequency,
      channel: region.uplinkChannelIndex(best.rx.frequency) ?? 0,
      fCnt: 0,
      confirmed: false,
      receivedAt: best.receivedAt,
    };
    const result = await this.sender.send({
      region,
      gateways: d.uplink.copies.map(gatewayRx),
      windows,
      phyPayload: d.phyPayload,
    });
    if (!result.sent) {
      this.logger.warn(`join-accept to ${d.devEui} not sent (${result.reason})`);
      return { sent: false };
    }
    this.counters.downlink.joinAccepts++;
    return { sent: true, window: result.window!.name as 'RX1' | 'RX2', gatewayId: result.gatewayId };
  }

  private rx1(region: Region, d: JoinAcceptDownlink): TxWindow | undefined {
    const best = d.uplink.copies[0];
    const dataRate = uplinkDataRate(region, best.tx);
    if (dataRate === undefined) return undefined;
    try {
      return {
        name: 'RX1',
        frequency: region.rx1Frequency(best.rx.frequency, region.uplinkChannelIndex(best.rx.frequency)),
        dataRate: region.rx1DataRate(dataRate, 0, region.bootDwellTime.downlink),
        delay: region.joinAcceptDelay1,
      };
    } catch (err) {
      if (!(err instanceof LorawanError)) throw err;
      return undefined;
    }
  }
}
