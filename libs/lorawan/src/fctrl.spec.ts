import { LorawanError } from './errors';
import {
  decodeFCtrl,
  decodeFCtrlDownlink,
  decodeFCtrlUplink,
  encodeFCtrl,
  encodeFCtrlDownlink,
  encodeFCtrlUplink,
  FCtrlDownlink,
  FCtrlUplink,
} from './fctrl';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof LorawanError) return e.code;
    throw e;
  }
  return undefined;
}

const up = (p: Partial<FCtrlUplink>): FCtrlUplink => ({
  adr: false,
  adrAckReq: false,
  ack: false,
  classB: false,
  fOptsLen: 0,
  ...p,
});
const down = (p: Partial<FCtrlDownlink>): FCtrlDownlink => ({
  adr: false,
  ack: false,
  fPending: false,
  fOptsLen: 0,
  ...p,
});

describe('FCtrl', () => {
  // vectors: chirpstack/chirpstack lrwn/src/fhdr.rs test_f_ctrl (ChirpStack folds FPending/ClassB
  // into one struct; here they are split by direction as in LoRaWAN 1.1 §4.3.1 Figures 12/13).
  const upVectors: [FCtrlUplink, number][] = [
    [up({ adr: true, fOptsLen: 2 }), 0x82],
    [up({ adrAckReq: true, fOptsLen: 3 }), 0x43],
    [up({ ack: true, fOptsLen: 4 }), 0x24],
    [up({ classB: true, fOptsLen: 5 }), 0x15],
    [up({ adr: true, adrAckReq: true, ack: true, classB: true, fOptsLen: 6 }), 0xf6],
  ];
  const downVectors: [FCtrlDownlink, number][] = [
    [down({ adr: true, fOptsLen: 2 }), 0x82],
    [down({ ack: true, fOptsLen: 4 }), 0x24],
    [down({ fPending: true, fOptsLen: 5 }), 0x15],
    [down({ adr: true, ack: true, fPending: true, fOptsLen: 6 }), 0xb6],
  ];

  it.each(upVectors)('uplink %o <-> %i', (f, b) => {
    expect(encodeFCtrlUplink(f)).toBe(b);
    expect(decodeFCtrlUplink(b)).toEqual(f);
    expect(encodeFCtrl(f, true)).toBe(b);
    expect(decodeFCtrl(b, true)).toEqual(f);
  });

  it.each(downVectors)('downlink %o <-> %i', (f, b) => {
    expect(encodeFCtrlDownlink(f)).toBe(b);
    expect(decodeFCtrlDownlink(b)).toEqual(f);
    expect(encodeFCtrl(f, false)).toBe(b);
    expect(decodeFCtrl(b, false)).toEqual(f);
  });

  it('reads bit 4 as ClassB on uplink and FPending on downlink', () => {
    // lora-packet __tests__/parse_test.ts "should parse ack": downlink FCtrl 0x20 = ACK only.
    expect(decodeFCtrlDownlink(0x20)).toEqual(down({ ack: true }));
    expect(decodeFCtrlUplink(0x10)).toEqual(up({ classB: true }));
    expect(decodeFCtrlDownlink(0x10)).toEqual(down({ fPending: true }));
  });

  it('round-trips every uplink byte', () => {
    for (let b = 0; b < 256; b++) expect(encodeFCtrlUplink(decodeFCtrlUplink(b))).toBe(b);
  });

  it('round-trips every downlink byte without RFU bit 6, and rejects bit 6 (L11 Figure 12)', () => {
    for (let b = 0; b < 256; b++) {
      if (b & 0x40) expect(codeOf(() => decodeFCtrlDownlink(b))).toBe('BAD_FIELD');
      else expect(encodeFCtrlDownlink(decodeFCtrlDownlink(b))).toBe(b);
    }
  });

  it('rejects out-of-range input', () => {
    expect(codeOf(() => decodeFCtrlUplink(256))).toBe('BAD_FIELD');
    expect(codeOf(() => decodeFCtrlDownlink(-1))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFCtrlUplink(up({ fOptsLen: 16 })))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFCtrlDownlink(down({ fOptsLen: -1 })))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFCtrlDownlink(down({ fOptsLen: 1.5 })))).toBe('BAD_FIELD');
  });
});
