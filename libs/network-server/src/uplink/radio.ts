import { randomInt } from 'node:crypto';
import { DataRate, Region } from '@lns/lorawan';
import { UplinkReceived, UplinkTxInfo } from '@lns/gateway-bridge';
import { UplinkRxInfoJson, UplinkTxInfoJson } from '@lns/event-bus';
import { MacState } from '../mac/mac-state';
import { UplinkGatewayRx } from '../session/device-session';

/** The region's uplink data-rate index of a reception, or undefined when it has none such. */
export function uplinkDataRate(region: Region, tx: UplinkTxInfo): number | undefined {
  if (tx.modulation === 'LORA' && tx.spreadingFactor !== undefined && tx.bandwidth !== undefined) {
    return region.dataRateIndexOf({ spreadingFactor: tx.spreadingFactor, bandwidth: tx.bandwidth }, 'uplink');
  }
  if (tx.modulation === 'FSK' && tx.bitRate !== undefined) {
    return region.dataRateIndexOf({ bitRate: tx.bitRate }, 'uplink');
  }
  return undefined;
}

/**
 * The uplink channel index (TxCh of the 1.1 MIC, L11 §4.4.2) of `frequency` in the device's
 * channel plan: the region's default channels, then those added by CFList or NewChannelReq.
 * US915/AU915 compute it from the frequency alone.
 */
export function uplinkChannel(region: Region, mac: MacState, frequency: number): number | undefined {
  const plan = region.defaultChannels.map((c) => c.frequency);
  for (const [index, ch] of Object.entries(mac.extraChannels ?? {})) {
    const i = Number(index);
    if (Number.isInteger(i) && i >= 0 && i < region.maxChannels) {
      while (plan.length <= i) plan.push(0);
      plan[i] = ch.frequency;
    }
  }
  return region.uplinkChannelIndex(frequency, plan);
}

/** ChirpStack v4's CodeRate enum names. */
export function codeRateName(codeRate: string | undefined): string {
  const m = /^4\/([5-8])$/.exec(codeRate ?? '');
  return m ? `CR_4_${m[1]}` : 'CR_UNDEFINED';
}

/** `txInfo` of an uplink event (ChirpStack v4 shape). */
export function txInfoJson(rx: { frequency: number }, tx: UplinkTxInfo): UplinkTxInfoJson {
  if (tx.modulation === 'FSK')
    return { frequency: rx.frequency, modulation: { fsk: { datarate: tx.bitRate ?? 0 } } };
  return {
    frequency: rx.frequency,
    modulation: {
      lora: {
        bandwidth: tx.bandwidth ?? 0,
        spreadingFactor: tx.spreadingFactor ?? 0,
        codeRate: codeRateName(tx.codeRate),
      },
    },
  };
}

/** The `modulation` of a downlink's txInfo, from the region's data rate. */
export function modulationJson(rate: DataRate): UplinkTxInfoJson['modulation'] {
  if (rate.modulation === 'LORA') {
    return {
      lora: {
        bandwidth: rate.bandwidth,
        spreadingFactor: rate.spreadingFactor,
        codeRate: codeRateName(rate.codingRate),
      },
    };
  }
  return { fsk: { datarate: rate.bitRate } };
}

/** One `rxInfo` entry per gateway (ChirpStack v4 shape); `context` carries the concentrator tmst. */
export function rxInfoJson(
  copy: UplinkReceived,
  location?: { latitude: number; longitude: number; altitude?: number } | null,
): UplinkRxInfoJson {
  const rx = copy.rx;
  const context = Buffer.allocUnsafe(4);
  context.writeUInt32BE(rx.tmst >>> 0, 0);
  const out: UplinkRxInfoJson = {
    gatewayId: rx.gatewayId,
    uplinkId: randomInt(1, 0xffffffff),
    time: rx.time ?? new Date(copy.receivedAt).toISOString(),
    rssi: rx.rssi,
    snr: rx.snr ?? 0,
    channel: rx.channel,
    rfChain: rx.rfChain,
    context: context.toString('base64'),
    crcStatus: rx.crcStatus,
  };
  if (rx.time !== undefined) out.gwTime = rx.time;
  if (location) {
    out.location = {
      latitude: location.latitude,
      longitude: location.longitude,
      altitude: location.altitude ?? 0,
    };
  }
  return out;
}

/** What a later downlink needs of one gateway's copy. */
export function gatewayRx(copy: UplinkReceived): UplinkGatewayRx {
  const g = { gatewayId: '', rssi: 0, snr: 0, tmst: 0, rfChain: 0, receivedAt: 0 };
  setGatewayRx(g, copy);
  return g;
}

/** `gatewayRx`, written into an existing entry (the session's last uplink, uplink-frame.ts). */
export function setGatewayRx(g: UplinkGatewayRx, copy: UplinkReceived): void {
  g.gatewayId = copy.rx.gatewayId;
  g.rssi = copy.rx.rssi;
  g.snr = copy.rx.snr ?? 0;
  g.tmst = copy.rx.tmst;
  g.rfChain = copy.rx.rfChain;
  g.receivedAt = copy.receivedAt;
}

/** Lowercase, 8 hex digits (CONTRACT.md). */
export function devAddrHex(devAddr: number): string {
  return (devAddr >>> 0).toString(16).padStart(8, '0');
}
