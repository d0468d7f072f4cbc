import { decodeDlSettings, encodeDlSettings } from './dl-settings';
import { LorawanError } from './errors';
import { decodeJoinAcceptPlaintext, encodeJoinAcceptPlaintext } from './phy-payload';

describe('DLSettings octet (L1.1 §5.4: OptNeg | RX1DROffset | RX2DataRate)', () => {
  it('packs the three fields into their bits', () => {
    expect(encodeDlSettings({ optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 })).toBe(0x00);
    expect(encodeDlSettings({ optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 })).toBe(0x80);
    expect(encodeDlSettings({ optNeg: false, rx1DrOffset: 7, rx2DataRate: 0 })).toBe(0x70);
    expect(encodeDlSettings({ optNeg: true, rx1DrOffset: 3, rx2DataRate: 8 })).toBe(0xb8);
  });

  it('decodes every octet back to what encodes it', () => {
    for (let o = 0; o <= 0xff; o++) expect(encodeDlSettings(decodeDlSettings(o))).toBe(o);
  });

  it('matches the octet the join-accept codec writes', () => {
    const dl = { optNeg: true, rx1DrOffset: 2, rx2DataRate: 3 };
    const plain = encodeJoinAcceptPlaintext({
      joinNonce: 1,
      netId: 0x13,
      devAddr: 0x26011bda,
      dlSettings: dl,
      rxDelay: 1,
      mic: Buffer.alloc(4),
    });
    expect(plain[11]).toBe(encodeDlSettings(dl));
    expect(decodeJoinAcceptPlaintext(plain).dlSettings).toEqual(decodeDlSettings(plain[11]));
  });

  it('refuses values outside their fields', () => {
    expect(() => encodeDlSettings({ optNeg: false, rx1DrOffset: 8, rx2DataRate: 0 })).toThrow(LorawanError);
    expect(() => encodeDlSettings({ optNeg: false, rx1DrOffset: 0, rx2DataRate: 16 })).toThrow(LorawanError);
    expect(() => encodeDlSettings({ optNeg: false, rx1DrOffset: 1.5, rx2DataRate: 0 })).toThrow(LorawanError);
    expect(() => decodeDlSettings(256)).toThrow(LorawanError);
    expect(() => decodeDlSettings(-1)).toThrow(LorawanError);
  });
});
