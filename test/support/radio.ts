import {
  JoinRequestResult,
  ReceivedDownlink,
  SentPushData,
  UplinkResult,
  VirtualDevice,
  VirtualGateway,
} from '@lns/simulator';

/** The device's transmission as `gw` reports it (PUSH_DATA), at concentrator time `tmst`. LoRa only. */
export function hearAt(
  gw: VirtualGateway,
  device: VirtualDevice,
  tx: JoinRequestResult | UplinkResult,
  tmst: number,
): Promise<SentPushData> {
  const rate = device.region.getDataRate(tx.dataRate);
  if (rate.modulation !== 'LORA') throw new Error('LoRa only');
  return gw.sendUplink(tx.phyPayload, {
    frequency: tx.frequency,
    spreadingFactor: rate.spreadingFactor,
    bandwidth: rate.bandwidth,
    tmst,
  });
}

/**
 * The PULL_RESP `gw` gets timed for concentrator time `tmst`; other downlinks (answers to earlier
 * uplinks) are passed over. Rejects when none comes within `timeoutMs`.
 */
export async function downlinkAt(
  gw: VirtualGateway,
  tmst: number,
  timeoutMs: number,
): Promise<ReceivedDownlink> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const dl = await gw.nextDownlink(Math.max(1, end - Date.now()));
    if (dl.tmst === tmst) return dl;
  }
}
