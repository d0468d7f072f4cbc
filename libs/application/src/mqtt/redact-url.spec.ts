import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    ['mqtt://user:secret@broker.example:1883', 'mqtt://broker.example:1883'],
    ['mqtts://:secret@broker.example', 'mqtts://broker.example'],
    ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
    ['ws://u:p@host/mqtt', 'ws://host/mqtt'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain('secret');
  });

  it('shows the scheme only of what it cannot parse', () => {
    expect(redactUrl('mqtt://u:se cret@[bad')).toBe('mqtt://…');
  });
});
