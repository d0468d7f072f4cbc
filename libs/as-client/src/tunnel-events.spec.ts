import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { encryptFrmPayload, wrapKey } from '@lns/lorawan';
import { TEST_AS_PRIVATE_KEY } from './test-key.fixture';
import { TunnelApplication } from './tunnel-application';
import { parseJoinEvent, parseUpEvent } from './tunnel-events';

const code = (c: string, message: RegExp | string) =>
  expect.objectContaining({ name: 'AsClientError', code: c, message: expect.stringMatching(message) });
const DEV_EUI = '0102030405060708';
const DEV_ADDR = 0x26000001;

/** The server's side: an ASTK for the test AS, an AppSKey wrapped under it, and the JSON events it sends. */
function application() {
  const astk = randomBytes(16);
  const wrappedKey = publicEncrypt(
    {
      key: createPublicKey(TEST_AS_PRIVATE_KEY),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    astk,
  ).toString('base64');
  const appSKey = randomBytes(16);
  const joinServerContext = {
    sessionKeyId: '0a1b2c3d',
    appSKey: {
      kekLabel: 'astk-0123456789abcdef',
      aesKey: wrapKey({ kek: astk, key: appSKey }).toString('base64'),
    },
  };
  const deviceInfo = { applicationId: 'app', devEui: DEV_EUI, deviceName: 'meter', tags: {} };
  // As libs/network-server builds them (ChirpStack v4 field names), fields the tunnel does not use included.
  const join = {
    deduplicationId: 'd-join',
    time: '2026-01-01T00:00:00.000Z',
    deviceInfo,
    devAddr: '26000001',
    joinServerContext,
  };
  const up = (fCnt: number, text: string) => ({
    deduplicationId: `d-up-${fCnt}`,
    time: '2026-01-01T00:00:01.000Z',
    deviceInfo,
    devAddr: '26000001',
    adr: true,
    dr: 5,
    fCnt,
    fPort: 7,
    confirmed: false,
    data: encryptFrmPayload({
      key: appSKey,
      uplink: true,
      devAddr: DEV_ADDR,
      fCnt,
      payload: Buffer.from(text),
    }).toString('base64'),
    rxInfo: [{ gatewayId: 'ee2e5a0000000001', rssi: -50, snr: 7 }],
    txInfo: { frequency: 868100000 },
    joinServerContext,
  });
  return { transportKey: { kekLabel: joinServerContext.appSKey.kekLabel, wrappedKey }, join, up };
}

describe('parseUpEvent / parseJoinEvent', () => {
  it('takes a webhook body as bytes or text, or an MQTT event already parsed, and hands the tunnel what it decrypts', () => {
    const app = application();
    const as = new TunnelApplication({ privateKey: TEST_AS_PRIVATE_KEY });
    as.addTransportKey(app.transportKey);
    expect(as.handleJoin(parseJoinEvent(Buffer.from(JSON.stringify(app.join))))).toEqual({
      devEui: DEV_EUI,
      devAddr: '26000001',
      sessionKeyId: '0a1b2c3d',
    });
    const fromBytes = parseUpEvent(Buffer.from(JSON.stringify(app.up(0, 'over a webhook'))));
    const fromText = parseUpEvent(JSON.stringify(app.up(1, 'as text')));
    const parsed = parseUpEvent(app.up(2, 'over MQTT'));
    // Every field kept as it came: deduplicationId tells copies of one uplink apart from others.
    expect(fromBytes).toEqual(app.up(0, 'over a webhook'));
    expect(fromBytes.deduplicationId).toBe('d-up-0');
    expect(as.decryptUp(fromBytes).payload?.toString()).toBe('over a webhook');
    expect(as.decryptUp(fromText).payload?.toString()).toBe('as text');
    expect(as.decryptUp(parsed)).toMatchObject({ devEui: DEV_EUI, fCnt: 2, fPort: 7 });
    expect(as.decryptUp(parsed).payload?.toString()).toBe('over MQTT');
  });

  it('passes an up without application payload (FPort 0 or none): no data, no joinServerContext', () => {
    const { data: _data, joinServerContext: _ctx, ...macOnly } = application().up(3, '');
    expect(parseUpEvent({ ...macOnly, fPort: 0 })).toMatchObject({ fCnt: 3, fPort: 0 });
    const { fPort: _fPort, ...noPort } = macOnly;
    expect(parseUpEvent(noPort).data).toBeUndefined();
  });

  it('refuses the up of an application that is not end-to-end, and events that are not an up, naming why', () => {
    const app = application();
    const { joinServerContext: _ctx, ...plain } = app.up(0, 'decrypted by the network');
    expect(() => parseUpEvent(plain)).toThrow(
      code(
        'NO_SESSION_KEY',
        /^up of 0102030405060708: data without joinServerContext: not an uplink of an end-to-end application$/,
      ),
    );
    expect(() => parseUpEvent(app.join)).toThrow(code('BAD_INPUT', /^fCnt: missing: not an up event/));
    const ack = { deviceInfo: app.join.deviceInfo, queueItemId: 'q', acknowledged: true, fCntDown: 3 };
    expect(() => parseUpEvent(ack)).toThrow(code('BAD_INPUT', /^devAddr: missing: not an up event$/));
    expect(() => parseJoinEvent(app.up(0, 'x'))).toThrow(code('BAD_INPUT', /^fCnt: present: an up event/));
    const { joinServerContext: _jctx, ...plainJoin } = app.join;
    expect(() => parseJoinEvent(plainJoin)).toThrow(
      code('NO_SESSION_KEY', /not a join of an end-to-end application$/),
    );
  });

  it.each([
    ['not JSON', '{"fCnt": 1,', 'BAD_INPUT', /^up event: the body is not JSON$/],
    ['JSON, not an object', '[1,2]', 'BAD_INPUT', /^up event: expected a JSON object$/],
    ['null', 'null', 'BAD_INPUT', /^up event: expected a JSON object$/],
  ])('refuses a body that is %s, without quoting it', (_what, body, c, message) => {
    expect(() => parseUpEvent(body)).toThrow(code(c, message));
  });

  it.each<[string, (e: Record<string, unknown>) => void, RegExp]>([
    [
      'no deviceInfo',
      (e) => delete e.deviceInfo,
      /^deviceInfo\.devEui: expected 16 hex digits \(in an up event\)$/,
    ],
    ['a short DevEUI', (e) => (e.deviceInfo = { devEui: '0102' }), /^deviceInfo\.devEui/],
    ['a DevAddr as a number', (e) => (e.devAddr = 0x26000001), /^devAddr: expected 8 hex digits$/],
    ['a negative fCnt', (e) => (e.fCnt = -1), /^fCnt: expected an integer from 0 to 4294967295$/],
    ['fCnt as text', (e) => (e.fCnt = '1'), /^fCnt: expected an integer/],
    ['fPort 256', (e) => (e.fPort = 256), /^fPort: expected an integer from 0 to 255$/],
    ['data not base64', (e) => (e.data = 'not base64!'), /^data: expected base64/],
    ['data as bytes', (e) => (e.data = [1, 2]), /^data: expected base64$/],
    [
      'a context that is a string',
      (e) => (e.joinServerContext = 'x'),
      /^joinServerContext: expected \{sessionKeyId/,
    ],
    [
      'no sessionKeyId',
      (e) => (e.joinServerContext = { appSKey: (e.joinServerContext as { appSKey: unknown }).appSKey }),
      /^joinServerContext\.sessionKeyId: expected a string$/,
    ],
    [
      'no envelope',
      (e) => (e.joinServerContext = { sessionKeyId: 'a' }),
      /^joinServerContext\.appSKey: expected \{kekLabel, aesKey\}$/,
    ],
    [
      'an empty KEK label',
      (e) => (e.joinServerContext = { sessionKeyId: 'a', appSKey: { kekLabel: '', aesKey: 'AAAA' } }),
      /^joinServerContext\.appSKey\.kekLabel: expected a non-empty string$/,
    ],
    [
      'an envelope of 16 bytes',
      (e) =>
        (e.joinServerContext = {
          sessionKeyId: 'a',
          appSKey: { kekLabel: 'k', aesKey: randomBytes(16).toString('base64') },
        }),
      /^joinServerContext\.appSKey\.aesKey: 16 bytes, a wrapped AppSKey has 24$/,
    ],
  ])('refuses an up with %s, naming the field', (_what, spoil, message) => {
    const event: Record<string, unknown> = application().up(1, 'x');
    spoil(event);
    expect(() => parseUpEvent(event)).toThrow(code('BAD_INPUT', message));
  });

  it('checks the join event the same way, and never puts the envelope or the body in an error', () => {
    const app = application();
    const bad = {
      ...app.join,
      joinServerContext: { ...app.join.joinServerContext, appSKey: { kekLabel: 'k', aesKey: 'AA==' } },
    };
    expect(() => parseJoinEvent(bad)).toThrow(
      code('BAD_INPUT', /^joinServerContext\.appSKey\.aesKey: 1 bytes/),
    );
    expect(() => parseJoinEvent({ ...app.join, devAddr: 'zz' })).toThrow(
      code('BAD_INPUT', /^devAddr: expected 8 hex/),
    );
    for (const body of [
      JSON.stringify(app.join).slice(0, -1),
      { ...app.up(0, 'secret payload'), fCnt: -1 },
    ]) {
      try {
        if (typeof body === 'string') parseJoinEvent(body);
        else parseUpEvent(body);
        throw new Error('accepted');
      } catch (err) {
        expect((err as Error).name).toBe('AsClientError');
        expect((err as Error).message).not.toContain(app.join.joinServerContext.appSKey.aesKey);
        expect((err as Error).message).not.toContain('d-join');
      }
    }
  });
});
