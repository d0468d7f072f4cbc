import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { decryptFrmPayload, encryptFrmPayload, wrapKey } from '@lns/lorawan';
import { TEST_AS_PRIVATE_KEY } from './test-key.fixture';
import { TunnelApplication, TunnelUpEvent } from './tunnel-application';

const code = (c: string) => expect.objectContaining({ name: 'AsClientError', code: c });
const DEV_EUI = '0102030405060708';

/** The server's half, as libs/application and the join server do it: ASTK under RSA-OAEP, AppSKey under RFC 3394. */
function transportKey(kekLabel: string) {
  const astk = randomBytes(16);
  const wrappedKey = publicEncrypt(
    {
      key: createPublicKey(TEST_AS_PRIVATE_KEY),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    astk,
  ).toString('base64');
  return { astk, answer: { kekLabel, wrappedKey } };
}

function session(astk: Buffer, kekLabel: string, sessionKeyId: string, devAddr: number) {
  const appSKey = randomBytes(16);
  const joinServerContext = {
    sessionKeyId,
    appSKey: { kekLabel, aesKey: wrapKey({ kek: astk, key: appSKey }).toString('base64') },
  };
  const up = (fCnt: number, payload: string): TunnelUpEvent => ({
    deviceInfo: { devEui: DEV_EUI },
    devAddr: devAddr.toString(16).padStart(8, '0'),
    fCnt,
    fPort: 5,
    data: encryptFrmPayload({
      key: appSKey,
      uplink: true,
      devAddr,
      fCnt,
      payload: Buffer.from(payload),
    }).toString('base64'),
    joinServerContext,
  });
  const join = {
    deviceInfo: { devEui: DEV_EUI },
    devAddr: devAddr.toString(16).padStart(8, '0'),
    joinServerContext,
  };
  return { appSKey, up, join, devAddr };
}

describe('TunnelApplication', () => {
  it('decrypts up events with the ASTK of their KEK label, across a key rotation', () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    const k1 = transportKey('astk-1');
    const k2 = transportKey('astk-2');
    as.addTransportKey(k1.answer);
    as.addTransportKey(k2.answer);
    const old = session(k1.astk, 'astk-1', 'sk-1', 0x26000001);
    const fresh = session(k2.astk, 'astk-2', 'sk-2', 0x26000002);
    expect(as.decryptUp(old.up(7, 'under the first key'))).toEqual({
      devEui: DEV_EUI,
      devAddr: '26000001',
      fCnt: 7,
      fPort: 5,
      payload: Buffer.from('under the first key'),
      sessionKeyId: 'sk-1',
    });
    expect(as.decryptUp(fresh.up(0, 'under the second')).payload?.toString()).toBe('under the second');
    expect(as.hasTransportKey('astk-1')).toBe(true);
  });

  it('unwraps once per session: the cached AppSKey serves later uplinks even after the ASTK is removed', () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    const k = transportKey('astk-c');
    as.addTransportKey(k.answer);
    const s = session(k.astk, 'astk-c', 'sk-c', 0x26000003);
    as.handleJoin(s.join);
    expect(as.removeTransportKey('astk-c')).toBe(true);
    expect(as.decryptUp(s.up(1, 'cached')).payload?.toString()).toBe('cached');
    // Another session under the removed label cannot be opened.
    const other = session(k.astk, 'astk-c', 'sk-d', 0x26000004);
    expect(() => as.decryptUp(other.up(0, 'x'))).toThrow(code('UNKNOWN_KEK_LABEL'));
  });

  it('does not trust a cached id whose envelope changed, and drops the least recently used sessions', () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY, maxSessions: 1 });
    const k = transportKey('astk-l');
    as.addTransportKey(k.answer);
    const a = session(k.astk, 'astk-l', 'same-id', 0x26000005);
    const b = session(k.astk, 'astk-l', 'same-id', 0x26000006);
    expect(as.decryptUp(a.up(0, 'a')).payload?.toString()).toBe('a');
    expect(as.decryptUp(b.up(0, 'b')).payload?.toString()).toBe('b');
    as.removeTransportKey('astk-l');
    // Only b's key is left in a cache of one.
    expect(as.decryptUp(b.up(1, 'b again')).payload?.toString()).toBe('b again');
    expect(() => as.decryptUp(a.up(1, 'a again'))).toThrow(code('UNKNOWN_KEK_LABEL'));
  });

  it("encrypts a downlink for the device's latest session, which the device decrypts", () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    const k = transportKey('astk-d');
    as.addTransportKey(k.answer);
    expect(() =>
      as.encryptDownlink({ devEui: DEV_EUI, fPort: 3, payload: Buffer.from('x'), fCntDown: 0 }),
    ).toThrow(code('UNKNOWN_DEVICE'));
    const first = session(k.astk, 'astk-d', 'sk-1', 0x26000007);
    as.decryptUp(first.up(0, 'hello'));
    const rejoined = session(k.astk, 'astk-d', 'sk-2', 0x26000008);
    expect(as.handleJoin(rejoined.join)).toEqual({
      devEui: DEV_EUI,
      devAddr: '26000008',
      sessionKeyId: 'sk-2',
    });
    const down = as.encryptDownlink({
      devEui: DEV_EUI.toUpperCase(),
      fPort: 3,
      payload: Buffer.from('open'),
      fCntDown: 4,
    });
    expect(down).toMatchObject({ fPort: 3, fCntDown: 4, isEncrypted: true });
    const onDevice = decryptFrmPayload({
      key: rejoined.appSKey,
      uplink: false,
      devAddr: rejoined.devAddr,
      fCnt: 4,
      payload: Buffer.from(down.data, 'base64'),
    });
    expect(onDevice.toString()).toBe('open');
  });

  it('passes frames without payload through, and refuses data without joinServerContext', () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    const macOnly = { deviceInfo: { devEui: DEV_EUI }, devAddr: '26000009', fCnt: 3 };
    expect(as.decryptUp(macOnly)).toEqual({
      devEui: DEV_EUI,
      devAddr: '26000009',
      fCnt: 3,
      sessionKeyId: '',
    });
    expect(() => as.decryptUp({ ...macOnly, fPort: 1, data: 'AQID' })).toThrow(code('NO_SESSION_KEY'));
    expect(() => as.handleJoin({ deviceInfo: { devEui: DEV_EUI }, devAddr: '26000009' })).toThrow(
      code('NO_SESSION_KEY'),
    );
    expect(() => as.decryptUp({ ...macOnly, deviceInfo: { devEui: 'xyz' } })).toThrow(/deviceInfo.devEui/);
  });

  it('refuses a transport key for another AS at once, and bad options', () => {
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    expect(() =>
      as.addTransportKey({ kekLabel: 'x', wrappedKey: randomBytes(256).toString('base64') }),
    ).toThrow(code('UNWRAP_FAILED'));
    expect(() => as.addTransportKey({ kekLabel: '', wrappedKey: 'AAAA' })).toThrow(/kekLabel/);
    expect(() => new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY, maxSessions: 0 })).toThrow(
      /maxSessions/,
    );
    expect(() => new TunnelApplication({ privateKey: 'x' })).toThrow(code('BAD_PRIVATE_KEY'));
  });
});
