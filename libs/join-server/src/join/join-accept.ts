import {
  computeJoinAcceptMic,
  DlSettings,
  encodeJoinAcceptPlaintext,
  encryptJoinAccept,
  JoinReqType,
  MIC_LENGTH,
  micInput,
} from '@lns/lorawan';

export interface JoinAcceptFields {
  joinNonce: number;
  netId: number;
  devAddr: number;
  dlSettings: DlSettings;
  rxDelay: number;
  cfList?: Buffer;
}

/** How the join-accept is signed and encrypted (L11 §6.2.3, Table 14 of L11 §6.2.4). */
export type JoinAcceptSecurity =
  /** 1.0.x, or 1.1 with OptNeg = 0: MIC and encryption under one root key (AppKey / NwkKey). */
  | { optNeg: false; key: Buffer }
  /**
   * 1.1 with OptNeg = 1: MIC under JSIntKey over JoinReqType | JoinEUI | DevNonce | message;
   * encryption under NwkKey (answer to a Join-request) or JSEncKey (answer to a Rejoin-request).
   */
  | {
      optNeg: true;
      jsIntKey: Buffer;
      joinReqType: JoinReqType;
      joinEui: Buffer;
      /** DevNonce, or RJcount0/RJcount1 for a rejoin. */
      devNonce: number;
      encryptionKey: Buffer;
    };

/**
 * The encrypted join-accept PHYPayload: clear form first (`encodeJoinAcceptPlaintext`), MIC over it
 * (computed before encryption, L11 §6.2.3), then AES-ECB "decrypt" of everything after MHDR.
 * Field ranges are checked by the codec (LorawanError BAD_FIELD).
 */
export function buildJoinAccept(fields: JoinAcceptFields, sec: JoinAcceptSecurity): Buffer {
  const plain = encodeJoinAcceptPlaintext({ ...fields, mic: Buffer.alloc(MIC_LENGTH) });
  const msg = micInput(plain);
  const mic = sec.optNeg
    ? computeJoinAcceptMic({
        optNeg: true,
        jsIntKey: sec.jsIntKey,
        joinReqType: sec.joinReqType,
        joinEui: sec.joinEui,
        devNonce: sec.devNonce,
        msg,
      })
    : computeJoinAcceptMic({ key: sec.key, msg });
  mic.copy(plain, plain.length - MIC_LENGTH);
  return encryptJoinAccept({ key: sec.optNeg ? sec.encryptionKey : sec.key, phyPayload: plain });
}
