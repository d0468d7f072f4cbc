import { normalizeWebhookUrl, webhookUrlProblem } from './webhook-url';

describe('webhookUrlProblem', () => {
  it.each([
    'http://example.com/hook',
    'https://example.com:8443/a/b?token=x&y=1',
    'http://127.0.0.1:9000',
    'http://[::1]:8080/events',
    'https://hooks.example.net',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url)).toBeNull();
  });

  it.each([
    [42, 'must be a string'],
    [null, 'must be a string'],
    ['', 'must not be empty'],
    ['example.com/hook', 'must be an absolute http:// or https:// URL'],
    ['/relative', 'must be an absolute http:// or https:// URL'],
    ['ftp://example.com/x', 'must be an http:// or https:// URL'],
    ['file:///etc/passwd', 'must be an http:// or https:// URL'],
    ['javascript:alert(1)', 'must be an http:// or https:// URL'],
    ['mqtt://broker:1883', 'must be an http:// or https:// URL'],
    [
      'https://user:secret@example.com/x',
      'must not contain credentials: send them in a header (e.g. Authorization), kept sealed',
    ],
    [
      'https://user@example.com/x',
      'must not contain credentials: send them in a header (e.g. Authorization), kept sealed',
    ],
    ['https://example.com/x#part', 'must not have a #fragment (it is never sent)'],
    ['https://exa mple.com/', 'must not contain spaces or control characters'],
    ['https://example.com/\nx', 'must not contain spaces or control characters'],
    [' https://example.com/', 'must not contain spaces or control characters'],
    [`https://example.com/${'a'.repeat(2048)}`, 'must be at most 2048 characters'],
  ])('refuses %j: %s', (url, reason) => {
    expect(webhookUrlProblem(url)).toBe(reason);
  });

  it('stores the normal form', () => {
    expect(normalizeWebhookUrl('HTTP://Example.COM')).toBe('http://example.com/');
    expect(normalizeWebhookUrl('https://example.com:443/a?b=1')).toBe('https://example.com/a?b=1');
  });
});
