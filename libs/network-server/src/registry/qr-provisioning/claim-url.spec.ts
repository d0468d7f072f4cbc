import { claimUrlOf } from './claim-url';

describe('claimUrlOf', () => {
  it.each([
    ['https://js.example.net/api/backend-interfaces', 'https://js.example.net/api/js/claims'],
    ['https://js.example.net/api/backend-interfaces/', 'https://js.example.net/api/js/claims'],
    ['http://127.0.0.1:8081/api/backend-interfaces', 'http://127.0.0.1:8081/api/js/claims'],
    ['https://example.net/lorawan/api/backend-interfaces?x=1', 'https://example.net/lorawan/api/js/claims'],
    ['https://js.example.net/ts002', 'https://js.example.net/api/js/claims'],
    ['https://js.example.net:8443/', 'https://js.example.net:8443/api/js/claims'],
  ])('%s → %s', (bi, claims) => {
    expect(claimUrlOf(bi).toString()).toBe(claims);
  });
});
