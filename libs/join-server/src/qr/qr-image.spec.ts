import * as QRCode from 'qrcode';
import { renderQr } from './qr-image';

const CODE = 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122:OAABBCCDDEEFF:SYYWWNNNNNN:PFOOBAR:CAF2C';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('renderQr', () => {
  it('text: the code itself', async () => {
    await expect(renderQr(CODE, 'text')).resolves.toBe(CODE);
  });

  it('svg: an <svg> document', async () => {
    const svg = (await renderQr(CODE, 'svg')) as string;
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
  });

  it('png: PNG bytes, 8 pixels a module with a 4-module quiet zone', async () => {
    const png = (await renderQr(CODE, 'png')) as Buffer;
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const modules = QRCode.create(CODE, { errorCorrectionLevel: 'M' }).modules.size;
    // IHDR: width at byte 16 (big-endian).
    expect(png.readUInt32BE(16)).toBe((modules + 8) * 8);
  });

  it('encodes a TR005 code in alphanumeric mode (uppercase hex, no lowercase)', () => {
    const symbol = QRCode.create(CODE, { errorCorrectionLevel: 'M' });
    expect(symbol.segments.every((s) => s.mode.id !== 'Byte')).toBe(true);
  });
});
