import { LorawanError } from './errors';
import { DlSettings } from './phy-payload';

/**
 * The DLSettings octet on its own (LoRaWAN 1.1 §5.4 / §6.2.3, L1.0.4 §6.2.6): bit 7 OptNeg (RFU = 0 in
 * 1.0.x), bits 6..4 RX1DROffset, bits 3..0 RX2DataRate. The Backend Interfaces carry it as a hex octet
 * (TS002 JoinReq `DLSettings`), apart from the join-accept it ends up in.
 */
export function encodeDlSettings(dl: DlSettings): number {
  if (dl === null || typeof dl !== 'object') throw new LorawanError('BAD_FIELD', 'DLSettings: not an object');
  if (!Number.isInteger(dl.rx1DrOffset) || dl.rx1DrOffset < 0 || dl.rx1DrOffset > 7) {
    throw new LorawanError(
      'BAD_FIELD',
      `DLSettings RX1DROffset: ${dl.rx1DrOffset} is not an integer in 0..7`,
    );
  }
  if (!Number.isInteger(dl.rx2DataRate) || dl.rx2DataRate < 0 || dl.rx2DataRate > 15) {
    throw new LorawanError(
      'BAD_FIELD',
      `DLSettings RX2DataRate: ${dl.rx2DataRate} is not an integer in 0..15`,
    );
  }
  return (dl.optNeg ? 0x80 : 0) | (dl.rx1DrOffset << 4) | dl.rx2DataRate;
}

export function decodeDlSettings(octet: number): DlSettings {
  if (!Number.isInteger(octet) || octet < 0 || octet > 0xff) {
    throw new LorawanError('BAD_FIELD', `DLSettings: ${octet} is not an octet`);
  }
  return { optNeg: (octet & 0x80) !== 0, rx1DrOffset: (octet >>> 4) & 0x07, rx2DataRate: octet & 0x0f };
}
