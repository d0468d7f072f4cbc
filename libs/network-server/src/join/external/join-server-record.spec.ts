import { checkJoinServer, CreateJoinServer, normalizeJoinEuis, toJoinServerView } from './join-server-record';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY, SERVER_KEY } from './testing/test-pki';

const OK: CreateJoinServer = { name: 'acme JS', url: 'https://js.example.net/api/backend-interfaces' };

const fields = (over: Partial<Record<keyof CreateJoinServer, unknown>>) =>
  checkJoinServer({ ...OK, ...over } as CreateJoinServer).map((e) => e.field);

describe('join server rules', () => {
  it('accepts a minimal one and a complete one', () => {
    expect(checkJoinServer(OK)).toEqual([]);
    expect(
      checkJoinServer({
        ...OK,
        joinEuis: ['70B3D57ED0000001', '70b3d57ed0000002'],
        kekLabel: 'ns-000013',
        kek: '000102030405060708090a0b0c0d0e0f1011121314151617',
        token: 'a-token-0123456789',
        caCert: CA_CERT,
        clientCert: CLIENT_CERT,
        clientKey: CLIENT_KEY,
      }),
    ).toEqual([]);
  });

  it('refuses each wrong field by name', () => {
    expect(fields({ name: '' })).toEqual(['name']);
    expect(fields({ name: 'x'.repeat(101) })).toEqual(['name']);
    expect(fields({ url: 'js.example.net' })).toEqual(['url']);
    expect(fields({ url: 'ftp://js.example.net/' })).toEqual(['url']);
    expect(fields({ url: 'https://user:pw@js.example.net/' })).toEqual(['url']);
    expect(fields({ joinEuis: '70b3d57ed0000001' })).toEqual(['joinEuis']);
    expect(fields({ joinEuis: ['70b3d57ed00000', '70b3d57ed0000001', '70B3D57ED0000001'] })).toEqual([
      'joinEuis.0',
      'joinEuis.2',
    ]);
    expect(fields({ kekLabel: 'ns', kek: 'abcd' })).toEqual(['kek']);
    expect(fields({ kek: '000102030405060708090a0b0c0d0e0f' })).toEqual(['kekLabel']);
    expect(fields({ kekLabel: 'ns' })).toEqual(['kek']);
    expect(fields({ token: 'has space' })).toEqual(['token']);
    expect(fields({ token: '' })).toEqual(['token']);
  });

  it('TLS: https only, parseable PEM, a client key that belongs to the client certificate', () => {
    expect(fields({ url: 'http://js.example.net/', caCert: CA_CERT })).toEqual(['url']);
    expect(fields({ caCert: 'not a certificate' })).toEqual(['caCert']);
    expect(fields({ clientCert: CLIENT_CERT })).toEqual(['clientKey']);
    expect(fields({ clientKey: CLIENT_KEY })).toEqual(['clientCert']);
    expect(fields({ clientCert: CLIENT_CERT, clientKey: 'nope' })).toEqual(['clientKey']);
    expect(fields({ clientCert: CLIENT_CERT, clientKey: SERVER_KEY })).toEqual(['clientKey']);
    expect(fields({ clientCert: CLIENT_KEY, clientKey: CLIENT_KEY })).toEqual(['clientCert']);
  });

  it('stores JoinEUIs lowercase, once', () => {
    expect(normalizeJoinEuis(['70B3D57ED0000001', '70b3d57ed0000001'])).toEqual(['70b3d57ed0000001']);
    expect(normalizeJoinEuis(undefined)).toEqual([]);
  });

  it('its view says which secrets are set, never what they are', () => {
    const view = toJoinServerView({
      id: 'id-1',
      name: 'n',
      url: 'https://js/',
      joinEuis: ['70b3d57ed0000001'],
      kekLabel: 'ns',
      kekSealed: Buffer.from('sealed-kek'),
      tokenSealed: null,
      caCert: CA_CERT,
      clientCert: null,
      clientKeySealed: null,
      createdAt: new Date(0),
    });
    expect(view).toEqual({
      id: 'id-1',
      name: 'n',
      url: 'https://js/',
      joinEuis: ['70b3d57ed0000001'],
      kekLabel: 'ns',
      hasKek: true,
      hasToken: false,
      tls: { caCert: true, clientCert: false },
      createdAt: '1970-01-01T00:00:00.000Z',
    });
  });
});
