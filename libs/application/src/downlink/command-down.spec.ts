import fc from 'fast-check';
import { MAX_COMMAND_BYTES, parseCommandDown } from './command-down';

const topic = { applicationId: 'app-1', devEui: '0102030405060A0B' };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const b64 = (n: number) => Buffer.alloc(n, 0xab).toString('base64');

describe('parseCommandDown', () => {
  it('turns ChirpStack v4 command JSON into an application.downlink request', () => {
    const r = parseCommandDown(
      topic,
      json({ devEui: '0102030405060a0b', confirmed: true, fPort: 10, data: 'AQID' }),
    );
    expect(r).toEqual({
      ok: true,
      value: { applicationId: 'app-1', devEui: '0102030405060a0b', fPort: 10, data: 'AQID', confirmed: true },
    });
  });

  it('takes the DevEUI from the topic, confirmed false by default, and ignores unknown fields', () => {
    const r = parseCommandDown(topic, json({ fPort: 1, data: '', object: { x: 1 }, id: 'q1' }));
    expect(r).toEqual({
      ok: true,
      value: { applicationId: 'app-1', devEui: '0102030405060a0b', fPort: 1, data: '', confirmed: false },
    });
  });

  it('carries fCntDown and isEncrypted of an end-to-end application', () => {
    const r = parseCommandDown(
      topic,
      json({ fPort: 223, data: b64(242), fCntDown: 0xffffffff, isEncrypted: true }),
    );
    expect(r.ok && r.value).toMatchObject({ fPort: 223, fCntDown: 0xffffffff, isEncrypted: true });
  });

  it('accepts base64 without padding and returns it canonical', () => {
    const r = parseCommandDown(topic, json({ fPort: 2, data: 'AQI' }));
    expect(r.ok && r.value.data).toBe('AQI=');
  });

  it.each([
    // [case, payload, field, reason (part), code]
    ['not JSON', Buffer.from('{fPort: 1'), 'body', 'must be JSON', 'DOWNLINK_CODEC'],
    ['an array', json([1]), 'body', 'must be a JSON object', 'DOWNLINK_CODEC'],
    ['null', json(null), 'body', 'must be a JSON object', 'DOWNLINK_CODEC'],
    ['a string', json('x'), 'body', 'must be a JSON object', 'DOWNLINK_CODEC'],
    ['no fPort', json({ data: 'AQ==' }), 'fPort', 'is required', 'DOWNLINK_CODEC'],
    ['fPort 0 (MAC commands)', json({ fPort: 0, data: 'AQ==' }), 'fPort', '1-223', 'DOWNLINK_CODEC'],
    ['fPort 224 (test protocol)', json({ fPort: 224, data: 'AQ==' }), 'fPort', '1-223', 'DOWNLINK_CODEC'],
    ['fPort 1.5', json({ fPort: 1.5, data: 'AQ==' }), 'fPort', '1-223', 'DOWNLINK_CODEC'],
    ['fPort "10"', json({ fPort: '10', data: 'AQ==' }), 'fPort', '1-223', 'DOWNLINK_CODEC'],
    ['no data', json({ fPort: 1 }), 'data', 'is required', 'DOWNLINK_CODEC'],
    ['data not base64', json({ fPort: 1, data: 'AQ?=' }), 'data', 'must be base64', 'DOWNLINK_CODEC'],
    ['data with a space', json({ fPort: 1, data: 'AQ ID' }), 'data', 'must be base64', 'DOWNLINK_CODEC'],
    ['data with a lone char', json({ fPort: 1, data: 'AQIDB' }), 'data', 'must be base64', 'DOWNLINK_CODEC'],
    ['data base64url', json({ fPort: 1, data: '-_8=' }), 'data', 'must be base64', 'DOWNLINK_CODEC'],
    ['data a number', json({ fPort: 1, data: 12 }), 'data', 'must be base64', 'DOWNLINK_CODEC'],
    [
      'data 243 bytes',
      json({ fPort: 1, data: b64(243) }),
      'data',
      'at most 242 bytes, got 243',
      'DOWNLINK_PAYLOAD_SIZE',
    ],
    [
      'confirmed "yes"',
      json({ fPort: 1, data: 'AQ==', confirmed: 'yes' }),
      'confirmed',
      'true or false',
      'DOWNLINK_CODEC',
    ],
    [
      'devEui of another device',
      json({ devEui: '0102030405060708', fPort: 1, data: 'AQ==' }),
      'devEui',
      "must match the topic's DevEUI 0102030405060a0b",
      'DOWNLINK_CODEC',
    ],
    [
      'devEui not hex',
      json({ devEui: 'xyz', fPort: 1, data: 'AQ==' }),
      'devEui',
      '16 hex digits',
      'DOWNLINK_CODEC',
    ],
    [
      'fCntDown without isEncrypted',
      json({ fPort: 1, data: 'AQ==', fCntDown: 3 }),
      'fCntDown',
      'only given with isEncrypted',
      'DOWNLINK_CODEC',
    ],
    [
      'isEncrypted without fCntDown',
      json({ fPort: 1, data: 'AQ==', isEncrypted: true }),
      'fCntDown',
      'is required with isEncrypted',
      'DOWNLINK_CODEC',
    ],
    [
      'fCntDown negative',
      json({ fPort: 1, data: 'AQ==', fCntDown: -1, isEncrypted: true }),
      'fCntDown',
      '0-4294967295',
      'DOWNLINK_CODEC',
    ],
    [
      'fCntDown 2^32',
      json({ fPort: 1, data: 'AQ==', fCntDown: 2 ** 32, isEncrypted: true }),
      'fCntDown',
      '0-4294967295',
      'DOWNLINK_CODEC',
    ],
    [
      'isEncrypted 1',
      json({ fPort: 1, data: 'AQ==', fCntDown: 1, isEncrypted: 1 }),
      'isEncrypted',
      'true or false',
      'DOWNLINK_CODEC',
    ],
  ])('refuses %s, naming the field', (_case, payload, field, reason, code) => {
    const r = parseCommandDown(topic, payload);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.field).toBe(field);
    expect(r.error.reason).toContain(reason);
    expect(r.error.code).toBe(code);
  });

  it('refuses a topic DevEUI that is not 16 hex digits', () => {
    const r = parseCommandDown({ applicationId: 'a', devEui: 'dev-1' }, json({ fPort: 1, data: 'AQ==' }));
    expect(r).toMatchObject({ ok: false, error: { field: 'devEui' } });
  });

  it('refuses an oversized message before parsing it', () => {
    const big = json({ fPort: 1, data: 'AQ==', pad: 'x'.repeat(MAX_COMMAND_BYTES) });
    expect(parseCommandDown(topic, big)).toMatchObject({ ok: false, error: { field: 'body' } });
  });

  it('never throws, whatever the bytes or JSON', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseCommandDown(topic, Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = parseCommandDown(topic, json(value));
        if (r.ok) expect(r.value.fPort).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});
