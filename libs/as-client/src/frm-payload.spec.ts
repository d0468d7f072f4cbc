import fc from 'fast-check';
import { decryptFrmPayload } from '@lns/lorawan';
import { decryptUplink, encryptDownlink } from './frm-payload';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const code = (c: string) => expect.objectContaining({ name: 'AsClientError', code: c });

describe('decryptUplink / encryptDownlink (L11 §4.3.3)', () => {
  it('decrypts an uplink: lora-packet vector, as an up event gives it (hex DevAddr, base64 data)', () => {
    // vector: lora-packet __tests__/decrypt_test.ts "should decrypt test payload" (also in libs/lorawan encryption.spec.ts)
    const out = decryptUplink({
      appSKey: hex('ec925802ae430ca77fd3dd73cb2cc588'),
      devAddr: '49be7df1',
      fCnt: 2,
      data: hex('95437876').toString('base64'),
    });
    expect(out.toString()).toBe('test');
  });

  it('decrypts the 3-block lora-packet uplink with a numeric DevAddr and bytes', () => {
    // vector: lora-packet __tests__/decrypt_test.ts "should decrypt large payload"
    const phy = hex(
      '40f17dbe490004000155332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad30075293f28dea8a20af3c5e7',
    );
    const out = decryptUplink({
      appSKey: hex('ec925802ae430ca77fd3dd73cb2cc588'),
      devAddr: 0x49be7df1,
      fCnt: 4,
      data: phy.subarray(9, -4),
    });
    expect(out.toString()).toBe('The quick brown fox jumps over the lazy dog.');
  });

  it('encrypts a downlink into the queue body: TTS and brocaar vectors', () => {
    // vector: TheThingsNetwork/lorawan-stack pkg/crypto/data_messages_test.go TestUplinkDownlinkEncryption
    expect(
      encryptDownlink({
        appSKey: Buffer.alloc(16, 1),
        devAddr: '01020304',
        fCntDown: 1,
        fPort: 10,
        payload: hex('01020304'),
      }),
    ).toEqual({ fPort: 10, data: hex('4e75f440').toString('base64'), fCntDown: 1, isEncrypted: true });
    // vector: brocaar/lorawan phypayload_test.go ExamplePHYPayload_lorawan11EncryptedFoptsEncode (AFCntDown 0)
    const b = encryptDownlink({
      appSKey: hex('100f0e0d0c0b0a090807060504030201'),
      devAddr: 0x01020304,
      fCntDown: 0,
      fPort: 1,
      payload: new Uint8Array([1, 2, 3, 4]),
    });
    expect(Buffer.from(b.data, 'base64').toString('hex')).toBe('f0b468dd');
  });

  it('matches what the device decrypts with the same 32-bit counter (any key, DevAddr, counter)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ minLength: 0, maxLength: 51 }),
        (key, devAddr, fCnt, payload) => {
          const appSKey = Buffer.from(key);
          const down = encryptDownlink({ appSKey, devAddr, fCntDown: fCnt, fPort: 2, payload });
          expect(down.fCntDown).toBe(fCnt);
          const onDevice = decryptFrmPayload({
            key: appSKey,
            uplink: false,
            devAddr,
            fCnt,
            payload: Buffer.from(down.data, 'base64'),
          });
          expect(onDevice).toEqual(Buffer.from(payload));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses bad keys, counters, ports, DevAddrs and encodings', () => {
    const p = { appSKey: Buffer.alloc(16), devAddr: '01020304', fCnt: 0, data: 'AQID' };
    expect(() => decryptUplink({ ...p, appSKey: Buffer.alloc(8) })).toThrow(code('BAD_INPUT'));
    expect(() => decryptUplink({ ...p, appSKey: 'ec925802ae430ca77fd3dd73cb2cc588' as never })).toThrow(
      code('BAD_INPUT'),
    );
    expect(() => decryptUplink({ ...p, devAddr: '0102030' })).toThrow(/devAddr/);
    expect(() => decryptUplink({ ...p, fCnt: -1 })).toThrow(/fCnt/);
    expect(() => decryptUplink({ ...p, fCnt: 2 ** 32 })).toThrow(/fCnt/);
    expect(() => decryptUplink({ ...p, data: 'A*ID' })).toThrow(/data: expected base64/);
    expect(() => decryptUplink({ ...p, data: Buffer.alloc(256) })).toThrow(/at most 255/);
    const d = { appSKey: Buffer.alloc(16), devAddr: 1, fCntDown: 0, fPort: 1, payload: Buffer.from('x') };
    expect(() => encryptDownlink({ ...d, fPort: 0 })).toThrow(/fPort: expected 1..223/);
    expect(() => encryptDownlink({ ...d, fPort: 224 })).toThrow(code('BAD_INPUT'));
    expect(() => encryptDownlink({ ...d, fCntDown: 1.5 })).toThrow(/fCntDown/);
    expect(() => encryptDownlink({ ...d, payload: 'dGVzdA==' as never })).toThrow(
      /payload: expected a Buffer/,
    );
  });
});
