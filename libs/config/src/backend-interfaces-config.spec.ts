import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.schema';
import { loadConfig } from './load-config';

const configDir = join(__dirname, '../../../config');
const TOKEN = 'a-peer-token-of-16+';
const KEK = '000102030405060708090a0b0c0d0e0f';

function load(env: Record<string, string>) {
  return loadConfig({ configDir, env });
}

function fails(env: Record<string, string>, key: string): void {
  let err: unknown;
  try {
    load(env);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).key).toBe(key);
}

const peers = (v: unknown) => ({ LNS_BACKEND_INTERFACES_PEERS: JSON.stringify(v) });

describe('config: Backend Interfaces peers and HTTP TLS', () => {
  it('defaults: no peers, plain HTTP', () => {
    const c = load({});
    expect(c.backendInterfaces.peers).toEqual([]);
    expect(c.http.tls).toEqual({ certFile: '', keyFile: '', caFile: '' });
  });

  it('takes the peer list as JSON from LNS_BACKEND_INTERFACES_PEERS', () => {
    const list = [{ senderId: '000013', token: TOKEN, kekLabel: 'ns-13', kek: KEK }];
    expect(load(peers(list)).backendInterfaces.peers).toEqual(list);
  });

  it('takes the peer list from a YAML file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lns-cfg-')), 'js.yaml');
    writeFileSync(file, `backendInterfaces:\n  peers:\n    - senderId: '000013'\n      token: ${TOKEN}\n`);
    expect(load({ LNS_CONFIG_FILE: file }).backendInterfaces.peers).toEqual([
      { senderId: '000013', token: TOKEN },
    ]);
  });

  it('refuses a list that is not JSON', () => {
    fails({ LNS_BACKEND_INTERFACES_PEERS: 'senderId=000013' }, 'backendInterfaces.peers');
    fails({ LNS_BACKEND_INTERFACES_PEERS: '{}' }, 'backendInterfaces.peers');
  });

  it('refuses each wrong peer field by its path', () => {
    fails(peers([{ token: TOKEN }]), 'backendInterfaces.peers[0].senderId');
    fails(peers([{ senderId: 13, token: TOKEN }]), 'backendInterfaces.peers[0].senderId');
    fails(peers([{ senderId: '000013' }]), 'backendInterfaces.peers[0].token');
    fails(peers([{ senderId: '000013', token: 'short' }]), 'backendInterfaces.peers[0].token');
    fails(peers([{ senderId: '000013', token: TOKEN, kek: KEK }]), 'backendInterfaces.peers[0].kekLabel');
    fails(peers([{ senderId: '000013', token: TOKEN, kekLabel: 'x' }]), 'backendInterfaces.peers[0].kek');
    fails(
      peers([{ senderId: '000013', token: TOKEN, kekLabel: 'x', kek: 'abcd' }]),
      'backendInterfaces.peers[0].kek',
    );
    fails(
      peers([
        { senderId: '00000A', token: TOKEN },
        { senderId: '00000a', token: TOKEN },
      ]),
      'backendInterfaces.peers[1].senderId',
    );
  });

  it('lets a peer go without a token only under mutual TLS', () => {
    const tls = {
      LNS_HTTP_TLS_CERT_FILE: '/c.pem',
      LNS_HTTP_TLS_KEY_FILE: '/k.pem',
      LNS_HTTP_TLS_CA_FILE: '/ca.pem',
    };
    expect(load({ ...tls, ...peers([{ senderId: '000013' }]) }).backendInterfaces.peers).toHaveLength(1);
  });

  it('refuses half a TLS setting', () => {
    fails({ LNS_HTTP_TLS_CERT_FILE: '/c.pem' }, 'http.tls.keyFile');
    fails({ LNS_HTTP_TLS_KEY_FILE: '/k.pem' }, 'http.tls.certFile');
    fails({ LNS_HTTP_TLS_CA_FILE: '/ca.pem' }, 'http.tls.caFile');
  });
});
