import { JoinAnswerSuccess, JoinRequest } from '../join/join-request';
import { readJoinReq, writeJoinAnsSession, writeJoinReq } from './join-messages';
import { Ts002FieldError } from './ts002-fields';

const hex = (s: string) => Buffer.from(s, 'hex');
const PHY = hex('00010000d07ed5b37030051c000ba3040002014490ce9b');
const KEK = { kekLabel: 'ns-000013', kek: hex('000102030405060708090a0b0c0d0e0f') };

const REQ: JoinRequest = {
  phyPayload: PHY,
  macVersion: '1.0.4',
  devEui: '0004a30b001c0530',
  devAddr: 0x26011bda,
  dlSettings: { optNeg: false, rx1DrOffset: 1, rx2DataRate: 3 },
  rxDelay: 1,
  cfList: hex('184f84e85684b85e84886684586e8400'),
  netId: 0x13,
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof Ts002FieldError) return e.field;
    throw e;
  }
  return undefined;
}

describe('JoinReq fields', () => {
  it('writes ChirpStack JoinReqPayload fields: lowercase hex, DevAddr big-endian, DLSettings one octet', () => {
    expect(writeJoinReq(REQ)).toEqual({
      MACVersion: '1.0.4',
      PHYPayload: '00010000d07ed5b37030051c000ba3040002014490ce9b',
      DevEUI: '0004a30b001c0530',
      DevAddr: '26011bda',
      DLSettings: '13',
      RxDelay: 1,
      CFList: '184f84e85684b85e84886684586e8400',
    });
    const { cfList: _none, ...noCfList } = REQ;
    expect(writeJoinReq(noCfList)).not.toHaveProperty('CFList');
  });

  it('reads back what it writes; the NetID is the SenderID', () => {
    const body = writeJoinReq(REQ) as unknown as Record<string, unknown>;
    expect(readJoinReq(body, '000013')).toEqual(REQ);
    expect(readJoinReq({ ...body, DevEUI: '0004A30B001C0530', CFList: '' }, 'C00053')).toEqual({
      ...REQ,
      cfList: undefined,
      netId: 0xc00053,
    });
  });

  it('names each malformed field', () => {
    const body = writeJoinReq(REQ) as unknown as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>, string, string?]> = [
      [{ DevEUI: undefined }, 'DevEUI'],
      [{ DevEUI: '0004a30b001c05' }, 'DevEUI'],
      [{ PHYPayload: '' }, 'PHYPayload'],
      [{ PHYPayload: 'xyz' }, 'PHYPayload'],
      [{ DevAddr: '011bda' }, 'DevAddr'],
      [{ DLSettings: '0102' }, 'DLSettings'],
      [{ RxDelay: 16 }, 'RxDelay'],
      [{ RxDelay: '1' }, 'RxDelay'],
      [{ CFList: '00' }, 'CFList'],
      [{ MACVersion: '' }, 'MACVersion'],
      [{}, 'SenderID', '70b3d57ed0000001'],
    ];
    for (const [over, field, sender] of cases) {
      expect(fieldOf(() => readJoinReq({ ...body, ...over }, sender ?? '000013'))).toBe(field);
    }
  });
});

describe('JoinAns session fields', () => {
  const base = {
    result: 'Success' as const,
    phyPayload: hex('20' + '00'.repeat(16)),
    optNeg: false,
    sessionKeyId: '0a0b0c0d',
    joinNonce: 1,
    devNonce: 2,
  };
  const k = (n: number) => Buffer.alloc(16, n);

  it('1.0.x: NwkSKey and AppSKey, in clear without a KEK', () => {
    const a: JoinAnswerSuccess = { ...base, keys: { nwkSKey: k(1), appSKey: k(2) } };
    expect(writeJoinAnsSession(a)).toEqual({
      PHYPayload: '20' + '00'.repeat(16),
      NwkSKey: { KEKLabel: '', AESKey: k(1).toString('hex') },
      AppSKey: { KEKLabel: '', AESKey: k(2).toString('hex') },
      SessionKeyID: '0a0b0c0d',
    });
  });

  it('1.1: the three network keys wrapped under the NS KEK; the AppSKey envelope as the JS sealed it', () => {
    const a: JoinAnswerSuccess = {
      ...base,
      optNeg: true,
      keys: { fNwkSIntKey: k(1), sNwkSIntKey: k(2), nwkSEncKey: k(3) },
      appSKeyEnvelope: { kekLabel: 'astk-1', aesKey: 'ab'.repeat(24) },
      lifetime: 3600,
    };
    const out = writeJoinAnsSession(a, KEK);
    expect(Object.keys(out).sort()).toEqual(
      [
        'AppSKey',
        'FNwkSIntKey',
        'Lifetime',
        'NwkSEncKey',
        'PHYPayload',
        'SNwkSIntKey',
        'SessionKeyID',
      ].sort(),
    );
    for (const f of ['FNwkSIntKey', 'SNwkSIntKey', 'NwkSEncKey'] as const) {
      expect(out[f]).toMatchObject({
        KEKLabel: 'ns-000013',
        AESKey: expect.stringMatching(/^[0-9a-f]{48}$/),
      });
    }
    expect(out.AppSKey).toEqual({ KEKLabel: 'astk-1', AESKey: 'ab'.repeat(24) });
    expect(out.Lifetime).toBe(3600);
  });
});
