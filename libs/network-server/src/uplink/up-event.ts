import { DataUpFrame, decryptFrmPayload } from '@lns/lorawan';
import { DeviceInfo, StatusEvent, UpEvent } from '@lns/event-bus';
import { GatewayLocation } from '@lns/gateway-bridge';
import { DeduplicatedUplink } from './deduplicated-uplink';
import { devAddrHex, rxInfoJson, txInfoJson } from './radio';
import { Authenticated } from './session-matcher';

/**
 * The `up` event (ChirpStack v4 shape, CONTRACT.md): one rxInfo per gateway, best first. A plain
 * application gets the FRMPayload decrypted; an end-to-end (tunnel) one gets it as the device sent
 * it, with the AppSKey wrapped under its ASTK as `joinServerContext`. `data` only for FPort > 0.
 */
export function buildUpEvent(
  uplink: DeduplicatedUplink,
  frame: DataUpFrame,
  m: Authenticated,
  confirmed: boolean,
  deviceInfo: DeviceInfo,
  locate: (gatewayId: string) => GatewayLocation | null | undefined,
): UpEvent {
  const { ctx, session, fCnt } = m;
  const best = uplink.copies[0];
  const event: UpEvent = {
    deduplicationId: uplink.deduplicationId,
    time: new Date(uplink.firstReceivedAt).toISOString(),
    deviceInfo,
    devAddr: devAddrHex(frame.devAddr),
    adr: frame.fCtrl.adr,
    dr: m.dataRate,
    fCnt,
    confirmed,
    rxInfo: uplink.copies.map((cp) => rxInfoJson(cp, locate(cp.rx.gatewayId))),
    txInfo: txInfoJson(best.rx, best.tx),
  };
  if (frame.fPort !== undefined) event.fPort = frame.fPort;
  if (frame.fPort === undefined || frame.fPort === 0 || !frame.frmPayload) return event;
  if (ctx.application.endToEnd) {
    event.data = frame.frmPayload.toString('base64');
    if (session.appSKeyEnvelope) {
      event.joinServerContext = {
        sessionKeyId: session.sessionKeyId ?? '',
        appSKey: { ...session.appSKeyEnvelope },
      };
    }
  } else if (session.appSKey) {
    event.data = decryptFrmPayload({
      key: session.appSKey,
      uplink: true,
      devAddr: frame.devAddr,
      fCnt,
      payload: frame.frmPayload,
    }).toString('base64');
  }
  return event;
}

/**
 * The `status` event of a DevStatusAns (L1.0.4 §5.5): Battery 0 = external power, 1..254 = level
 * (as a percentage, ChirpStack's scaling), 255 = unknown; Margin in dB.
 */
export function buildStatusEvent(
  deduplicationId: string,
  deviceInfo: DeviceInfo,
  battery: number,
  margin: number,
  now = Date.now(),
): StatusEvent {
  return {
    deduplicationId,
    time: new Date(now).toISOString(),
    deviceInfo,
    margin,
    externalPowerSource: battery === 0,
    batteryLevelUnavailable: battery === 255,
    batteryLevel: battery >= 1 && battery <= 254 ? Math.round((battery / 254) * 10_000) / 100 : 0,
  };
}
