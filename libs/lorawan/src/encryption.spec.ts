import fc from 'fast-check';
import loraPacket from 'lora-packet';
import { decryptFOpts as lpDecryptFOpts } from 'lora-packet/out/lib/crypto';
import {
  decryptFOpts,
  decryptFrmPayload,
  decryptJoinAccept,
  encryptFOpts,
  encryptFrmPayload,
  encryptJoinAccept,
  FOptsCounter,
} from './encryption';
import { aes128EncryptBlocks } from './cmac';
import { computeJoinRequestMic } from './mic';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const fill = (v: number, last?: number): Buffer => {
  const b = Buffer.alloc(16, v);
  if (last !== undefined) b[15] = last;
  return b;
};
const code = (c: string) => expect.objectContaining({ name: 'LorawanError', code: c });
const key16 = () => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));

describe('encryptFrmPayload / decryptFrmPayload (L11 §4.3.3)', () => {
  it('matches TTS EncryptUplink / EncryptDownlink', () => {
    // vector: TheThingsNetwork/lorawan-stack pkg/crypto/data_messages_test.go TestUplinkDownlinkEncryption
    const p = { key: fill(1), devAddr: 0x01020304, fCnt: 1 };
    expect(encryptFrmPayload({ ...p, uplink: true, payload: hex('01020304') }).toString('hex')).toBe(
      'cff30b4e',
    );
    expect(decryptFrmPayload({ ...p, uplink: true, payload: hex('cff30b4e') }).toString('hex')).toBe(
      '01020304',
    );
    expect(encryptFrmPayload({ ...p, uplink: false, payload: hex('01020304') }).toString('hex')).toBe(
      '4e75f440',
    );
    expect(decryptFrmPayload({ ...p, uplink: false, payload: hex('4e75f440') }).toString('hex')).toBe(
      '01020304',
    );
  });

  it.each([
    // vector: lora-packet __tests__/decrypt_test.ts "should decrypt test payload"
    ['95437876', 'ec925802ae430ca77fd3dd73cb2cc588', 2, 'test'],
    // vector: lora-packet __tests__/decrypt_test.ts "should decrypt large payload" (3 blocks)
    [
      hex(
        '40f17dbe490004000155332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad30075293f28dea8a20af3c5e7',
      )
        .subarray(9, -4)
        .toString('hex'),
      'ec925802ae430ca77fd3dd73cb2cc588',
      4,
      'The quick brown fox jumps over the lazy dog.',
    ],
    // vector: lora-packet __tests__/decrypt_test.ts "bad data lightly scrambles payload"
    ['95447876', 'ec925802ae430ca77fd3dd73cb2cc588', 2, 'tbst'],
  ])('lora-packet vector: %s', (enc, key, fCnt, text) => {
    const out = decryptFrmPayload({
      key: hex(key),
      uplink: true,
      devAddr: 0x49be7df1,
      fCnt,
      payload: hex(enc),
    });
    expect(out.toString()).toBe(text);
  });

  it('lora-packet vector: a wrong key scrambles the payload', () => {
    // vector: lora-packet __tests__/decrypt_test.ts "bad key scrambles payload"
    const key = hex('ec925802ae430ca77fd3dd73cb2cc580');
    const out = decryptFrmPayload({
      key,
      uplink: true,
      devAddr: 0x49be7df1,
      fCnt: 2,
      payload: hex('95437876'),
    });
    expect(out.toString('hex')).toBe('5999fc3f');
  });

  it.each([
    // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadMACPayloadLoRaWAN10 "FRMPayload data"
    [fill(1), true, 1, 'a694642615', Buffer.from('hello').toString('hex')],
    // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadMACPayloadLoRaWAN10 "Mac-commands in FOpts"
    [fill(1), true, 0, '6a3798f5', '01020304'],
    // vector: brocaar/lorawan phypayload_test.go "Mac-commands in FRMPayload" (FPort 0: LinkCheckReq, LinkADRAns)
    [fill(1), true, 0, '69369e', '020305'],
    // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan10Encode
    [hex('100f0e0d0c0b0a090807060504030201'), true, 0, 'e264d4f7', '01020304'],
    // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan11EncryptedFoptsEncode (downlink, AFCntDown 0)
    [hex('100f0e0d0c0b0a090807060504030201'), false, 0, 'f0b468dd', '01020304'],
  ])('brocaar vector %#', (key, uplink, fCnt, enc, plain) => {
    const p = { key, uplink, devAddr: 0x01020304, fCnt };
    expect(decryptFrmPayload({ ...p, payload: hex(enc) }).toString('hex')).toBe(plain);
    expect(encryptFrmPayload({ ...p, payload: hex(plain) }).toString('hex')).toBe(enc);
  });

  // vector: chirpstack lrwn/src/phy_payload.rs "LoRaWAN 1.0.x Relay ForwardUplinkReq example" (FPort 226):
  // FRMPayload = metadata(3) | frequency(3, 868.1 MHz / 100, LE) | the end-device join-request, whose MIC
  // is under AppKey 0102030405060708×2
  const relayUp = hex(
    '40 04030201 00 0a00 e2 2f68f4a50adffb64ef37910f146a6c2bda4f7e2db96ac899a8a4727d0a bdc9ae51',
  );
  // vector: chirpstack lrwn/src/phy_payload.rs "LoRaWAN 1.0.x Relay ForwardDownlinkReq example": FRMPayload =
  // the encrypted join-accept of the "LoRaWAN 1.0.x Join-accept example"
  const relayDown = hex('60 04030201 00 0a00 e2 c9604164c97d76f9ea8e1a792ba0879b85 243e5af5');
  const relayKey = hex('08070605040302010807060504030201');

  it('decrypts a 2-block uplink: chirpstack relay ForwardUplinkReq carrying a join-request', () => {
    const payload = relayUp.subarray(9, relayUp.length - 4);
    const plain = decryptFrmPayload({ key: relayKey, uplink: true, devAddr: 0x01020304, fCnt: 10, payload });
    expect(plain).toHaveLength(29);
    expect(plain.subarray(3, 6).toString('hex')).toBe('287684');
    const joinRequest = plain.subarray(6);
    expect(joinRequest.subarray(0, 19).toString('hex')).toBe('00' + '01'.repeat(8) + '02'.repeat(8) + '0303');
    const mic = computeJoinRequestMic({
      key: hex('01020304050607080102030405060708'),
      msg: joinRequest.subarray(0, 19),
    });
    expect(joinRequest.subarray(19).toString('hex')).toBe(mic.toString('hex'));
  });

  it('decrypts a 2-block downlink: chirpstack relay ForwardDownlinkReq carrying a join-accept', () => {
    const payload = relayDown.subarray(9, relayDown.length - 4);
    const plain = decryptFrmPayload({ key: relayKey, uplink: false, devAddr: 0x01020304, fCnt: 10, payload });
    expect(plain.toString('hex')).toBe('2023cf335489aae3183c0be0baa8dee5f3');
  });

  it('uses the full 32-bit FCnt and leaves its input alone', () => {
    const payload = hex('0102030405060708090a0b0c0d0e0f1011');
    const copy = Buffer.from(payload);
    const p = { key: fill(1), uplink: true, devAddr: 1, payload };
    const lo = encryptFrmPayload({ ...p, fCnt: 0x0001 });
    const hi = encryptFrmPayload({ ...p, fCnt: 0x10001 });
    expect(lo.equals(hi)).toBe(false);
    expect(payload.equals(copy)).toBe(true);
    expect(lo).toHaveLength(17);
    expect(encryptFrmPayload({ ...p, fCnt: 1, payload: Buffer.alloc(0) })).toHaveLength(0);
  });

  it('XORs the A_1 … A_16 blocks of the spec text into a 255-byte payload (the longest; beyond lora-packet)', () => {
    const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
    const payload = Buffer.from(Array.from({ length: 255 }, (_, i) => (i * 7) & 0xff));
    for (const uplink of [true, false]) {
      // A_i = 0x01 | 4 × 0x00 | Dir | DevAddr (LE) | FCnt (LE) | 0x00 | i, each encrypted on its own.
      const blocks = Array.from({ length: 16 }, (_, k) =>
        Buffer.from([
          1,
          0,
          0,
          0,
          0,
          uplink ? 0 : 1,
          0x01,
          0x00,
          0x00,
          0xfe,
          0xff,
          0xff,
          0x01,
          0x00,
          0,
          k + 1,
        ]),
      );
      const s = aes128EncryptBlocks(key, Buffer.concat(blocks));
      const expected = Buffer.from(payload.map((byte, i) => byte ^ s[i]));
      const p = { key, uplink, devAddr: 0xfe000001, fCnt: 0x0001ffff, payload };
      expect(encryptFrmPayload(p).toString('hex')).toBe(expected.toString('hex'));
      expect(decryptFrmPayload({ ...p, payload: expected }).equals(payload)).toBe(true);
    }
  });

  it('agrees with lora-packet decrypt on random frames (FPort 0 → NwkSKey, else AppSKey; 32-bit FCnt)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 1, maxLength: 242 }),
        key16(),
        key16(),
        (uplink, devAddr, fCnt, fPort, payloadArr, appSKey, nwkSKey) => {
          const payload = Buffer.from(payloadArr);
          const fhdr = Buffer.alloc(7);
          fhdr.writeUInt32LE(devAddr, 0);
          fhdr.writeUInt16LE(fCnt & 0xffff, 5);
          const phy = Buffer.concat([
            Buffer.from([uplink ? 0x40 : 0x60]),
            fhdr,
            Buffer.from([fPort]),
            payload,
            Buffer.alloc(4),
          ]);
          const msb = Buffer.from([(fCnt >>> 16) & 0xff, fCnt >>> 24]);
          const expected = loraPacket.decrypt(loraPacket.fromWire(phy), appSKey, nwkSKey, msb);
          const key = fPort === 0 ? nwkSKey : appSKey;
          expect(decryptFrmPayload({ key, uplink, devAddr, fCnt, payload }).toString('hex')).toBe(
            expected.toString('hex'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad keys, fields and lengths', () => {
    const p = { key: fill(1), uplink: true, devAddr: 1, fCnt: 1, payload: Buffer.alloc(4) };
    expect(() => encryptFrmPayload({ ...p, key: Buffer.alloc(24) })).toThrow(code('BAD_KEY'));
    expect(() => encryptFrmPayload({ ...p, fCnt: -1 })).toThrow(code('BAD_FIELD'));
    expect(() => encryptFrmPayload({ ...p, devAddr: 2 ** 32 })).toThrow(code('BAD_FIELD'));
    expect(() => encryptFrmPayload({ ...p, payload: Buffer.alloc(256) })).toThrow(code('TOO_LONG'));
  });
});

describe('encryptFOpts / decryptFOpts (L11 §4.3.1.6 with the FCntDwn erratum)', () => {
  it('NFCntDown: brocaar vector', () => {
    // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadMACPayloadLoRaWAN11 "Mac-commands in FOpts
    // (encrypted, using NFCntDown)": LinkCheckAns(margin 7, gwCnt 1) = 02 07 01, NwkSEncKey 02×15|04
    const p = { nwkSEncKey: fill(2, 4), counter: 'NFCntDown' as const, devAddr: 0x01020304, fCnt: 0 };
    expect(encryptFOpts({ ...p, fOpts: hex('020701') }).toString('hex')).toBe('dfb4f1');
    expect(decryptFOpts({ ...p, fOpts: hex('dfb4f1') }).toString('hex')).toBe('020701');
  });

  it('AFCntDown (downlink with FPort > 0): brocaar / chirpstack vector', () => {
    // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan11EncryptedFoptsEncode;
    // chirpstack lrwn/src/phy_payload.rs "LoRaWAN 1.1.x downlink with encrypted f_opts example";
    // lora-packet __tests__/fopts_test.ts. NwkSEncKey 01×14|02|00.
    const nwkSEncKey = hex('01010101010101010101010101010200');
    const p = { nwkSEncKey, counter: 'AFCntDown' as const, devAddr: 0x01020304, fCnt: 0 };
    expect(encryptFOpts({ ...p, fOpts: hex('020701') }).toString('hex')).toBe('22ac0a');
    expect(decryptFOpts({ ...p, fOpts: hex('22ac0a') }).toString('hex')).toBe('020701');
    // The erratum's identifier matters: the same frame under NFCntDown gives another keystream.
    expect(encryptFOpts({ ...p, counter: 'NFCntDown', fOpts: hex('020701') }).toString('hex')).not.toBe(
      '22ac0a',
    );
  });

  it('agrees with lora-packet decryptFOpts (erratum blocks) on random frames, all three counters', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<FOptsCounter>('FCntUp', 'NFCntDown', 'AFCntDown'),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ minLength: 1, maxLength: 15 }),
        key16(),
        (counter, devAddr, fCnt, fOptsArr, nwkSEncKey) => {
          const fOpts = Buffer.from(fOptsArr);
          const fhdr = Buffer.alloc(7);
          fhdr.writeUInt32LE(devAddr, 0);
          fhdr[4] = fOpts.length;
          fhdr.writeUInt16LE(fCnt & 0xffff, 5);
          // lora-packet picks AFCntDown for a downlink with FPort > 0
          const mhdr = counter === 'FCntUp' ? 0x40 : 0x60;
          const port = counter === 'AFCntDown' ? [1, 0xaa] : [];
          const phy = Buffer.concat([Buffer.from([mhdr]), fhdr, fOpts, Buffer.from(port), Buffer.alloc(4)]);
          const msb = Buffer.from([(fCnt >>> 16) & 0xff, fCnt >>> 24]);
          const expected = lpDecryptFOpts(loraPacket.fromWire(phy), nwkSEncKey, msb).toString('hex');
          expect(decryptFOpts({ nwkSEncKey, counter, devAddr, fCnt, fOpts }).toString('hex')).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects more than 15 bytes, unknown counters and bad keys', () => {
    const p = {
      nwkSEncKey: fill(1),
      counter: 'FCntUp' as const,
      devAddr: 1,
      fCnt: 1,
      fOpts: Buffer.alloc(3),
    };
    expect(() => encryptFOpts({ ...p, fOpts: Buffer.alloc(16) })).toThrow(code('TOO_LONG'));
    expect(() => encryptFOpts({ ...p, counter: 'FCntDown' as FOptsCounter })).toThrow(code('BAD_FIELD'));
    expect(() => encryptFOpts({ ...p, nwkSEncKey: Buffer.alloc(15) })).toThrow(code('BAD_KEY'));
    expect(encryptFOpts({ ...p, fOpts: Buffer.alloc(0) })).toHaveLength(0);
  });
});

describe('encryptJoinAccept / decryptJoinAccept (L11 §6.2.3)', () => {
  it.each([
    // vector: TheThingsNetwork/lorawan-stack pkg/crypto/join_messages_test.go TestJoinAcceptEncryption
    ['20 030201 030201 04030201 00 01 32f54ab3', '20 c9fbb259e11649096a568a9e3b7117c3', fill(1)],
    // vector: lora-packet __tests__/join_accept_encrypt.ts "should create join accept packet with zero value"
    ['20 000000 000000 00000000 00 00 f86f0a91', '20 e3de108795f776b8037610ef7869b5b3', fill(0)],
    // vector: brocaar/lorawan phypayload_test.go TestPHYPayloadJoinAccept
    [
      '20 c70b57 011122 80190302 00 00 43485bbc',
      '20493eeb51fba2116f810edb3742975142',
      hex('00112233445566778899aabbccddeeff'),
    ],
    // vector: chirpstack lrwn/src/phy_payload.rs "LoRaWAN 1.0.x Join-accept example"; brocaar ExamplePHYPayload_joinAcceptSend
    [
      '20 010101 020202 04030201 00 00 3449f212',
      '2023cf335489aae3183c0be0baa8dee5f3',
      hex('0102030405060708090a0b0c0d0e0f10'),
    ],
    // vector: chirpstack lrwn/src/phy_payload.rs "LoRaWAN 1.1.x Join-accept example" (OptNeg);
    // brocaar ExamplePHYPayload_lorawan11JoinAcceptSend; lora-packet __tests__/join_accept_encrypt.ts
    [
      '20 010101 020202 04030201 80 00 93ff9a3a',
      '207abeea06b02920f11c02d0348fcf1815',
      hex('0102030405060708090a0b0c0d0e0f10'),
    ],
  ])('%s', (clear, enc, key) => {
    expect(encryptJoinAccept({ key, phyPayload: hex(clear) }).toString('hex')).toBe(hex(enc).toString('hex'));
    expect(decryptJoinAccept({ key, phyPayload: hex(enc) }).toString('hex')).toBe(hex(clear).toString('hex'));
  });

  it('round-trips 17- and 33-byte join-accepts and matches lora-packet decryptJoinAccept', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(17, 33),
        fc.uint8Array({ minLength: 33, maxLength: 33 }),
        key16(),
        (len, raw, key) => {
          const clear = Buffer.from(raw).subarray(0, len);
          clear[0] = 0x20;
          const copy = Buffer.from(clear);
          const enc = encryptJoinAccept({ key, phyPayload: clear });
          expect(clear.equals(copy)).toBe(true);
          expect(enc[0]).toBe(0x20);
          expect(enc).toHaveLength(len);
          expect(decryptJoinAccept({ key, phyPayload: enc }).equals(clear)).toBe(true);
          expect(loraPacket.decryptJoinAccept(loraPacket.fromWire(enc), key).equals(clear)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects other lengths and bad keys', () => {
    expect(() => encryptJoinAccept({ key: fill(1), phyPayload: Buffer.alloc(16) })).toThrow(
      code('BAD_LENGTH'),
    );
    expect(() => decryptJoinAccept({ key: fill(1), phyPayload: Buffer.alloc(34) })).toThrow(
      code('BAD_LENGTH'),
    );
    expect(() => decryptJoinAccept({ key: Buffer.alloc(17), phyPayload: Buffer.alloc(17) })).toThrow(
      code('BAD_KEY'),
    );
  });
});
