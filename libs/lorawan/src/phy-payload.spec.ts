import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import loraPacket from 'lora-packet';
import { LorawanError } from './errors';
import { MType } from './mhdr';
import {
  DataDownFrame,
  DataFrame,
  DataUpFrame,
  decodeJoinAcceptPlaintext,
  decodePhyPayload,
  encodeJoinAcceptPlaintext,
  encodePhyPayload,
  isDataMType,
  isUplink,
  JoinAcceptPlaintext,
  JoinRequestFrame,
  micInput,
  peekDevAddr,
  PhyPayload,
  RejoinRequestFrame,
} from './phy-payload';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const bytes = (a: number[]): Buffer => Buffer.from(a);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof LorawanError) return e.code;
    throw e;
  }
  return undefined;
}

/** Decode, check the fields, and check that re-encoding gives the input back. */
function roundTrip(wire: Buffer, expected: Partial<PhyPayload> & { mType: MType }): PhyPayload {
  const p = decodePhyPayload(wire);
  expect(p).toEqual(expected);
  expect(encodePhyPayload(p).toString('hex')).toBe(wire.toString('hex'));
  return p;
}

/**
 * Test-only oracle for the join-accept vectors: the device "decrypts" with AES-128-ECB *encrypt*
 * (LoRaWAN 1.1 §6.2.3). The codec under test does no cryptography.
 */
function decryptJoinAcceptForTest(phy: Buffer, key: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([phy.subarray(0, 1), c.update(phy.subarray(1)), c.final()]);
}

const fUp = (p: Partial<DataUpFrame['fCtrl']> = {}): DataUpFrame['fCtrl'] => ({
  adr: false,
  adrAckReq: false,
  ack: false,
  classB: false,
  fOptsLen: 0,
  ...p,
});
const fDown = (p: Partial<DataDownFrame['fCtrl']> = {}): DataDownFrame['fCtrl'] => ({
  adr: false,
  ack: false,
  fPending: false,
  fOptsLen: 0,
  ...p,
});

describe('decodePhyPayload / encodePhyPayload: public vectors', () => {
  describe('data frames', () => {
    it('unconfirmed uplink, FPort 1, 4-byte payload', () => {
      // vector: anthonykirby/lora-packet __tests__/parse_test.ts "should parse data payload"
      roundTrip(hex('40F17DBE4900020001954378762B11FF0D'), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x49be7df1,
        fCtrl: fUp(),
        fCnt: 2,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: hex('95437876'),
        mic: hex('2b11ff0d'),
      });
    });

    it('FPort present with an empty FRMPayload', () => {
      // vector: lora-packet __tests__/parse_test.ts "should parse data payload with empty payload"
      roundTrip(hex('40F17DBE49000300012A3518AF'), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x49be7df1,
        fCtrl: fUp(),
        fCnt: 3,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: Buffer.alloc(0),
        mic: hex('2a3518af'),
      });
    });

    it('large uplink payload', () => {
      // vector: lora-packet __tests__/parse_test.ts "should parse large data payload"
      const wire = hex(
        '40f17dbe490004000155332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad30075293f28dea8a20af3c5e7',
      );
      const p = roundTrip(wire, {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x49be7df1,
        fCtrl: fUp(),
        fCnt: 4,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: hex(
          '55332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad30075293f28dea8a2',
        ),
        mic: hex('0af3c5e7'),
      });
      expect((p as DataFrame).frmPayload).toHaveLength(44);
    });

    it('unconfirmed downlink with ACK', () => {
      // vector: lora-packet __tests__/parse_test.ts "should parse ack"
      roundTrip(hex('60f17dbe4920020001f9d65d27'), {
        mType: MType.UnconfirmedDataDown,
        devAddr: 0x49be7df1,
        fCtrl: fDown({ ack: true }),
        fCnt: 2,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: Buffer.alloc(0),
        mic: hex('f9d65d27'),
      });
    });

    it('uplink with 3 bytes of FOpts (ADR, ACK)', () => {
      // vector: lora-packet __tests__/fopts_test.ts "should parse packet #1" (github issue #18)
      roundTrip(hex('4084412505A3010009110308B33750F504D4B86A'), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x05254184,
        fCtrl: fUp({ adr: true, ack: true, fOptsLen: 3 }),
        fCnt: 1,
        fOpts: hex('091103'),
        fPort: 8,
        frmPayload: hex('b33750f5'),
        mic: hex('04d4b86a'),
      });
    });

    it('1.1 uplink on FPort 0 (RekeyInd)', () => {
      // vector: lora-packet __tests__/fopts_test.ts "should decode rekeyind packet with Lorawan11 Encrypted"
      roundTrip(hex('40679810e080000000c2c5248de748'), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0xe0109867,
        fCtrl: fUp({ adr: true }),
        fCnt: 0,
        fOpts: Buffer.alloc(0),
        fPort: 0,
        frmPayload: hex('c2c5'),
        mic: hex('248de748'),
      });
    });

    it('1.1 downlink with encrypted FOpts, FPort 1', () => {
      // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan11EncryptedFoptsEncode,
      // also chirpstack lrwn/src/phy_payload.rs doc example and lora-packet __tests__/fopts_test.ts
      roundTrip(b64('YAQDAgEDAAAirAoB8LRo3ape0To='), {
        mType: MType.UnconfirmedDataDown,
        devAddr: 0x01020304,
        fCtrl: fDown({ fOptsLen: 3 }),
        fCnt: 0,
        fOpts: hex('22ac0a'),
        fPort: 1,
        frmPayload: hex('f0b468dd'),
        mic: hex('aa5ed13a'),
      });
    });

    it('confirmed uplink with FOpts (DevStatusAns), FPort 10', () => {
      // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan10Encode
      // ("gAQDAgEDAAAGcwcK4mTU9+EX0sA="), same bytes in chirpstack lrwn/src/phy_payload.rs doc example
      const wire = bytes([128, 4, 3, 2, 1, 3, 0, 0, 6, 115, 7, 10, 226, 100, 212, 247, 225, 23, 210, 192]);
      expect(b64('gAQDAgEDAAAGcwcK4mTU9+EX0sA=')).toEqual(wire);
      roundTrip(wire, {
        mType: MType.ConfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp({ fOptsLen: 3 }),
        fCnt: 0,
        fOpts: hex('067307'),
        fPort: 10,
        frmPayload: hex('e264d4f7'),
        mic: hex('e117d2c0'),
      });
    });

    it('brocaar 1.0 table: FRMPayload data, MACs in FOpts, MACs in FRMPayload', () => {
      // vectors: brocaar/lorawan phypayload_test.go TestPHYPayloadMACPayloadLoRaWAN10
      roundTrip(bytes([64, 4, 3, 2, 1, 128, 1, 0, 1, 166, 148, 100, 38, 21, 214, 195, 181, 130]), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp({ adr: true }),
        fCnt: 1,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: bytes([166, 148, 100, 38, 21]),
        mic: bytes([214, 195, 181, 130]),
      });
      roundTrip(bytes([64, 4, 3, 2, 1, 3, 0, 0, 2, 3, 5, 1, 106, 55, 152, 245, 182, 77, 192, 57]), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp({ fOptsLen: 3 }),
        fCnt: 0,
        fOpts: bytes([2, 3, 5]),
        fPort: 1,
        frmPayload: bytes([106, 55, 152, 245]),
        mic: bytes([182, 77, 192, 57]),
      });
      roundTrip(bytes([64, 4, 3, 2, 1, 0, 0, 0, 0, 105, 54, 158, 238, 106, 165, 8]), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp(),
        fCnt: 0,
        fOpts: Buffer.alloc(0),
        fPort: 0,
        frmPayload: bytes([105, 54, 158]),
        mic: bytes([238, 106, 165, 8]),
      });
    });

    it('brocaar 1.1 table: uplink with ACK, downlink FOpts without FPort, FOpts + FPort without payload', () => {
      // vectors: brocaar/lorawan phypayload_test.go TestPHYPayloadMACPayloadLoRaWAN11
      roundTrip(bytes([64, 4, 3, 2, 1, 160, 1, 0, 1, 166, 148, 100, 38, 21, 248, 66, 196, 185]), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp({ adr: true, ack: true }),
        fCnt: 1,
        fOpts: Buffer.alloc(0),
        fPort: 1,
        frmPayload: bytes([166, 148, 100, 38, 21]),
        mic: bytes([248, 66, 196, 185]),
      });
      roundTrip(bytes([96, 4, 3, 2, 1, 3, 0, 0, 223, 180, 241, 226, 79, 31, 159]), {
        mType: MType.UnconfirmedDataDown,
        devAddr: 0x01020304,
        fCtrl: fDown({ fOptsLen: 3 }),
        fCnt: 0,
        fOpts: bytes([223, 180, 241]),
        fPort: undefined,
        frmPayload: undefined,
        mic: bytes([226, 79, 31, 159]),
      });
      roundTrip(bytes([96, 4, 3, 2, 1, 3, 0, 0, 2, 7, 1, 1, 119, 112, 30, 163]), {
        mType: MType.UnconfirmedDataDown,
        devAddr: 0x01020304,
        fCtrl: fDown({ fOptsLen: 3 }),
        fCnt: 0,
        fOpts: bytes([2, 7, 1]),
        fPort: 1,
        frmPayload: Buffer.alloc(0),
        mic: bytes([119, 112, 30, 163]),
      });
    });

    it('FHDR-only frame (no FPort, no FRMPayload) is valid', () => {
      // vector: chirpstack/chirpstack lrwn/src/payload.rs test_mac_payload (04030201 80 7b00), MHDR/MIC added
      roundTrip(hex('40 04030201 80 7b00 01020304'), {
        mType: MType.UnconfirmedDataUp,
        devAddr: 0x01020304,
        fCtrl: fUp({ adr: true }),
        fCnt: 123,
        fOpts: Buffer.alloc(0),
        fPort: undefined,
        frmPayload: undefined,
        mic: hex('01020304'),
      });
    });
  });

  describe('join-request', () => {
    it('lora-packet vector', () => {
      // vector: lora-packet __tests__/parse_test.ts "should parse join request payload"
      roundTrip(hex('0039363463336913AA05693574323831338EF1C1D5EC6C'), {
        mType: MType.JoinRequest,
        joinEui: hex('aa13693363343639'),
        devEui: hex('3331383274356905'),
        devNonce: 0xf18e,
        mic: hex('c1d5ec6c'),
      });
    });

    it('brocaar vector', () => {
      // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadJoinRequest / ExamplePHYPayload_readJoinRequest
      roundTrip(b64('AAQDAgEEAwIBBQQDAgUEAwItEGqZDhI='), {
        mType: MType.JoinRequest,
        joinEui: hex('0102030401020304'),
        devEui: hex('0203040502030405'),
        devNonce: 4141,
        mic: b64('AAQDAgEEAwIBBQQDAgUEAwItEGqZDhI=').subarray(19),
      });
    });

    it('chirpstack vectors (DevNonce 771 and 1024)', () => {
      // vector: chirpstack lrwn/src/phy_payload.rs doc example, = brocaar ExamplePHYPayload_joinRequest
      roundTrip(bytes([0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 9, 185, 123, 50]), {
        mType: MType.JoinRequest,
        joinEui: hex('0101010101010101'),
        devEui: hex('0202020202020202'),
        devNonce: 771,
        mic: hex('09b97b32'),
      });
      // vector: chirpstack lrwn/src/phy_payload.rs tests::test_non_proprietary
      roundTrip(hex('00 0807060504030201 0102030405060708 0004 01020304'), {
        mType: MType.JoinRequest,
        joinEui: hex('0102030405060708'),
        devEui: hex('0807060504030201'),
        devNonce: 1024,
        mic: hex('01020304'),
      });
    });

    it('EUIs are fresh copies in printed order, not aliases', () => {
      const wire = hex('00 0807060504030201 0102030405060708 0004 01020304');
      const p = decodePhyPayload(wire) as JoinRequestFrame;
      wire.fill(0);
      expect(p.joinEui.toString('hex')).toBe('0102030405060708');
      expect(p.mic.toString('hex')).toBe('00000000'); // the MIC aliases
    });
  });

  describe('rejoin-request', () => {
    it('type 2 (brocaar)', () => {
      // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadRejoinRequest02
      roundTrip(bytes([192, 2, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1, 219, 0, 60, 134, 66, 174]), {
        mType: MType.RejoinRequest,
        rejoinType: 2,
        netId: 0x010203,
        devEui: hex('0102030405060708'),
        rjCount0: 219,
        mic: bytes([60, 134, 66, 174]),
      });
    });

    it('type 1 (brocaar)', () => {
      // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadRejoinRequest1
      roundTrip(
        bytes([192, 1, 8, 7, 6, 5, 4, 3, 2, 1, 16, 15, 14, 13, 12, 11, 10, 9, 219, 0, 234, 195, 16, 114]),
        {
          mType: MType.RejoinRequest,
          rejoinType: 1,
          joinEui: hex('0102030405060708'),
          devEui: hex('090a0b0c0d0e0f10'),
          rjCount1: 219,
          mic: bytes([234, 195, 16, 114]),
        },
      );
    });

    it('type 0 (chirpstack payload vector + MHDR/MIC)', () => {
      // vector: chirpstack lrwn/src/payload.rs tests::test_rejoin_request (RejoinType0)
      roundTrip(hex('c0 00 030201 0807060504030201 db00 aabbccdd'), {
        mType: MType.RejoinRequest,
        rejoinType: 0,
        netId: 0x010203,
        devEui: hex('0102030405060708'),
        rjCount0: 219,
        mic: hex('aabbccdd'),
      });
    });
  });

  describe('proprietary', () => {
    it('keeps every byte after the MHDR as payload', () => {
      // vectors: chirpstack lrwn/src/phy_payload.rs tests::test_proprietary
      roundTrip(hex('e0'), { mType: MType.Proprietary, payload: Buffer.alloc(0) });
      roundTrip(hex('e0010203'), { mType: MType.Proprietary, payload: hex('010203') });
      // vector: brocaar ExamplePHYPayload_proprietaryDecode. brocaar splits off a 4-byte "MIC";
      // the spec defines none, so this codec keeps it in the payload (ChirpStack does the same).
      roundTrip(b64('4AUGBwgJCgECAwQ='), { mType: MType.Proprietary, payload: hex('05060708090a01020304') });
    });

    it('appends an explicit MIC on encode', () => {
      // vector: brocaar ExamplePHYPayload_proprietaryEncode ([224 5 6 7 8 9 10 1 2 3 4])
      const out = encodePhyPayload({
        mType: MType.Proprietary,
        payload: hex('05060708090a'),
        mic: hex('01020304'),
      });
      expect([...out]).toEqual([224, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4]);
    });
  });

  describe('join-accept', () => {
    // [name, wire, key, expected plaintext fields]
    const vectors: [string, string, string, JoinAcceptPlaintext][] = [
      [
        // vector: chirpstack lrwn/src/phy_payload.rs doc "LoRaWAN 1.0.x Join-accept example",
        // = brocaar ExamplePHYPayload_joinAcceptSend
        'chirpstack 1.0',
        '2023cf335489aae3183c0be0baa8dee5f3',
        '0102030405060708090a0b0c0d0e0f10',
        {
          joinNonce: 65793,
          netId: 0x020202,
          devAddr: 0x01020304,
          dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
          rxDelay: 0,
          mic: hex('3449f212'),
        },
      ],
      [
        // vector: chirpstack lrwn/src/phy_payload.rs doc "LoRaWAN 1.1.x Join-accept example",
        // = brocaar ExamplePHYPayload_lorawan11JoinAcceptSend, lora-packet __tests__/join_accept_encrypt.ts
        'chirpstack 1.1 (OptNeg)',
        '207abeea06b02920f11c02d0348fcf1815',
        '0102030405060708090a0b0c0d0e0f10',
        {
          joinNonce: 65793,
          netId: 0x020202,
          devAddr: 0x01020304,
          dlSettings: { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 },
          rxDelay: 0,
          mic: hex('93ff9a3a'),
        },
      ],
      [
        // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadJoinAccept
        'brocaar',
        '20493eeb51fba2116f810edb3742975142',
        '00112233445566778899aabbccddeeff',
        {
          joinNonce: 5704647,
          netId: 0x221101,
          devAddr: 0x02031980,
          dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
          rxDelay: 0,
          mic: bytes([67, 72, 91, 188]),
        },
      ],
      [
        // vector: lora-packet __tests__/join_accept_encrypt.ts "should create join accept packet with zero value"
        'lora-packet zeros',
        '20e3de108795f776b8037610ef7869b5b3',
        '00000000000000000000000000000000',
        {
          joinNonce: 0,
          netId: 0,
          devAddr: 0,
          dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
          rxDelay: 0,
          mic: hex('f86f0a91'),
        },
      ],
    ];

    it.each(vectors)(
      '%s: on air keeps the encrypted bytes; decrypted form decodes',
      (_n, wireHex, keyHex, fields) => {
        const wire = hex(wireHex);
        roundTrip(wire, { mType: MType.JoinAccept, encrypted: wire.subarray(1) });
        const plain = decryptJoinAcceptForTest(wire, hex(keyHex));
        const ja = decodeJoinAcceptPlaintext(plain);
        expect(ja).toEqual(fields);
        expect(encodeJoinAcceptPlaintext(ja).toString('hex')).toBe(plain.toString('hex'));
        expect(micInput(plain)).toEqual(plain.subarray(0, 13));
      },
    );

    it('plaintext join-accept of lora-packet parse_test', () => {
      // vector: lora-packet __tests__/parse_test.ts "should parse join accept payload" (not encrypted)
      const plain = hex('20386337CCBBAAE7CD2C010000D9D0A6E7');
      const ja = decodeJoinAcceptPlaintext(plain);
      expect(ja).toEqual({
        joinNonce: 0x376338,
        netId: 0xaabbcc,
        devAddr: 0x012ccde7,
        dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
        rxDelay: 0,
        mic: hex('d9d0a6e7'),
      });
      expect(encodeJoinAcceptPlaintext(ja)).toEqual(plain);
    });

    it('plaintext with DLSettings, RxDelay and a CFList', () => {
      // vector: chirpstack lrwn/src/payload.rs tests::test_join_accept_payload (EU868 CFList
      // 867.1..867.9 MHz), MHDR and a MIC added around the 28 payload bytes.
      const plain = hex('20 010101 020202 04030201 67 09 184f84e85684b85e84886684586e8400 0a0b0c0d');
      const ja = decodeJoinAcceptPlaintext(plain);
      expect(ja).toEqual({
        joinNonce: 65793,
        netId: 0x020202,
        devAddr: 0x01020304,
        dlSettings: { optNeg: false, rx1DrOffset: 6, rx2DataRate: 7 },
        rxDelay: 9,
        cfList: hex('184f84e85684b85e84886684586e8400'),
        mic: hex('0a0b0c0d'),
      });
      expect(encodeJoinAcceptPlaintext(ja)).toEqual(plain);
      // On air the same length is a 33-byte join-accept.
      expect(decodePhyPayload(plain)).toEqual({ mType: MType.JoinAccept, encrypted: plain.subarray(1) });
    });

    it('rejects wrong lengths, MTypes and RFU bits', () => {
      expect(codeOf(() => decodePhyPayload(Buffer.alloc(16, 0x20).fill(0x20, 0, 1)))).toBe('TOO_SHORT');
      expect(codeOf(() => decodePhyPayload(hex('20' + '00'.repeat(17))))).toBe('BAD_LENGTH');
      expect(codeOf(() => decodePhyPayload(hex('20' + '00'.repeat(31))))).toBe('BAD_LENGTH');
      expect(codeOf(() => decodePhyPayload(hex('20' + '00'.repeat(33))))).toBe('TOO_LONG');
      expect(codeOf(() => decodeJoinAcceptPlaintext(hex('40' + '00'.repeat(16))))).toBe('BAD_MTYPE');
      expect(codeOf(() => decodeJoinAcceptPlaintext(Buffer.alloc(0)))).toBe('TOO_SHORT');
      expect(codeOf(() => decodeJoinAcceptPlaintext(hex('20' + '00'.repeat(20))))).toBe('BAD_LENGTH');
      // RxDelay upper nibble is RFU
      expect(codeOf(() => decodeJoinAcceptPlaintext(hex('20 000000 000000 00000000 00 10 00000000')))).toBe(
        'BAD_FIELD',
      );
      // vector: lora-packet __tests__/parse_test.ts "should Join Accept": MHDR 0x33 has Major 3 → dropped
      const bad = hex('33105EAFD15E04A62872C97F821955A1B75420F0FFCC20CF999347E18AA8A235');
      expect(codeOf(() => decodePhyPayload(bad))).toBe('BAD_MAJOR');
    });

    it('validates plaintext fields on encode', () => {
      const ok: JoinAcceptPlaintext = {
        joinNonce: 0xffffff,
        netId: 0xffffff,
        devAddr: 0xffffffff,
        dlSettings: { optNeg: true, rx1DrOffset: 7, rx2DataRate: 15 },
        rxDelay: 15,
        mic: hex('01020304'),
      };
      expect(encodeJoinAcceptPlaintext(ok).toString('hex')).toBe('20ffffffffffffffffffffff0f01020304');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, joinNonce: 0x1000000 }))).toBe('BAD_FIELD');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, netId: -1 }))).toBe('BAD_FIELD');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, devAddr: 2 ** 32 }))).toBe('BAD_FIELD');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, rxDelay: 16 }))).toBe('BAD_FIELD');
      expect(
        codeOf(() => encodeJoinAcceptPlaintext({ ...ok, dlSettings: { ...ok.dlSettings, rx1DrOffset: 8 } })),
      ).toBe('BAD_FIELD');
      expect(
        codeOf(() => encodeJoinAcceptPlaintext({ ...ok, dlSettings: { ...ok.dlSettings, rx2DataRate: 16 } })),
      ).toBe('BAD_FIELD');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, cfList: Buffer.alloc(15) }))).toBe('BAD_FIELD');
      expect(codeOf(() => encodeJoinAcceptPlaintext({ ...ok, mic: Buffer.alloc(3) }))).toBe('BAD_FIELD');
      expect(codeOf(() => encodePhyPayload({ mType: MType.JoinAccept, encrypted: Buffer.alloc(15) }))).toBe(
        'TOO_SHORT',
      );
      expect(codeOf(() => encodePhyPayload({ mType: MType.JoinAccept, encrypted: Buffer.alloc(20) }))).toBe(
        'BAD_LENGTH',
      );
    });
  });
});

describe('decodePhyPayload: validation', () => {
  it('length limits', () => {
    expect(codeOf(() => decodePhyPayload(Buffer.alloc(0)))).toBe('TOO_SHORT');
    expect(codeOf(() => decodePhyPayload(Buffer.alloc(256, 0x40)))).toBe('TOO_LONG');
    // Data frame of exactly 255 bytes is fine, 11 bytes is too short.
    const max = Buffer.alloc(255, 0);
    max[0] = 0x40;
    max[8] = 1;
    expect((decodePhyPayload(max) as DataFrame).frmPayload).toHaveLength(242);
    expect(codeOf(() => decodePhyPayload(hex('40 04030201 00 0000 010203')))).toBe('TOO_SHORT');
    // join-request is exactly 23 bytes
    expect(codeOf(() => decodePhyPayload(Buffer.alloc(22)))).toBe('TOO_SHORT');
    expect(codeOf(() => decodePhyPayload(Buffer.alloc(24)))).toBe('TOO_LONG');
    // rejoin-request: 19 (type 0/2) or 24 (type 1), RejoinType 3+ is RFU
    expect(codeOf(() => decodePhyPayload(hex('c0')))).toBe('TOO_SHORT');
    expect(codeOf(() => decodePhyPayload(hex('c000' + '00'.repeat(16))))).toBe('TOO_SHORT');
    expect(codeOf(() => decodePhyPayload(hex('c002' + '00'.repeat(18))))).toBe('TOO_LONG');
    expect(codeOf(() => decodePhyPayload(hex('c001' + '00'.repeat(21))))).toBe('TOO_SHORT');
    expect(codeOf(() => decodePhyPayload(hex('c001' + '00'.repeat(23))))).toBe('TOO_LONG');
    expect(codeOf(() => decodePhyPayload(hex('c003' + '00'.repeat(17))))).toBe('BAD_FIELD');
    expect(codeOf(() => decodePhyPayload(Buffer.alloc(256, 0xe0)))).toBe('TOO_LONG');
  });

  it('FOptsLen that does not fit before the MIC → TOO_SHORT', () => {
    // FOptsLen 15, but only 0 bytes between FHDR and MIC
    expect(codeOf(() => decodePhyPayload(hex('40 04030201 0f 0000 01020304')))).toBe('TOO_SHORT');
    // FOptsLen 2 with exactly 2 bytes: OK, no FPort
    const p = decodePhyPayload(hex('40 04030201 02 0000 0602 01020304')) as DataFrame;
    expect(p.fOpts).toEqual(hex('0602'));
    expect(p.fPort).toBeUndefined();
  });

  it('FPort 0 with FOpts → BAD_FOPTS (L11 §4.3.1.6)', () => {
    expect(codeOf(() => decodePhyPayload(hex('40 04030201 01 0000 06 00 aa 01020304')))).toBe('BAD_FOPTS');
    expect(codeOf(() => decodePhyPayload(hex('60 04030201 01 0000 06 00 01020304')))).toBe('BAD_FOPTS');
  });

  it('Major ≠ 0 → BAD_MAJOR, downlink FCtrl RFU bit → BAD_FIELD', () => {
    expect(codeOf(() => decodePhyPayload(hex('41 04030201 00 0000 01020304')))).toBe('BAD_MAJOR');
    expect(codeOf(() => decodePhyPayload(hex('60 04030201 40 0000 01020304')))).toBe('BAD_FIELD');
  });

  it('keeps MHDR RFU bits so the frame (and its MIC input) re-encodes exactly', () => {
    const wire = hex('5c 04030201 00 0100 01020304');
    const p = roundTrip(wire, {
      mType: MType.UnconfirmedDataUp,
      mhdrRfu: 7,
      devAddr: 0x01020304,
      fCtrl: fUp(),
      fCnt: 1,
      fOpts: Buffer.alloc(0),
      fPort: undefined,
      frmPayload: undefined,
      mic: hex('01020304'),
    });
    expect(p.mhdrRfu).toBe(7);
  });

  it('decoded Buffers alias the input', () => {
    const wire = hex('40F17DBE4900020001954378762B11FF0D');
    const p = decodePhyPayload(wire) as DataFrame;
    wire[9] = 0;
    expect(p.frmPayload![0]).toBe(0);
    expect(p.frmPayload!.buffer).toBe(wire.buffer);
  });
});

describe('encodePhyPayload: validation', () => {
  const base: DataUpFrame = {
    mType: MType.UnconfirmedDataUp,
    devAddr: 0x01020304,
    fCtrl: fUp(),
    fCnt: 1,
    fOpts: Buffer.alloc(0),
    fPort: 1,
    frmPayload: hex('aa'),
    mic: hex('01020304'),
  };

  it('encodes a minimal frame and treats a missing FRMPayload after an FPort as empty', () => {
    expect(encodePhyPayload(base).toString('hex')).toBe('4004030201000100' + '01aa' + '01020304');
    expect(encodePhyPayload({ ...base, frmPayload: undefined }).toString('hex')).toBe(
      '400403020100010001' + '01020304',
    );
    expect(encodePhyPayload({ ...base, fPort: undefined, frmPayload: undefined }).toString('hex')).toBe(
      '4004030201000100' + '01020304',
    );
    expect(encodePhyPayload({ ...base, fPort: undefined, frmPayload: Buffer.alloc(0) }).toString('hex')).toBe(
      '4004030201000100' + '01020304',
    );
  });

  it('refuses inconsistent or out-of-range fields', () => {
    expect(codeOf(() => encodePhyPayload({ ...base, fPort: undefined }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, fPort: 256 }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, fPort: -1 }))).toBe('BAD_FIELD');
    expect(
      codeOf(() => encodePhyPayload({ ...base, fPort: 0, fOpts: hex('02'), fCtrl: fUp({ fOptsLen: 1 }) })),
    ).toBe('BAD_FOPTS');
    expect(codeOf(() => encodePhyPayload({ ...base, fOpts: hex('02') }))).toBe('BAD_FIELD'); // fOptsLen mismatch
    expect(codeOf(() => encodePhyPayload({ ...base, fCnt: 0x10000 }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, devAddr: 2 ** 32 }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, mic: hex('010203') }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, frmPayload: Buffer.alloc(243) }))).toBe('TOO_LONG');
    expect(encodePhyPayload({ ...base, frmPayload: Buffer.alloc(242) })).toHaveLength(255);
    expect(codeOf(() => encodePhyPayload({ ...base, mhdrRfu: 8 }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...base, mType: 9 } as unknown as PhyPayload))).toBe('BAD_MTYPE');
    const jr: JoinRequestFrame = {
      mType: MType.JoinRequest,
      joinEui: Buffer.alloc(8),
      devEui: Buffer.alloc(8),
      devNonce: 0,
      mic: Buffer.alloc(4),
    };
    expect(encodePhyPayload(jr)).toHaveLength(23);
    expect(codeOf(() => encodePhyPayload({ ...jr, joinEui: Buffer.alloc(7) }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...jr, devEui: Buffer.alloc(9) }))).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ ...jr, devNonce: 65536 }))).toBe('BAD_FIELD');
    const rj = { mType: MType.RejoinRequest, rejoinType: 3 } as unknown as RejoinRequestFrame;
    expect(codeOf(() => encodePhyPayload(rj))).toBe('BAD_FIELD');
    expect(
      codeOf(() =>
        encodePhyPayload({
          mType: MType.RejoinRequest,
          rejoinType: 0,
          netId: 0x1000000,
          devEui: Buffer.alloc(8),
          rjCount0: 0,
          mic: Buffer.alloc(4),
        }),
      ),
    ).toBe('BAD_FIELD');
    expect(codeOf(() => encodePhyPayload({ mType: MType.Proprietary, payload: Buffer.alloc(255) }))).toBe(
      'TOO_LONG',
    );
    expect(
      codeOf(() =>
        encodePhyPayload({ mType: MType.Proprietary, payload: Buffer.alloc(1), mic: Buffer.alloc(2) }),
      ),
    ).toBe('BAD_FIELD');
  });
});

describe('helpers', () => {
  it('micInput is everything but the last 4 bytes, aliased', () => {
    const wire = hex('40F17DBE4900020001954378762B11FF0D');
    const m = micInput(wire);
    expect(m.toString('hex')).toBe('40f17dbe490002000195437876');
    expect(m.buffer).toBe(wire.buffer);
    expect(codeOf(() => micInput(Buffer.alloc(4)))).toBe('TOO_SHORT');
    expect(micInput(Buffer.alloc(5))).toHaveLength(1);
  });

  it('isUplink / isDataMType (L11 §4.2.1)', () => {
    const up = [MType.JoinRequest, MType.UnconfirmedDataUp, MType.ConfirmedDataUp, MType.RejoinRequest];
    for (let t = 0; t < 8; t++) {
      expect(isUplink(t)).toBe(up.includes(t));
      expect(isDataMType(t)).toBe(t >= 2 && t <= 5);
    }
  });

  it('peekDevAddr reads data frames only', () => {
    expect(peekDevAddr(hex('40F17DBE4900020001954378762B11FF0D'))).toBe(0x49be7df1);
    expect(peekDevAddr(hex('60f17dbe4920020001f9d65d27'))).toBe(0x49be7df1);
    expect(peekDevAddr(hex('0039363463336913AA05693574323831338EF1C1D5EC6C'))).toBeUndefined();
    expect(peekDevAddr(hex('e0010203040506070809'))).toBeUndefined();
    expect(peekDevAddr(hex('41F17DBE4900020001954378762B11FF0D'))).toBeUndefined(); // Major 1
    expect(peekDevAddr(hex('40F17DBE49000200019543'))).toBeUndefined(); // 11 bytes
    expect(peekDevAddr(Buffer.alloc(0))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

const buf = (minLength: number, maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ minLength, maxLength }).map((a) => Buffer.from(a));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const rfu = fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined });

/** Port/payload/FOpts combination that respects §4.3.1.6 and the 255-byte limit. */
const tail = fc
  .record({
    fOpts: buf(0, 15),
    fPort: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    frmPayload: buf(0, 200),
  })
  .map(({ fOpts, fPort, frmPayload }) => ({
    fOpts,
    fPort: fPort === 0 && fOpts.length > 0 ? 1 : fPort,
    frmPayload: fPort === undefined ? undefined : frmPayload,
  }));

const dataUp: fc.Arbitrary<DataUpFrame> = fc
  .record({
    mType: fc.constantFrom(MType.UnconfirmedDataUp as const, MType.ConfirmedDataUp as const),
    mhdrRfu: rfu,
    devAddr: u32,
    adr: fc.boolean(),
    adrAckReq: fc.boolean(),
    ack: fc.boolean(),
    classB: fc.boolean(),
    fCnt: u16,
    tail,
    mic: buf(4, 4),
  })
  .map(({ adr, adrAckReq, ack, classB, tail: t, ...r }) => ({
    ...r,
    ...t,
    fCtrl: { adr, adrAckReq, ack, classB, fOptsLen: t.fOpts.length },
  }));

const dataDown: fc.Arbitrary<DataDownFrame> = fc
  .record({
    mType: fc.constantFrom(MType.UnconfirmedDataDown as const, MType.ConfirmedDataDown as const),
    mhdrRfu: rfu,
    devAddr: u32,
    adr: fc.boolean(),
    ack: fc.boolean(),
    fPending: fc.boolean(),
    fCnt: u16,
    tail,
    mic: buf(4, 4),
  })
  .map(({ adr, ack, fPending, tail: t, ...r }) => ({
    ...r,
    ...t,
    fCtrl: { adr, ack, fPending, fOptsLen: t.fOpts.length },
  }));

const anyFrame: fc.Arbitrary<PhyPayload> = fc.oneof(
  dataUp,
  dataDown,
  fc.record({
    mType: fc.constant(MType.JoinRequest as const),
    mhdrRfu: rfu,
    joinEui: buf(8, 8),
    devEui: buf(8, 8),
    devNonce: u16,
    mic: buf(4, 4),
  }),
  fc.record({
    mType: fc.constant(MType.JoinAccept as const),
    mhdrRfu: rfu,
    encrypted: fc.oneof(buf(16, 16), buf(32, 32)),
  }),
  fc.record({
    mType: fc.constant(MType.RejoinRequest as const),
    mhdrRfu: rfu,
    rejoinType: fc.constantFrom(0 as const, 2 as const),
    netId: u24,
    devEui: buf(8, 8),
    rjCount0: u16,
    mic: buf(4, 4),
  }),
  fc.record({
    mType: fc.constant(MType.RejoinRequest as const),
    mhdrRfu: rfu,
    rejoinType: fc.constant(1 as const),
    joinEui: buf(8, 8),
    devEui: buf(8, 8),
    rjCount1: u16,
    mic: buf(4, 4),
  }),
  fc.record({ mType: fc.constant(MType.Proprietary as const), mhdrRfu: rfu, payload: buf(0, 254) }),
);

/** Random bytes, and random bytes behind a Major-R1 MHDR so that every MType's decoder gets exercised. */
const fuzzInput = fc.oneof(
  buf(0, 300),
  fc
    .tuple(fc.integer({ min: 0, max: 63 }), buf(0, 60))
    .map(([m, b]) => Buffer.concat([Buffer.of(m << 2), b])),
  fc
    .tuple(fc.integer({ min: 0, max: 63 }), buf(0, 300))
    .map(([m, b]) => Buffer.concat([Buffer.of(m << 2), b])),
  // Data-frame shaped: random FCtrl (so FOptsLen 0..15) and an FPort byte that is often 0, so the
  // FOpts/FPort rules (§4.3.1.6) are reached on every run, not once in thousands.
  fc
    .tuple(
      fc.constantFrom(0x40, 0x60, 0x80, 0xa0),
      buf(4, 4),
      fc.integer({ min: 0, max: 255 }),
      buf(2, 2),
      buf(0, 15),
      fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
      buf(0, 24),
    )
    .map(([mhdr, devAddr, fCtrl, fCnt, fOpts, fPort, rest]) =>
      Buffer.concat([Buffer.of(mhdr), devAddr, Buffer.of(fCtrl), fCnt, fOpts, Buffer.of(fPort), rest]),
    ),
);

describe('properties (fast-check)', () => {
  it('encode → decode → encode is the identity for every frame type', () => {
    fc.assert(
      fc.property(anyFrame, (p) => {
        const wire = encodePhyPayload(p);
        const back = decodePhyPayload(wire);
        expect(back).toEqual(p);
        expect(encodePhyPayload(back).equals(wire)).toBe(true);
        if (isDataMType(p.mType)) expect(peekDevAddr(wire)).toBe((p as DataFrame).devAddr);
        else expect(peekDevAddr(wire)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  /** Valid encodings with one byte changed, cut short or extended: reaches every decoder's edges. */
  const mutated = fc
    .tuple(anyFrame, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 }), buf(0, 40))
    .map(([p, pos, val, how, extra]) => {
      const w = Buffer.from(encodePhyPayload(p));
      if (how === 0 && w.length > 0) w[pos % w.length] = val;
      if (how === 1) return w.subarray(0, pos % (w.length + 1));
      if (how === 2) return Buffer.concat([w, extra]);
      return w;
    });

  it('fuzz: decode returns or throws LorawanError, and whatever decodes re-encodes to the same bytes', () => {
    const decoded = new Map<MType, number>();
    const errors = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(fuzzInput, mutated), (input) => {
        let p: PhyPayload;
        try {
          p = decodePhyPayload(input);
        } catch (e) {
          if (!(e instanceof LorawanError)) throw e;
          errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
          return;
        }
        decoded.set(p.mType, (decoded.get(p.mType) ?? 0) + 1);
        expect(encodePhyPayload(p).equals(input)).toBe(true);
        const peeked = peekDevAddr(input);
        if (isDataMType(p.mType)) expect(peeked).toBe((p as DataFrame).devAddr);
      }),
      { numRuns: 20000 },
    );
    // The run must have reached every frame type and every decoder error, not just the MHDR check.
    for (let t = 0; t < 8; t++) expect(decoded.get(t)).toBeGreaterThan(0);
    for (const c of ['TOO_SHORT', 'TOO_LONG', 'BAD_LENGTH', 'BAD_MAJOR', 'BAD_FOPTS', 'BAD_FIELD']) {
      expect(errors.get(c)).toBeGreaterThan(0);
    }
  });

  it('fuzz: peekDevAddr and micInput never throw anything but LorawanError', () => {
    fc.assert(
      fc.property(fuzzInput, (input) => {
        const d = peekDevAddr(input);
        expect(d === undefined || (Number.isInteger(d) && d >= 0 && d <= 0xffffffff)).toBe(true);
        try {
          expect(micInput(input)).toHaveLength(input.length - 4);
        } catch (e) {
          if (!(e instanceof LorawanError)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('fuzz: decodeJoinAcceptPlaintext returns or throws LorawanError, and round-trips', () => {
    const input = fc.oneof(
      buf(0, 40),
      fc
        .tuple(fc.constantFrom(16, 32), buf(16, 32))
        .chain(([n]) => buf(n, n).map((b) => Buffer.concat([Buffer.of(0x20), b]))),
    );
    fc.assert(
      fc.property(input, (b) => {
        let ja: JoinAcceptPlaintext;
        try {
          ja = decodeJoinAcceptPlaintext(b);
        } catch (e) {
          if (!(e instanceof LorawanError)) throw e;
          return;
        }
        expect(encodeJoinAcceptPlaintext(ja).equals(b)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('join-accept plaintext: encode → decode is the identity', () => {
    const arb: fc.Arbitrary<JoinAcceptPlaintext> = fc.record({
      mhdrRfu: rfu,
      joinNonce: u24,
      netId: u24,
      devAddr: u32,
      dlSettings: fc.record({
        optNeg: fc.boolean(),
        rx1DrOffset: fc.integer({ min: 0, max: 7 }),
        rx2DataRate: fc.integer({ min: 0, max: 15 }),
      }),
      rxDelay: fc.integer({ min: 0, max: 15 }),
      cfList: fc.option(buf(16, 16), { nil: undefined }),
      mic: buf(4, 4),
    });
    fc.assert(
      fc.property(arb, (ja) => {
        const wire = encodeJoinAcceptPlaintext(ja);
        expect(wire).toHaveLength(ja.cfList ? 33 : 17);
        expect(decodeJoinAcceptPlaintext(wire)).toEqual(ja);
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against lora-packet (npm, independent implementation; test-only oracle)
// ---------------------------------------------------------------------------------------------

const LP_MTYPE: Record<number, string> = {
  [MType.JoinRequest]: 'Join Request',
  [MType.UnconfirmedDataUp]: 'Unconfirmed Data Up',
  [MType.UnconfirmedDataDown]: 'Unconfirmed Data Down',
  [MType.ConfirmedDataUp]: 'Confirmed Data Up',
  [MType.ConfirmedDataDown]: 'Confirmed Data Down',
};

const devAddrHex = (n: number): string => n.toString(16).padStart(8, '0');

describe('cross-check with lora-packet', () => {
  it('lora-packet fromWire reads our data frames the same way', () => {
    fc.assert(
      fc.property(fc.oneof(dataUp, dataDown), (p) => {
        const lp = loraPacket.fromWire(encodePhyPayload(p));
        const uplink = isUplink(p.mType);
        expect(lp.getMType()).toBe(LP_MTYPE[p.mType]);
        expect(lp.getDir()).toBe(uplink ? 'up' : 'down');
        expect(lp.DevAddr!.toString('hex')).toBe(devAddrHex(p.devAddr));
        expect(lp.getFCnt()).toBe(p.fCnt);
        expect(lp.getFCtrlADR()).toBe(p.fCtrl.adr);
        expect(lp.getFCtrlACK()).toBe(p.fCtrl.ack);
        if (uplink) {
          const f = (p as DataUpFrame).fCtrl;
          expect(lp.getFCtrlADRACKReq()).toBe(f.adrAckReq);
          expect(lp.getFCtrlFPending()).toBe(f.classB); // lora-packet names bit 4 FPending in both directions
        } else {
          expect(lp.getFCtrlFPending()).toBe((p as DataDownFrame).fCtrl.fPending);
          expect(lp.getFCtrlADRACKReq()).toBe(false);
        }
        expect(lp.FOpts!.toString('hex')).toBe(p.fOpts.toString('hex'));
        expect(lp.getFPort()).toBe(p.fPort ?? null);
        expect(lp.FRMPayload!.toString('hex')).toBe((p.frmPayload ?? Buffer.alloc(0)).toString('hex'));
        expect(lp.MIC!.toString('hex')).toBe(p.mic.toString('hex'));
      }),
      { numRuns: 400 },
    );
  });

  it('we read lora-packet fromFields data frames the same way', () => {
    const fields = fc.record({
      mType: fc.constantFrom(
        MType.UnconfirmedDataUp,
        MType.ConfirmedDataUp,
        MType.UnconfirmedDataDown,
        MType.ConfirmedDataDown,
      ),
      devAddr: buf(4, 4),
      fCnt: u16,
      fOpts: buf(0, 15),
      adr: fc.boolean(),
      adrAckReq: fc.boolean(),
      ack: fc.boolean(),
      bit4: fc.boolean(),
      fPort: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      payload: buf(0, 250),
    });
    fc.assert(
      fc.property(fields, (f) => {
        const uplink = isUplink(f.mType);
        const lp = loraPacket.fromFields({
          MType: f.mType,
          DevAddr: f.devAddr,
          FCnt: f.fCnt,
          FOpts: f.fOpts,
          FCtrl: { ADR: f.adr, ADRACKReq: uplink && f.adrAckReq, ACK: f.ack, FPending: f.bit4 },
          FPort: f.fPort,
          payload: f.payload,
        });
        const wire = lp.getPHYPayload() as Buffer;
        // lora-packet puts FPort 1 in front of a non-empty payload when no FPort is given.
        const fPort = f.fPort ?? (f.payload.length > 0 ? 1 : undefined);
        const len = 1 + 7 + f.fOpts.length + (fPort === undefined ? 0 : 1 + f.payload.length) + 4;
        expect(wire).toHaveLength(len);
        const code = codeOf(() => decodePhyPayload(wire));
        if (len > 255) return expect(code).toBe('TOO_LONG');
        if (fPort === 0 && f.fOpts.length > 0) return expect(code).toBe('BAD_FOPTS');
        const p = decodePhyPayload(wire) as DataFrame;
        const fCtrl = uplink
          ? { adr: f.adr, adrAckReq: f.adrAckReq, ack: f.ack, classB: f.bit4, fOptsLen: f.fOpts.length }
          : { adr: f.adr, ack: f.ack, fPending: f.bit4, fOptsLen: f.fOpts.length };
        expect(p).toEqual({
          mType: f.mType,
          devAddr: f.devAddr.readUInt32BE(0),
          fCtrl,
          fCnt: f.fCnt,
          fOpts: f.fOpts,
          fPort,
          frmPayload: fPort === undefined ? undefined : f.payload,
          mic: hex('eeeeeeee'), // lora-packet's placeholder MIC when no key is given
        });
        expect(encodePhyPayload(p).equals(wire)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('join-requests agree in both directions', () => {
    const jr: fc.Arbitrary<JoinRequestFrame> = fc.record({
      mType: fc.constant(MType.JoinRequest as const),
      joinEui: buf(8, 8),
      devEui: buf(8, 8),
      devNonce: u16,
      mic: buf(4, 4),
    });
    fc.assert(
      fc.property(jr, (p) => {
        // ours → lora-packet
        const lp = loraPacket.fromWire(encodePhyPayload(p));
        expect(lp.getMType()).toBe('Join Request');
        expect(lp.AppEUI!.toString('hex')).toBe(p.joinEui.toString('hex'));
        expect(lp.DevEUI!.toString('hex')).toBe(p.devEui.toString('hex'));
        expect(lp.DevNonce!.readUInt16BE(0)).toBe(p.devNonce);
        expect(lp.MIC!.toString('hex')).toBe(p.mic.toString('hex'));
        // lora-packet → ours (its fields are in printed order; DevNonce big-endian printed)
        const devNonce = Buffer.alloc(2);
        devNonce.writeUInt16BE(p.devNonce, 0);
        const wire = loraPacket
          .fromFields({ MType: 'Join Request', AppEUI: p.joinEui, DevEUI: p.devEui, DevNonce: devNonce })
          .getPHYPayload() as Buffer;
        expect(decodePhyPayload(wire)).toEqual({ ...p, mic: hex('eeeeeeee') });
      }),
      { numRuns: 300 },
    );
  });
});
