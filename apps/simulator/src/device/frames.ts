/**
 * Data frames of one device session, both directions: every byte of crypto and codec is `@lns/lorawan`'s
 * (encodePhyPayload, encryptFrmPayload, encryptFOpts, computeUplinkMic10/F/11, computeDownlinkMic); this
 * file only decides which key, counter and MIC form apply (L102 §4.3-4.4, L11 §4.3-4.4).
 */
import {
  computeDownlinkMic,
  computeUplinkMic10,
  computeUplinkMic11,
  computeUplinkMicF,
  DataDownFrame,
  encodePhyPayload,
  encryptFOpts,
  encryptFrmPayload,
  micEquals,
  micInput,
  MIC_LENGTH,
  MType,
  SessionKeys11,
} from '@lns/lorawan';

export type SessionMode =
  /** LoRaWAN 1.0.x: NwkSKey everywhere (held as the three 1.1 network keys, all equal). */
  | '1.0'
  /** 1.1 device on a 1.0 network (join-accept OptNeg = 0): 1.0 frames, MIC = cmacF (L11 §4.4.2). */
  | '1.1-optneg0'
  /** Full 1.1: encrypted FOpts, split downlink counters, B1 MIC with ConfFCnt/TxDr/TxCh. */
  | '1.1';

export interface Session {
  mode: SessionMode;
  devAddr: number;
  netId?: number;
  keys: SessionKeys11;
  /** Next FCntUp to send. */
  fCntUp: number;
  /** Next NFCntDown expected — the shared FCntDown outside full 1.1. */
  nFCntDown: number;
  /** Next AFCntDown expected (full 1.1 only). */
  aFCntDown: number;
}

export interface UplinkFields {
  confirmed: boolean;
  fCnt: number;
  adr: boolean;
  adrAckReq: boolean;
  ack: boolean;
  /** MAC commands in clear; encrypted here for 1.1. */
  fOpts: Buffer;
  fPort?: number;
  /** FRMPayload in clear. */
  payload?: Buffer;
}

/** The uplink PHYPayload with its MIC left at zero: encrypted FRMPayload and (1.1) FOpts. */
export function encodeUplink(s: Session, f: UplinkFields): Buffer {
  const fOpts =
    s.mode === '1.1' && f.fOpts.length > 0
      ? encryptFOpts({
          nwkSEncKey: s.keys.nwkSEncKey,
          counter: 'FCntUp',
          devAddr: s.devAddr,
          fCnt: f.fCnt,
          fOpts: f.fOpts,
        })
      : f.fOpts;
  let frmPayload: Buffer | undefined;
  if (f.fPort !== undefined) {
    // FPort 0 → NwkSKey (1.0) / NwkSEncKey (1.1), otherwise AppSKey (L11 §4.3.3).
    const key = f.fPort === 0 ? s.keys.nwkSEncKey : s.keys.appSKey;
    frmPayload = encryptFrmPayload({
      key,
      uplink: true,
      devAddr: s.devAddr,
      fCnt: f.fCnt,
      payload: f.payload ?? Buffer.alloc(0),
    });
  }
  return encodePhyPayload({
    mType: f.confirmed ? MType.ConfirmedDataUp : MType.UnconfirmedDataUp,
    devAddr: s.devAddr,
    fCtrl: { adr: f.adr, adrAckReq: f.adrAckReq, ack: f.ack, classB: false, fOptsLen: fOpts.length },
    fCnt: f.fCnt & 0xffff,
    fOpts,
    fPort: f.fPort,
    frmPayload,
    mic: Buffer.alloc(MIC_LENGTH),
  });
}

export interface UplinkMicInputs {
  fCnt: number;
  /** 1.1: counter of the confirmed downlink this uplink acknowledges (used only with the ACK bit). */
  confFCnt?: number;
  txDr: number;
  txCh: number;
}

/** Writes the uplink MIC into `phy` (in place) and returns it. */
export function signUplink(s: Session, phy: Buffer, m: UplinkMicInputs): Buffer {
  const msg = micInput(phy);
  let mic: Buffer;
  switch (s.mode) {
    case '1.0':
      mic = computeUplinkMic10({ nwkSKey: s.keys.fNwkSIntKey, devAddr: s.devAddr, fCnt: m.fCnt, msg });
      break;
    case '1.1-optneg0':
      mic = computeUplinkMicF({ fNwkSIntKey: s.keys.fNwkSIntKey, devAddr: s.devAddr, fCnt: m.fCnt, msg });
      break;
    case '1.1':
      mic = computeUplinkMic11({
        fNwkSIntKey: s.keys.fNwkSIntKey,
        sNwkSIntKey: s.keys.sNwkSIntKey,
        devAddr: s.devAddr,
        fCnt: m.fCnt,
        msg,
        confFCnt: m.confFCnt,
        txDr: m.txDr,
        txCh: m.txCh,
      });
      break;
  }
  mic.copy(phy, phy.length - MIC_LENGTH);
  return phy;
}

/** Which downlink counter a frame uses (L11 §4.3.1.5: NFCntDown for FPort 0/absent, AFCntDown otherwise). */
export function downlinkCounter(
  s: Session,
  fPort: number | undefined,
): 'FCntDown' | 'NFCntDown' | 'AFCntDown' {
  if (s.mode !== '1.1') return 'FCntDown';
  return fPort === undefined || fPort === 0 ? 'NFCntDown' : 'AFCntDown';
}

/**
 * Downlink MIC check (L102 §4.4; L11 §4.4.1: SNwkSIntKey, and for 1.1 ConfFCnt = the acknowledged confirmed
 * uplink's FCntUp when the ACK bit is set).
 */
export function verifyDownlinkMic(
  s: Session,
  phy: Buffer,
  frame: DataDownFrame,
  fCnt: number,
  confFCnt: number | undefined,
): boolean {
  const expected = computeDownlinkMic({
    key: s.keys.sNwkSIntKey,
    devAddr: s.devAddr,
    fCnt,
    msg: micInput(phy),
    confFCnt: s.mode === '1.1' ? confFCnt : undefined,
  });
  return micEquals(expected, frame.mic);
}

/** Clear FOpts and FRMPayload of a verified downlink. */
export function decryptDownlink(
  s: Session,
  frame: DataDownFrame,
  fCnt: number,
): { fOpts: Buffer; frmPayload?: Buffer } {
  const counter = downlinkCounter(s, frame.fPort);
  const fOpts =
    counter !== 'FCntDown' && frame.fOpts.length > 0
      ? encryptFOpts({ nwkSEncKey: s.keys.nwkSEncKey, counter, devAddr: s.devAddr, fCnt, fOpts: frame.fOpts })
      : Buffer.from(frame.fOpts);
  let frmPayload: Buffer | undefined;
  if (frame.fPort !== undefined && frame.frmPayload !== undefined) {
    const key = frame.fPort === 0 ? s.keys.nwkSEncKey : s.keys.appSKey;
    frmPayload = encryptFrmPayload({
      key,
      uplink: false,
      devAddr: s.devAddr,
      fCnt,
      payload: frame.frmPayload,
    });
  }
  return { fOpts, frmPayload };
}
