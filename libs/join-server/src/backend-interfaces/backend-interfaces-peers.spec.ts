import { LnsConfig } from '@lns/config';
import { BackendInterfacesPeers } from './backend-interfaces-peers';

const TOKEN = 'peer-token-0123456789';
const KEK = '000102030405060708090a0b0c0d0e0f';

function peersOf(peers: LnsConfig['backendInterfaces']['peers'], caFile = ''): BackendInterfacesPeers {
  return new BackendInterfacesPeers({
    http: { port: 0, host: '', tls: { certFile: caFile && 'c', keyFile: caFile && 'k', caFile } },
    backendInterfaces: { peers },
  } as LnsConfig);
}

describe('BackendInterfacesPeers', () => {
  const plain = { clientCertificateVerified: false };

  it('a configured SenderID with its bearer token is a peer (SenderID in any case)', () => {
    const p = peersOf([{ senderId: '00000A', token: TOKEN, kekLabel: 'ns-a', kek: KEK }]);
    expect(p.authenticate('00000a', { ...plain, authorization: `Bearer ${TOKEN}` })).toEqual({
      senderId: '00000a',
      kek: { kekLabel: 'ns-a', kek: Buffer.from(KEK, 'hex') },
    });
    expect(p.authenticate('00000A', { ...plain, authorization: `bearer  ${TOKEN} ` })).toBeDefined();
  });

  it('refuses an unknown SenderID, a missing or wrong token, another scheme', () => {
    const p = peersOf([{ senderId: '000013', token: TOKEN }]);
    expect(p.authenticate('000014', { ...plain, authorization: `Bearer ${TOKEN}` })).toBeUndefined();
    expect(p.authenticate('000013', plain)).toBeUndefined();
    expect(
      p.authenticate('000013', { ...plain, authorization: 'Bearer wrong-token-0123456' }),
    ).toBeUndefined();
    expect(p.authenticate('000013', { ...plain, authorization: TOKEN })).toBeUndefined();
    expect(p.authenticate('000013', { ...plain, authorization: `Basic ${TOKEN}` })).toBeUndefined();
  });

  it('no peers configured: nobody is a peer', () => {
    expect(
      peersOf([]).authenticate('000013', { ...plain, authorization: `Bearer ${TOKEN}` }),
    ).toBeUndefined();
  });

  it('under mutual TLS a verified client certificate is required, and enough for a peer without a token', () => {
    const p = peersOf([{ senderId: '000013' }, { senderId: '000014', token: TOKEN }], '/ca.pem');
    expect(p.authenticate('000013', { clientCertificateVerified: true })).toEqual({ senderId: '000013' });
    expect(p.authenticate('000013', { clientCertificateVerified: false })).toBeUndefined();
    expect(
      p.authenticate('000014', { clientCertificateVerified: false, authorization: `Bearer ${TOKEN}` }),
    ).toBeUndefined();
    expect(p.authenticate('000014', { clientCertificateVerified: true })).toBeUndefined();
    expect(
      p.authenticate('000014', { clientCertificateVerified: true, authorization: `Bearer ${TOKEN}` }),
    ).toBeDefined();
  });
});
