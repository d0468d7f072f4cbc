import {
  computeDownlinkMic,
  encodePhyPayload,
  encryptFOpts,
  encryptFrmPayload,
  MType,
  versionCapabilities,
} from '@lns/lorawan';
import { DeviceSession, usesSharedFCntDown } from '../session/device-session';

export interface DataDownlinkContent {
  confirmed: boolean;
  /** ACK of the uplink this answers (its FCntUp is `confFCnt`). */
  ack: boolean;
  adr: boolean;
  fPending: boolean;
  /** MAC commands for FOpts, in clear (≤ 15 bytes). */
  fOpts: Buffer;
  /** Absent: no FPort, no FRMPayload. */
  fPort?: number;
  /** Plain FRMPayload, or as the application server encrypted it when `preEncrypted`. */
  frmPayload?: Buffer;
  preEncrypted?: boolean;
  /** The full 32-bit counter of this frame (FCntDown, NFCntDown or AFCntDown). */
  fCnt: number;
  /** FCntUp of the confirmed uplink being acknowledged (LoRaWAN 1.1 ConfFCnt). */
  confFCnt?: number;
}

/** Which counter a downlink uses: 1.0.x one for all ports; 1.1 AFCntDown for FPort > 0, else NFCntDown (L11 §4.3.1.5). */
export function downlinkCounterOf(
  session: DeviceSession,
  fPort: number | undefined,
): 'FCntDown' | 'NFCntDown' | 'AFCntDown' {
  if (usesSharedFCntDown(session.macVersion)) return 'FCntDown';
  return fPort !== undefined && fPort > 0 ? 'AFCntDown' : 'NFCntDown';
}

/**
 * Encodes, encrypts and signs a data downlink (L11 §4.3, §4.4.1; L1.0.4 §4.3, §4.4):
 * FRMPayload under AppSKey (FPort > 0) or NwkSEncKey/NwkSKey (FPort 0); 1.1 FOpts under
 * NwkSEncKey with the erratum's block (AFCntDown when FPort > 0, else NFCntDown); MIC under
 * SNwkSIntKey (1.1, ConfFCnt when ACK) or NwkSKey (1.0.x).
 */
export function buildDataDownlink(session: DeviceSession, c: DataDownlinkContent): Buffer {
  const caps = versionCapabilities(session.macVersion);
  const lw11 = caps.splitsFCntDown;
  const counter = downlinkCounterOf(session, c.fPort);
  let fOpts = c.fOpts;
  if (caps.encryptsFOpts && fOpts.length > 0) {
    fOpts = encryptFOpts({
      nwkSEncKey: session.nwkSEncKey,
      counter: counter === 'AFCntDown' ? 'AFCntDown' : 'NFCntDown',
      devAddr: session.devAddr,
      fCnt: c.fCnt,
      fOpts,
    });
  }
  let frmPayload: Buffer | undefined;
  if (c.fPort !== undefined) {
    const plain = c.frmPayload ?? Buffer.alloc(0);
    if (c.preEncrypted) frmPayload = plain;
    else {
      const key = c.fPort === 0 ? session.nwkSEncKey : session.appSKey;
      if (!key) throw new Error(`no AppSKey for ${session.devEui}: end-to-end payloads must come encrypted`);
      frmPayload = encryptFrmPayload({
        key,
        uplink: false,
        devAddr: session.devAddr,
        fCnt: c.fCnt,
        payload: plain,
      });
    }
  }
  const unsigned = encodePhyPayload({
    mType: c.confirmed ? MType.ConfirmedDataDown : MType.UnconfirmedDataDown,
    devAddr: session.devAddr,
    fCtrl: { adr: c.adr, ack: c.ack, fPending: c.fPending, fOptsLen: fOpts.length },
    fCnt: c.fCnt & 0xffff,
    fOpts,
    fPort: c.fPort,
    frmPayload,
    mic: Buffer.alloc(4),
  });
  const msg = unsigned.subarray(0, unsigned.length - 4);
  const mic = computeDownlinkMic({
    key: lw11 ? session.sNwkSIntKey : session.fNwkSIntKey,
    devAddr: session.devAddr,
    fCnt: c.fCnt,
    msg,
    ...(lw11 && c.ack && c.confFCnt !== undefined && { confFCnt: c.confFCnt }),
  });
  mic.copy(unsigned, unsigned.length - 4);
  return unsigned;
}
