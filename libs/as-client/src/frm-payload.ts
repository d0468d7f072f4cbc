import { encryptFrmPayload } from '@lns/lorawan';
import { aesKeyOf, bufferOf, bytesOf, counterOf, devAddrOf } from './encoding';
import { AsClientError } from './errors';

/** LoRaWAN 1.1 §4.3.2: application data travels on FPort 1..223 (224 is the test protocol, 225..255 RFU). */
export const MIN_APP_FPORT = 1;
export const MAX_APP_FPORT = 223;

export interface DecryptUplinkParams {
  appSKey: Buffer;
  /** The `up` event's `devAddr` (8 hex digits) or a number. */
  devAddr: string | number;
  /** The `up` event's `fCnt`: the full 32-bit FCntUp. */
  fCnt: number;
  /** The `up` event's `data`: the FRMPayload as the device sent it, base64. */
  data: string | Buffer;
}

export interface EncryptDownlinkParams {
  appSKey: Buffer;
  /** The device's DevAddr in the session the AppSKey belongs to. */
  devAddr: string | number;
  /**
   * The counter this frame will be sent with: AFCntDown (LoRaWAN 1.1) or FCntDown (1.0.x), the
   * `nextAFCntDown` of `GET /api/devices/{devEui}/state`, then one more for each frame enqueued.
   */
  fCntDown: number;
  fPort: number;
  /** The payload in clear (bytes). */
  payload: Buffer | Uint8Array;
}

/** The body of `POST /api/devices/{devEui}/queue` for an end-to-end application. */
export interface EncryptedDownlink {
  fPort: number;
  /** FRMPayload encrypted with the AppSKey, base64. */
  data: string;
  fCntDown: number;
  isEncrypted: true;
}

/**
 * An uplink's application payload: FRMPayload decryption with the AppSKey (L11 §4.3.3, L1.0.4 §4.3.3),
 * Dir = 0, with the DevAddr and the full 32-bit FCntUp.
 */
export function decryptUplink(p: DecryptUplinkParams): Buffer {
  const data = bytesOf(p.data, 'data');
  return encryptFrmPayload({
    key: aesKeyOf(p.appSKey, 'appSKey'),
    uplink: true,
    devAddr: devAddrOf(p.devAddr),
    fCnt: counterOf(p.fCnt, 'fCnt'),
    payload: checkLength(data, 'data'),
  });
}

/**
 * A downlink's FRMPayload encrypted with the AppSKey for counter `fCntDown` (L11 §4.3.3, Dir = 1), ready to
 * enqueue. The network sends it with exactly that counter, and refuses it (400 naming `fCntDown`) when the
 * counter is already used.
 */
export function encryptDownlink(p: EncryptDownlinkParams): EncryptedDownlink {
  if (!Number.isInteger(p.fPort) || p.fPort < MIN_APP_FPORT || p.fPort > MAX_APP_FPORT) {
    throw new AsClientError('BAD_INPUT', `fPort: expected ${MIN_APP_FPORT}..${MAX_APP_FPORT}`);
  }
  // Bytes only: a string could be text or base64, and guessing wrong would send the wrong payload.
  const payload = bufferOf(p.payload, 'payload');
  const fCntDown = counterOf(p.fCntDown, 'fCntDown');
  const data = encryptFrmPayload({
    key: aesKeyOf(p.appSKey, 'appSKey'),
    uplink: false,
    devAddr: devAddrOf(p.devAddr),
    fCnt: fCntDown,
    payload: checkLength(payload, 'payload'),
  });
  return { fPort: p.fPort, data: data.toString('base64'), fCntDown, isEncrypted: true };
}

/** No PHYPayload exceeds 255 bytes, so no FRMPayload does (the region's limit is lower still). */
function checkLength(b: Buffer, name: string): Buffer {
  if (b.length > 255) throw new AsClientError('BAD_INPUT', `${name}: ${b.length} bytes, at most 255`);
  return b;
}
