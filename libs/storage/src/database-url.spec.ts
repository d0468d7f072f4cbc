import { parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it('defaults to <dataDir>/lns.sqlite', () => {
    expect(parseDatabaseUrl('', '/var/lns')).toEqual({ kind: 'sqlite', file: '/var/lns/lns.sqlite' });
  });
  it('takes absolute and relative sqlite paths', () => {
    expect(parseDatabaseUrl('sqlite:/tmp/x.sqlite', '/d').file).toBe('/tmp/x.sqlite');
    expect(parseDatabaseUrl('sqlite:///tmp/x.sqlite', '/d').file).toBe('/tmp/x.sqlite');
    expect(parseDatabaseUrl('sqlite:x.sqlite', '/d').file).toBe('/d/x.sqlite');
    expect(parseDatabaseUrl('sqlite::memory:', '/d').file).toBe(':memory:');
  });
  it('refuses what it cannot serve, saying why', () => {
    expect(() => parseDatabaseUrl('sqlite:', '/d')).toThrow('needs a file path');
    expect(() => parseDatabaseUrl('postgres://u@h/db', '/d')).toThrow('not supported yet');
    expect(() => parseDatabaseUrl('mysql://h', '/d')).toThrow('unknown scheme');
  });
});
