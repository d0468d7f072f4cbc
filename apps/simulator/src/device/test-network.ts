/**
 * Test support only (not exported by the simulator): the network side of one device session, built directly
 * from `@lns/lorawan` primitives and deliberately sharing no code with the simulated device, so that the
 * specs check the device against an independent implementation of the other end.
 */
import {
  computeDownlinkMic,
  computeJoinAcceptMic,
  computeJoinRequestMic,
  computeUplinkMic10,
  computeUplinkMic11,
  computeUplinkMicF,
  decodeMacCommands,
  decodePhyPayload,
  deriveJoinServerKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  DownlinkMacCommand,
  encodeJoinAcceptPlaintext,
  encodeMacCommands,
  encodePhyPayload,
  encryptFOpts,
  encryptFrmPayload,
  encryptJoinAccept,
  micEquals,
  micInput,
  MType,
  reconstructFCnt,
  SessionKeys11,
  sessionKeys10As11,
  UplinkMacCommand,
} from '@lns/lorawan';

export type NetworkMode = '1.0' | '1.1-optneg0' | '1.1';

export interface TestNetworkOptions {
  macVersion: '1.0.2' | '1.0.3' | '1.0.4' | '1.1.0';
  devEui: Buffer;
  joinEui: Buffer;
  appKey?: Buffer;
  nwkKey?: Buffer;
  netId?: number;
  devAddr?: number;
}

export interface JoinAcceptOptions {
  joinNonce?: number;
  rx1DrOffset?: number;
  rx2DataRate?: number;
  rxDelay?: number;
  cfList?: Buffer;
  /** 1.1 devices: answer as a 1.1 network (default) or as a 1.0 one. */
  optNeg?: boolean;
  /** Encrypt / sign with this key instead (to produce a join-accept the device must refuse). */
  wrongKey?: Buffer;
}

export interface ParsedUplink {
  micOk: boolean;
  confirmed: boolean;
  fCnt: number;
  fPort?: number;
  /** Decrypted application payload (FPort > 0). */
  payload?: Buffer;
  /** MAC commands from FOpts (decrypted in 1.1) or FPort 0. */
  macCommands: UplinkMacCommand[];
  /** FOpts as on air. */
  fOptsOnAir: Buffer;
  ack: boolean;
  adr: boolean;
  adrAckReq: boolean;
}

export interface DownlinkOptions {
  fPort?: number;
  payload?: Buffer;
  macCommands?: DownlinkMacCommand[];
  /** Put the MAC commands in an FPort 0 FRMPayload instead of FOpts. */
  macInFrmPayload?: boolean;
  confirmed?: boolean;
  ack?: boolean;
  fPending?: boolean;
  /** Use this 32-bit counter instead of the next one (the counter still advances past it). */
  fCnt?: number;
  /** Flip a bit of the MIC. */
  corruptMic?: boolean;
}

export class TestNetwork {
  mode: NetworkMode = '1.0';
  keys?: SessionKeys11;
  devAddr: number;
  readonly netId: number;
  /** Next FCntUp expected. */
  fCntUpNext = 0;
  /** Next NFCntDown (FCntDown in 1.0) and AFCntDown to send. */
  nFCntDown = 0;
  aFCntDown = 0;
  lastUplinkFCnt = 0;
  /** Counter of the last confirmed downlink, for the ConfFCnt of a 1.1 uplink that ACKs it. */
  lastConfirmedDownlinkFCnt = 0;
  lastDevNonce?: number;

  constructor(private readonly o: TestNetworkOptions) {
    this.netId = o.netId ?? 0x000013;
    this.devAddr = o.devAddr ?? 0x26011bda;
  }

  /** Verifies a join-request and answers it with an encrypted join-accept; the session starts over. */
  acceptJoin(joinRequest: Buffer, a: JoinAcceptOptions = {}): Buffer {
    const lw11 = this.o.macVersion === '1.1.0';
    const rootKey = (lw11 ? this.o.nwkKey : this.o.appKey) as Buffer;
    const jr = decodePhyPayload(joinRequest);
    if (jr.mType !== MType.JoinRequest) throw new Error('not a join-request');
    if (!micEquals(computeJoinRequestMic({ key: rootKey, msg: micInput(joinRequest) }), jr.mic)) {
      throw new Error('join-request MIC does not verify');
    }
    if (!jr.devEui.equals(this.o.devEui) || !jr.joinEui.equals(this.o.joinEui)) throw new Error('wrong EUIs');
    this.lastDevNonce = jr.devNonce;
    const optNeg = lw11 && (a.optNeg ?? true);
    const joinNonce = a.joinNonce ?? 1;
    const plain = encodeJoinAcceptPlaintext({
      joinNonce,
      netId: this.netId,
      devAddr: this.devAddr,
      dlSettings: { optNeg, rx1DrOffset: a.rx1DrOffset ?? 0, rx2DataRate: a.rx2DataRate ?? 0 },
      rxDelay: a.rxDelay ?? 1,
      cfList: a.cfList,
      mic: Buffer.alloc(4),
    });
    const signKey = a.wrongKey ?? rootKey;
    const mic = optNeg
      ? computeJoinAcceptMic({
          optNeg: true,
          jsIntKey: deriveJoinServerKeys({ nwkKey: signKey, devEui: this.o.devEui }).jsIntKey,
          joinReqType: 0xff,
          joinEui: this.o.joinEui,
          devNonce: jr.devNonce,
          msg: micInput(plain),
        })
      : computeJoinAcceptMic({ key: signKey, msg: micInput(plain) });
    mic.copy(plain, plain.length - 4);
    if (!lw11) {
      this.mode = '1.0';
      this.keys = sessionKeys10As11(
        deriveSessionKeys10({
          appKey: this.o.appKey as Buffer,
          joinNonce,
          netId: this.netId,
          devNonce: jr.devNonce,
        }),
      );
    } else {
      this.mode = optNeg ? '1.1' : '1.1-optneg0';
      this.keys = optNeg
        ? deriveSessionKeys11({
            optNeg: true,
            appKey: this.o.appKey as Buffer,
            nwkKey: rootKey,
            joinNonce,
            joinEui: this.o.joinEui,
            devNonce: jr.devNonce,
          })
        : deriveSessionKeys11({
            optNeg: false,
            nwkKey: rootKey,
            joinNonce,
            netId: this.netId,
            devNonce: jr.devNonce,
          });
    }
    this.fCntUpNext = 0;
    this.nFCntDown = 0;
    this.aFCntDown = 0;
    return encryptJoinAccept({ key: a.wrongKey ?? rootKey, phyPayload: plain });
  }

  /** An ABP session (counters as given). */
  activate(mode: NetworkMode, keys: SessionKeys11, devAddr: number, fCntUpNext = 0, fCntDown = 0): void {
    this.mode = mode;
    this.keys = keys;
    this.devAddr = devAddr;
    this.fCntUpNext = fCntUpNext;
    this.nFCntDown = fCntDown;
    this.aFCntDown = fCntDown;
  }

  /** Verifies and decrypts an uplink; `txDr`/`txCh` feed the 1.1 MIC. Counters advance only on a good MIC. */
  readUplink(phy: Buffer, radio: { dataRate: number; channel: number }): ParsedUplink {
    const k = this.keys as SessionKeys11;
    const f = decodePhyPayload(phy);
    if (f.mType !== MType.UnconfirmedDataUp && f.mType !== MType.ConfirmedDataUp) {
      throw new Error('not an uplink data frame');
    }
    if (f.devAddr !== this.devAddr) throw new Error('wrong DevAddr');
    const fCnt = reconstructFCnt(this.fCntUpNext, f.fCnt);
    const msg = micInput(phy);
    let mic: Buffer;
    if (this.mode === '1.0') {
      mic = computeUplinkMic10({ nwkSKey: k.fNwkSIntKey, devAddr: f.devAddr, fCnt, msg });
    } else if (this.mode === '1.1-optneg0') {
      mic = computeUplinkMicF({ fNwkSIntKey: k.fNwkSIntKey, devAddr: f.devAddr, fCnt, msg });
    } else {
      mic = computeUplinkMic11({
        fNwkSIntKey: k.fNwkSIntKey,
        sNwkSIntKey: k.sNwkSIntKey,
        devAddr: f.devAddr,
        fCnt,
        msg,
        confFCnt: this.lastConfirmedDownlinkFCnt,
        txDr: radio.dataRate,
        txCh: radio.channel,
      });
    }
    const micOk = micEquals(mic, f.mic);
    const fOpts =
      this.mode === '1.1' && f.fOpts.length > 0
        ? encryptFOpts({
            nwkSEncKey: k.nwkSEncKey,
            counter: 'FCntUp',
            devAddr: f.devAddr,
            fCnt,
            fOpts: f.fOpts,
          })
        : Buffer.from(f.fOpts);
    let frm: Buffer | undefined;
    if (f.fPort !== undefined && f.frmPayload !== undefined) {
      frm = encryptFrmPayload({
        key: f.fPort === 0 ? k.nwkSEncKey : k.appSKey,
        uplink: true,
        devAddr: f.devAddr,
        fCnt,
        payload: f.frmPayload,
      });
    }
    const macBytes = f.fPort === 0 ? (frm as Buffer) : fOpts;
    if (micOk) {
      this.fCntUpNext = fCnt + 1;
      this.lastUplinkFCnt = fCnt;
    }
    return {
      micOk,
      confirmed: f.mType === MType.ConfirmedDataUp,
      fCnt,
      fPort: f.fPort,
      payload: f.fPort !== undefined && f.fPort > 0 ? frm : undefined,
      macCommands: decodeMacCommands(macBytes, 'uplink').commands as UplinkMacCommand[],
      fOptsOnAir: Buffer.from(f.fOpts),
      ack: f.fCtrl.ack,
      adr: f.fCtrl.adr,
      adrAckReq: f.fCtrl.adrAckReq,
    };
  }

  /** Builds a downlink data frame with the next counter (1.1: NFCntDown or AFCntDown by FPort). */
  downlink(d: DownlinkOptions = {}): Buffer {
    const k = this.keys as SessionKeys11;
    const lw11 = this.mode === '1.1';
    const fPort = d.macInFrmPayload ? 0 : d.fPort;
    const useA = lw11 && fPort !== undefined && fPort > 0;
    const fCnt = d.fCnt ?? (useA ? this.aFCntDown : this.nFCntDown);
    const macBytes = encodeMacCommands(d.macCommands ?? []);
    let fOpts = d.macInFrmPayload ? Buffer.alloc(0) : macBytes;
    if (lw11 && fOpts.length > 0) {
      fOpts = encryptFOpts({
        nwkSEncKey: k.nwkSEncKey,
        counter: useA ? 'AFCntDown' : 'NFCntDown',
        devAddr: this.devAddr,
        fCnt,
        fOpts,
      });
    }
    let frmPayload: Buffer | undefined;
    if (fPort !== undefined) {
      const clear = fPort === 0 ? macBytes : (d.payload ?? Buffer.alloc(0));
      frmPayload = encryptFrmPayload({
        key: fPort === 0 ? k.nwkSEncKey : k.appSKey,
        uplink: false,
        devAddr: this.devAddr,
        fCnt,
        payload: clear,
      });
    }
    const phy = encodePhyPayload({
      mType: d.confirmed ? MType.ConfirmedDataDown : MType.UnconfirmedDataDown,
      devAddr: this.devAddr,
      fCtrl: { adr: true, ack: d.ack ?? false, fPending: d.fPending ?? false, fOptsLen: fOpts.length },
      fCnt: fCnt & 0xffff,
      fOpts,
      fPort,
      frmPayload,
      mic: Buffer.alloc(4),
    });
    const mic = computeDownlinkMic({
      key: k.sNwkSIntKey,
      devAddr: this.devAddr,
      fCnt,
      msg: micInput(phy),
      confFCnt: lw11 ? this.lastUplinkFCnt : undefined,
    });
    if (d.corruptMic) mic[0] ^= 0x01;
    mic.copy(phy, phy.length - 4);
    if (useA) this.aFCntDown = Math.max(this.aFCntDown, fCnt + 1);
    else this.nFCntDown = Math.max(this.nFCntDown, fCnt + 1);
    if (d.confirmed) this.lastConfirmedDownlinkFCnt = fCnt;
    return phy;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures shared by the specs.

export const APP_KEY = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
export const NWK_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
export const DEV_EUI = Buffer.from('0004a30b001c0530', 'hex');
export const JOIN_EUI = Buffer.from('70b3d57ed0000001', 'hex');
export const NWK_S_KEY = Buffer.from('44024241ed4ce9a68c6a8bc055233fd3', 'hex');
export const APP_S_KEY = Buffer.from('ec925802ae430ca77fd3dd73cb2cc588', 'hex');
export const S_NWK_S_INT_KEY = Buffer.from('a1a2a3a4a5a6a7a8a9aaabacadaeafa0', 'hex');
export const NWK_S_ENC_KEY = Buffer.from('b1b2b3b4b5b6b7b8b9babbbcbdbebfb0', 'hex');
export const DEV_ADDR = 0x26011bda;
