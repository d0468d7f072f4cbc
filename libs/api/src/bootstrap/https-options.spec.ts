import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsConfigError, httpsOptionsFrom } from './https-options';

describe('httpsOptionsFrom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lns-tls-'));
  const file = (name: string) => {
    const p = join(dir, name);
    writeFileSync(p, `${name} pem`);
    return p;
  };

  it('plain HTTP when no certificate is configured', () => {
    expect(httpsOptionsFrom({ certFile: '', keyFile: '', caFile: '' })).toBeUndefined();
    expect(httpsOptionsFrom(undefined)).toBeUndefined();
  });

  it('HTTPS with the certificate and key; with a CA, client certificates are asked for, not required', () => {
    const cert = file('cert');
    const key = file('key');
    expect(httpsOptionsFrom({ certFile: cert, keyFile: key, caFile: '' })).toEqual({
      cert: Buffer.from('cert pem'),
      key: Buffer.from('key pem'),
    });
    expect(httpsOptionsFrom({ certFile: cert, keyFile: key, caFile: file('ca') })).toEqual({
      cert: Buffer.from('cert pem'),
      key: Buffer.from('key pem'),
      ca: Buffer.from('ca pem'),
      requestCert: true,
      rejectUnauthorized: false,
    });
  });

  it('names the setting whose file cannot be read', () => {
    const err = (() => {
      try {
        httpsOptionsFrom({ certFile: file('c2'), keyFile: join(dir, 'missing'), caFile: '' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HttpsConfigError);
    expect(err).toMatchObject({ key: 'http.tls.keyFile' });
    expect((err as Error).message).toMatch(/ENOENT/);
  });
});
