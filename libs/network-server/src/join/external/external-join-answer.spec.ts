import { sealKeyEnvelope } from '@lns/join-server';
import { failureOfResult, JoinAnsContext, successFromJoinAns } from './external-join-answer';

const k = (n: number) => Buffer.alloc(16, n);
const NS_KEK = { kekLabel: 'ns-000013', kek: Buffer.alloc(16, 0xee) };
const ASTK = { kekLabel: 'astk-1', kek: Buffer.alloc(16, 0xaa) };
const ACCEPT = '20' + '11'.repeat(16);

const ctx = (over: Partial<JoinAnsContext> = {}): JoinAnsContext => ({
  joinServer: '"acme" (js-1)',
  kind: 'join',
  nsKek: NS_KEK,
  endToEnd: false,
  devNonce: 7,
  ...over,
});

const ans10 = (app: unknown, over: Record<string, unknown> = {}) => ({
  PHYPayload: ACCEPT,
  NwkSKey: sealKeyEnvelope(k(1), NS_KEK),
  AppSKey: app,
  SessionKeyID: 'AB01',
  ...over,
});

describe('JoinAns → session keys (network server side)', () => {
  it('1.0: opens the NwkSKey with our KEK, the AppSKey in clear or under our KEK', () => {
    for (const app of [sealKeyEnvelope(k(2)), sealKeyEnvelope(k(2), NS_KEK)]) {
      expect(successFromJoinAns(ans10(app, { Lifetime: 3600 }), ctx())).toEqual({
        result: 'Success',
        phyPayload: Buffer.from(ACCEPT, 'hex'),
        optNeg: false,
        keys: { nwkSKey: k(1), appSKey: k(2) },
        sessionKeyId: 'ab01',
        joinNonce: 0,
        devNonce: 7,
        lifetime: 3600,
      });
    }
  });

  it('1.1: the three network keys make an OptNeg session; they come together', () => {
    const a = {
      PHYPayload: ACCEPT,
      FNwkSIntKey: sealKeyEnvelope(k(1), NS_KEK),
      SNwkSIntKey: sealKeyEnvelope(k(2)),
      NwkSEncKey: sealKeyEnvelope(k(3), NS_KEK),
      AppSKey: sealKeyEnvelope(k(4)),
    };
    expect(successFromJoinAns(a, ctx())).toMatchObject({
      optNeg: true,
      keys: { fNwkSIntKey: k(1), sNwkSIntKey: k(2), nwkSEncKey: k(3), appSKey: k(4) },
      sessionKeyId: '',
    });
    const { NwkSEncKey: _gone, ...partial } = a;
    expect(successFromJoinAns(partial, ctx())).toMatchObject({
      result: 'Answer',
      code: 'JOIN_SERVER',
      description: expect.stringMatching(/FNwkSIntKey, SNwkSIntKey and NwkSEncKey come together$/),
    });
  });

  it('end-to-end: keeps the AppSKey wrapped for the application server (hex as sent, lowercase)', () => {
    const env = sealKeyEnvelope(k(2), ASTK);
    const out = successFromJoinAns(
      ans10({ KEKLabel: env.KEKLabel, AESKey: env.AESKey.toUpperCase() }),
      ctx({ endToEnd: true }),
    );
    expect(out).toMatchObject({
      result: 'Success',
      appSKeyEnvelope: { kekLabel: 'astk-1', aesKey: env.AESKey },
    });
    expect((out as { keys: object }).keys).not.toHaveProperty('appSKey');
    // The AS may fetch the AppSKey itself by SessionKeyID (AppSKeyReq).
    expect(successFromJoinAns(ans10(undefined), ctx({ endToEnd: true }))).toMatchObject({
      result: 'Success',
    });
  });

  it('end-to-end: refuses an AppSKey the network could read (in clear, or under our own KEK)', () => {
    const clear = successFromJoinAns(ans10(sealKeyEnvelope(k(2))), ctx({ endToEnd: true }));
    expect(clear).toMatchObject({ result: 'Answer', code: 'JOIN_SERVER', level: 'ERROR' });
    expect((clear as { description: string }).description).toMatch(/came in clear/);
    const ours = successFromJoinAns(ans10(sealKeyEnvelope(k(2), NS_KEK)), ctx({ endToEnd: true }));
    expect((ours as { description: string }).description).toMatch(
      /under this network server's KEK "ns-000013"/,
    );
    expect(successFromJoinAns(ans10(undefined, { SessionKeyID: '' }), ctx({ endToEnd: true }))).toMatchObject(
      {
        result: 'Answer',
      },
    );
  });

  it('plain application: refuses an AppSKey it cannot open, or none', () => {
    const foreign = successFromJoinAns(ans10(sealKeyEnvelope(k(2), ASTK)), ctx());
    expect((foreign as { description: string }).description).toMatch(
      /KEK "astk-1", which this network server does not hold/,
    );
    expect((successFromJoinAns(ans10(undefined), ctx()) as { description: string }).description).toMatch(
      /no AppSKey$/,
    );
  });

  it('says why keys do not open: unknown label, wrong KEK, malformed', () => {
    const why = (a: Record<string, unknown>, c = ctx()) =>
      (successFromJoinAns(a, c) as { description: string }).description;
    expect(why(ans10(sealKeyEnvelope(k(2)), { NwkSKey: sealKeyEnvelope(k(1), ASTK) }))).toMatch(
      /NwkSKey: wrapped under KEK "astk-1"/,
    );
    expect(
      why(
        ans10(sealKeyEnvelope(k(2)), {
          NwkSKey: sealKeyEnvelope(k(1), { kekLabel: 'ns-000013', kek: k(9) }),
        }),
      ),
    ).toMatch(/NwkSKey: does not unwrap with KEK "ns-000013"/);
    expect(why(ans10(sealKeyEnvelope(k(2)), { NwkSKey: undefined }))).toMatch(/no network session key/);
    expect(why(ans10(sealKeyEnvelope(k(2)), { PHYPayload: '2011' }))).toMatch(
      /^join-accept of join server "acme" \(js-1\) not used: PHYPayload/,
    );
    expect(why(ans10(sealKeyEnvelope(k(2)), { NwkSKey: 'x' }))).toMatch(/NwkSKey: expected a KeyEnvelope/);
    // Without a registered KEK, nothing wrapped opens.
    expect(why(ans10(sealKeyEnvelope(k(2)), {}), ctx({ nsKek: undefined }))).toMatch(
      /NwkSKey: wrapped under KEK "ns-000013", which is not known here/,
    );
  });
});

describe('JoinAns failure ResultCodes → log events', () => {
  it.each([
    ['MICFailed', 'OTAA', 'ERROR'],
    ['UnknownDevEUI', 'OTAA', 'ERROR'],
    ['JoinReqFailed', 'OTAA', 'WARNING'],
    ['UnknownSender', 'JOIN_SERVER', 'ERROR'],
    ['MalformedRequest', 'JOIN_SERVER', 'ERROR'],
    ['InvalidProtocolVersion', 'JOIN_SERVER', 'ERROR'],
    ['UnkownReceiver', 'JOIN_SERVER', 'ERROR'],
    ['Other', 'JOIN_SERVER', 'ERROR'],
  ])('%s → code %s, level %s', (resultCode, code, level) => {
    expect(failureOfResult(resultCode, 'why', ctx())).toEqual({
      result: resultCode,
      description: `join-request refused by join server "acme" (js-1): ${resultCode}: why`,
      code,
      level,
    });
  });

  it("an unknown ResultCode is the join server's trouble, said as such", () => {
    expect(failureOfResult('Nope', undefined, ctx({ kind: 'rejoin' }))).toEqual({
      result: 'Other',
      description: 'rejoin-request refused by join server "acme" (js-1): unknown ResultCode "Nope"',
      code: 'JOIN_SERVER',
      level: 'ERROR',
    });
  });
});
