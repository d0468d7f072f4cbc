/**
 * CRC-16/MODBUS: polynomial 0x8005 (reflected 0xA001), init 0xFFFF, reflected in and out, no final XOR.
 * The checksum of a TR005 QR code (the `C` extension) is this CRC over the ASCII text before `:C`; of the
 * CRC-16 variants, only this one reproduces the published TR005 example's `AF2C`.
 */
export function crc16Modbus(data: Buffer | string): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}
