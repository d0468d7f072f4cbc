import { LorawanError } from './errors';
import { decodeFhdr, encodeFhdr, fhdrLength, FhdrDownlink, FhdrUplink, writeFhdr } from './fhdr';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof LorawanError) return e.code;
    throw e;
  }
  return undefined;
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('FHDR', () => {
  // vectors: chirpstack/chirpstack lrwn/src/payload.rs test_mac_payload (DevAddr 01020304, ADR, FCnt 123)
  it('decodes/encodes FHDR without FOpts', () => {
    const bytes = hex('04030201' + '80' + '7b00');
    const f: FhdrUplink = {
      devAddr: 0x01020304,
      fCtrl: { adr: true, adrAckReq: false, ack: false, classB: false, fOptsLen: 0 },
      fCnt: 123,
      fOpts: Buffer.alloc(0),
    };
    expect(decodeFhdr(bytes, true)).toEqual(f);
    expect(encodeFhdr(f, true)).toEqual(bytes);
    expect(fhdrLength(f)).toBe(7);
  });

  it('decodes/encodes FHDR with 3 bytes of FOpts', () => {
    // vector: chirpstack/chirpstack lrwn/src/payload.rs test_mac_payload (f_opts 01 02 03)
    const bytes = hex('0403020183' + '7b00' + '010203');
    const f: FhdrUplink = {
      devAddr: 0x01020304,
      fCtrl: { adr: true, adrAckReq: false, ack: false, classB: false, fOptsLen: 3 },
      fCnt: 123,
      fOpts: hex('010203'),
    };
    expect(decodeFhdr(bytes, true)).toEqual(f);
    expect(encodeFhdr(f, true)).toEqual(bytes);
  });

  it('decodes the FHDR of lora-packet issue #18 packet #1 at offset 1', () => {
    // vector: anthonykirby/lora-packet __tests__/fopts_test.ts "should parse packet #1"
    const phy = hex('4084412505A3010009110308B33750F504D4B86A');
    const f = decodeFhdr(phy, true, 1, phy.length - 4);
    expect(f).toEqual({
      devAddr: 0x05254184,
      fCtrl: { adr: true, adrAckReq: false, ack: true, classB: false, fOptsLen: 3 },
      fCnt: 1,
      fOpts: hex('091103'),
    });
  });

  it('decodes a downlink FHDR with the downlink FCtrl layout', () => {
    // vector: lora-packet __tests__/fopts_test.ts / brocaar ExamplePHYPayload_lorawan11EncryptedFoptsEncode
    // (PHYPayload 600403020103000022ac0a01f0b468ddaa5ed13a), FHDR at bytes 1..10.
    const phy = hex('600403020103000022ac0a01f0b468ddaa5ed13a');
    const f: FhdrDownlink = decodeFhdr(phy, false, 1, phy.length - 4);
    expect(f).toEqual({
      devAddr: 0x01020304,
      fCtrl: { adr: false, ack: false, fPending: false, fOptsLen: 3 },
      fCnt: 0,
      fOpts: hex('22ac0a'),
    });
    expect(encodeFhdr(f, false)).toEqual(phy.subarray(1, 11));
  });

  it('aliases FOpts into the input buffer (no copy)', () => {
    const bytes = hex('0403020183' + '7b00' + '010203');
    const f = decodeFhdr(bytes, true);
    bytes[7] = 0xff;
    expect(f.fOpts[0]).toBe(0xff);
  });

  it('writeFhdr writes at an offset and returns the next offset', () => {
    const out = Buffer.alloc(12, 0xee);
    const f: FhdrDownlink = {
      devAddr: 0x26011bda,
      fCtrl: { adr: false, ack: true, fPending: true, fOptsLen: 2 },
      fCnt: 0xfffe,
      fOpts: hex('0203'),
    };
    expect(writeFhdr(f, false, out, 1)).toBe(10);
    expect(out.toString('hex')).toBe('ee' + 'da1b0126' + '32' + 'feff' + '0203' + 'eeee');
  });

  it('throws TOO_SHORT when bytes are missing', () => {
    expect(codeOf(() => decodeFhdr(hex('040302018000'), true))).toBe('TOO_SHORT');
    // FOptsLen 3 but only 2 bytes left before `end`
    expect(codeOf(() => decodeFhdr(hex('04030201837b000102'), true))).toBe('TOO_SHORT');
    expect(codeOf(() => decodeFhdr(hex('04030201837b00010203'), true, 0, 9))).toBe('TOO_SHORT');
    // `end` beyond the buffer is clamped, never read
    expect(codeOf(() => decodeFhdr(hex('04030201837b000102'), true, 0, 100))).toBe('TOO_SHORT');
    expect(codeOf(() => decodeFhdr(hex('04030201807b00'), true, 1))).toBe('TOO_SHORT');
  });

  it('rejects RFU bit 6 on downlink FCtrl', () => {
    expect(codeOf(() => decodeFhdr(hex('04030201407b00'), false))).toBe('BAD_FIELD');
    expect(decodeFhdr(hex('04030201407b00'), true).fCtrl).toMatchObject({ adrAckReq: true });
  });

  it('validates fields on encode', () => {
    const base: FhdrUplink = {
      devAddr: 1,
      fCtrl: { adr: false, adrAckReq: false, ack: false, classB: false, fOptsLen: 0 },
      fCnt: 0,
      fOpts: Buffer.alloc(0),
    };
    expect(codeOf(() => encodeFhdr({ ...base, devAddr: 2 ** 32 }, true))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFhdr({ ...base, devAddr: -1 }, true))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFhdr({ ...base, fCnt: 0x10000 }, true))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFhdr({ ...base, fCnt: 1.5 }, true))).toBe('BAD_FIELD');
    expect(
      codeOf(() =>
        encodeFhdr({ ...base, fOpts: Buffer.alloc(16), fCtrl: { ...base.fCtrl, fOptsLen: 15 } }, true),
      ),
    ).toBe('TOO_LONG');
    expect(codeOf(() => encodeFhdr({ ...base, fOpts: Buffer.alloc(2) }, true))).toBe('BAD_FIELD');
    expect(codeOf(() => encodeFhdr({ ...base, fOpts: 'ab' as unknown as Buffer }, true))).toBe('BAD_FIELD');
    expect(encodeFhdr({ ...base, devAddr: 0xffffffff, fCnt: 0xffff }, true).toString('hex')).toBe(
      'ffffffff00ffff',
    );
  });
});
