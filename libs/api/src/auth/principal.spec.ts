import { listedApplication, principalOf, setPrincipal } from './principal';

describe('principal', () => {
  it('is kept on the request under a key no JSON body or header can set', () => {
    const req = JSON.parse('{"principal": {"kind": "admin"}, "lns.api.principal": {"kind": "admin"}}');
    expect(principalOf(req)).toBeUndefined();
    setPrincipal(req, { kind: 'application', applicationId: 'a', readOnly: true, tokenId: 't' });
    expect(principalOf(req)).toEqual({
      kind: 'application',
      applicationId: 'a',
      readOnly: true,
      tokenId: 't',
    });
  });

  it("lists an application token's own application, whatever it asked; the admin's filter as asked", () => {
    const token = { kind: 'application', applicationId: 'a', readOnly: false, tokenId: 't' } as const;
    expect(listedApplication(token, undefined)).toBe('a');
    expect(listedApplication(token, 'b')).toBe('a');
    expect(listedApplication({ kind: 'admin' }, undefined)).toBeUndefined();
    expect(listedApplication({ kind: 'admin' }, 'b')).toBe('b');
    expect(listedApplication(undefined, 'b')).toBe('b');
  });
});
