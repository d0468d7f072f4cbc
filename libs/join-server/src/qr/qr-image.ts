import * as QRCode from 'qrcode';

/** The forms a TR005 code is served in: the text itself, or a QR symbol to print. */
export const QR_FORMATS = ['text', 'svg', 'png'] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

export const QR_CONTENT_TYPES: Record<QrFormat, string> = {
  text: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};

/**
 * Error correction M (15 % of the symbol recoverable): a label on a device or its box gets scratched,
 * yet a TR005 code stays a small symbol (version 4-5, 33-37 modules, in alphanumeric mode).
 * The 4-module quiet zone is what ISO/IEC 18004 asks for; 8 pixels a module prints sharply at 300 dpi.
 */
const SYMBOL = { errorCorrectionLevel: 'M', margin: 4 } as const;
const PNG_SCALE = 8;

/** The code as `format`: a string for text and SVG, PNG bytes for png. */
export async function renderQr(text: string, format: QrFormat): Promise<string | Buffer> {
  switch (format) {
    case 'text':
      return text;
    case 'svg':
      return QRCode.toString(text, { ...SYMBOL, type: 'svg' });
    case 'png':
      return QRCode.toBuffer(text, { ...SYMBOL, type: 'png', scale: PNG_SCALE });
  }
}
