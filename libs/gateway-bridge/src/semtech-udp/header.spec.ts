import { parseHeader } from './header';
import { PacketType } from './packet-type';

const EUI = Buffer.from('0016c001ff10a235', 'hex');

function datagram(version: number, token: number, type: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.from([version, token >> 8, token & 0xff, type]);
  return Buffer.concat([head, rest]);
}

describe('parseHeader (PROTOCOL.TXT §3.2-§5.5)', () => {
  it.each([1, 2])('reads PUSH_DATA version %i: token, identifier, gateway EUI MSB first', (version) => {
    const r = parseHeader(
      datagram(version, 0xabcd, PacketType.PUSH_DATA, Buffer.concat([EUI, Buffer.from('{}')])),
    );
    expect(r).toEqual({
      ok: true,
      value: { version, token: 0xabcd, type: PacketType.PUSH_DATA, gatewayId: '0016c001ff10a235' },
    });
  });

  it('reads PULL_DATA (exactly 12 bytes) and TX_ACK without JSON', () => {
    expect(parseHeader(datagram(2, 1, PacketType.PULL_DATA, EUI))).toMatchObject({
      ok: true,
      value: { type: PacketType.PULL_DATA, gatewayId: '0016c001ff10a235' },
    });
    expect(parseHeader(datagram(2, 2, PacketType.TX_ACK, EUI))).toMatchObject({
      ok: true,
      value: { type: PacketType.TX_ACK, token: 2, gatewayId: '0016c001ff10a235' },
    });
  });

  it('reads the server-sent types without an EUI (4 bytes)', () => {
    for (const type of [PacketType.PUSH_ACK, PacketType.PULL_ACK, PacketType.PULL_RESP]) {
      const r = parseHeader(datagram(1, 7, type));
      expect(r).toEqual({ ok: true, value: { version: 1, token: 7, type } });
    }
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['3 bytes', Buffer.from([2, 0, 0])],
  ])('refuses a %s datagram as TOO_SHORT', (_name, buf) => {
    expect(parseHeader(buf)).toMatchObject({ ok: false, error: { code: 'TOO_SHORT' } });
  });

  it('refuses PUSH_DATA, PULL_DATA and TX_ACK cut inside the EUI', () => {
    for (const type of [PacketType.PUSH_DATA, PacketType.PULL_DATA, PacketType.TX_ACK]) {
      const r = parseHeader(datagram(2, 1, type, EUI.subarray(0, 7)));
      expect(r).toMatchObject({ ok: false, error: { code: 'TOO_SHORT' } });
    }
  });

  it.each([0, 3, 0xff])('refuses protocol version %i', (version) => {
    expect(parseHeader(datagram(version, 1, PacketType.PULL_DATA, EUI))).toMatchObject({
      ok: false,
      error: { code: 'BAD_VERSION' },
    });
  });

  it.each([6, 0x7b, 0xff])('refuses identifier 0x%s', (type) => {
    expect(parseHeader(datagram(2, 1, type, EUI))).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE' },
    });
  });
});
