import { PacketType } from './packet-type';
import { decodeTxAck } from './tx-ack';

function txAck(json?: string): Buffer {
  const head = Buffer.concat([
    Buffer.from([2, 0x12, 0x34, PacketType.TX_ACK]),
    Buffer.from('aa555a0000000101', 'hex'),
  ]);
  return json === undefined ? head : Buffer.concat([head, Buffer.from(json)]);
}

describe('decodeTxAck (PROTOCOL.TXT §5.5, §6)', () => {
  it('reads no JSON (the 12-byte datagram lora_pkt_fwd sends on success) as NONE', () => {
    expect(decodeTxAck(txAck())).toEqual({ ok: true, value: { error: 'NONE' } });
    expect(decodeTxAck(txAck('\0'))).toEqual({ ok: true, value: { error: 'NONE' } });
  });

  it.each(['{"txpk_ack":{"error":"NONE"}}', '{"txpk_ack":{"error":""}}', '{"txpk_ack":{}}', '{}'])(
    'reads %s as NONE',
    (json) => {
      expect(decodeTxAck(txAck(json))).toEqual({ ok: true, value: { error: 'NONE' } });
    },
  );

  it.each([
    'TOO_LATE',
    'TOO_EARLY',
    'COLLISION_PACKET',
    'COLLISION_BEACON',
    'TX_FREQ',
    'TX_POWER',
    'GPS_UNLOCKED',
  ])('maps error %s', (error) => {
    expect(decodeTxAck(txAck(`{"txpk_ack":{"error":"${error}"}}`))).toEqual({ ok: true, value: { error } });
  });

  it('maps an error it does not know to UNKNOWN, keeping the word', () => {
    expect(decodeTxAck(txAck('{"txpk_ack":{"error":"HALF_DUPLEX"}}'))).toEqual({
      ok: true,
      value: { error: 'UNKNOWN', rawError: 'HALF_DUPLEX' },
    });
  });

  it('reads the rev 1.5 warning with its value (sx1302_hal PROTOCOL.md §6 example)', () => {
    expect(decodeTxAck(txAck('{"txpk_ack":{"warn":"TX_POWER","value":20}}'))).toEqual({
      ok: true,
      value: { error: 'NONE', warning: { warning: 'TX_POWER', value: 20 } },
    });
  });

  it.each([
    ['BAD_JSON', '{"txpk_ack":', undefined],
    ['BAD_JSON', '[]', undefined],
    ['BAD_FIELD', '{"txpk_ack":"TOO_LATE"}', 'txpk_ack'],
    ['BAD_FIELD', '{"txpk_ack":{"error":3}}', 'txpk_ack.error'],
    ['BAD_FIELD', '{"txpk_ack":{"warn":true}}', 'txpk_ack.warn'],
    ['BAD_FIELD', '{"txpk_ack":{"warn":"TX_POWER","value":[1]}}', 'txpk_ack.value'],
  ])('refuses %s: %s', (code, json, field) => {
    const r = decodeTxAck(txAck(json));
    expect(r).toMatchObject({ ok: false, error: { code } });
    if (field) expect(r).toMatchObject({ error: { field } });
  });
});
