import { decodePhyPayloadData, MAX_BASE64_LENGTH } from './phy-payload-data';

describe('decodePhyPayloadData', () => {
  it('decodes padded and unpadded base64 matching size', () => {
    expect(decodePhyPayloadData('VEVTVF9QQUNLRVRfMTIzNA==', 16, 'rxpk[0]')).toEqual({
      ok: true,
      value: Buffer.from('TEST_PACKET_1234'),
    });
    expect(decodePhyPayloadData('AQID', 3, 'x')).toEqual({ ok: true, value: Buffer.from([1, 2, 3]) });
    expect(decodePhyPayloadData('AQI', 2, 'x')).toEqual({ ok: true, value: Buffer.from([1, 2]) });
    expect(decodePhyPayloadData('', 0, 'x')).toEqual({ ok: true, value: Buffer.alloc(0) });
  });

  it("reads PROTOCOL.TXT's example data, which mixes '-' (URL-safe) with '+'", () => {
    const r = decodePhyPayloadData('-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84', 32, 'rxpk[0]');
    expect(r.ok && r.value.length).toBe(32);
    // '-' is digit 62, as '+' is: the first byte is 0b111110_00 = 0xf8.
    expect(r.ok && r.value[0]).toBe(0xf8);
  });

  it('decodes 255 bytes, the longest PHY payload', () => {
    const max = Buffer.alloc(255, 0xa5);
    expect(decodePhyPayloadData(max.toString('base64'), 255, 'x')).toEqual({ ok: true, value: max });
  });

  it.each([
    ['not a string', 123, 3, 'BAD_FIELD', 'x.data'],
    ['null', null, 0, 'BAD_FIELD', 'x.data'],
    ['a character outside base64', 'AQ!D', 3, 'BAD_FIELD', 'x.data'],
    ['whitespace inside', 'AQ ID', 3, 'BAD_FIELD', 'x.data'],
    ['padding in the middle', 'AQ==AQID', 4, 'BAD_FIELD', 'x.data'],
    ['a lone trailing digit', 'AQIDB', 3, 'BAD_FIELD', 'x.data'],
    ['short padding', 'AQI=A', 3, 'BAD_FIELD', 'x.data'],
    ['256 decoded bytes', Buffer.alloc(256).toString('base64'), 256, 'PAYLOAD_TOO_LARGE', 'x.data'],
    ['more than 400 characters', 'A'.repeat(MAX_BASE64_LENGTH + 4), 303, 'PAYLOAD_TOO_LARGE', 'x.data'],
    ['size larger than data', 'AQID', 4, 'SIZE_MISMATCH', 'x.size'],
    ['size smaller than data', 'AQID', 2, 'SIZE_MISMATCH', 'x.size'],
    ['size as a string', 'AQID', '3', 'BAD_FIELD', 'x.size'],
    ['size missing', 'AQID', undefined, 'BAD_FIELD', 'x.size'],
    ['size fractional', 'AQID', 3.5, 'BAD_FIELD', 'x.size'],
  ])('refuses %s', (_name, data, size, code, field) => {
    expect(decodePhyPayloadData(data, size, 'x')).toMatchObject({ ok: false, error: { code, field } });
  });
});
