import { GatewayRegistry, MAX_UNKNOWN_TRACKED, newGatewayState } from './gateway-registry';

const FROM = { address: '192.0.2.1', port: 40000 };

describe('GatewayRegistry', () => {
  it('keeps gateways by EUI and lists them in order', () => {
    const r = new GatewayRegistry();
    r.put(newGatewayState('bb00000000000000', 'b', null, new Date(0), true));
    r.put(newGatewayState('aa00000000000000', 'a', 'EU868', new Date(0), true));
    expect(r.list().map((g) => g.name)).toEqual(['a', 'b']);
    expect(r.get('aa00000000000000')?.region).toBe('EU868');
    expect(r.remove('aa00000000000000')?.name).toBe('a');
    expect(r.get('aa00000000000000')).toBeUndefined();
  });

  it('says "first time" once per unknown EUI and counts every datagram', () => {
    const r = new GatewayRegistry();
    expect(r.noteUnknown('0102030405060708', FROM, 1)).toBe(true);
    expect(r.noteUnknown('0102030405060708', { ...FROM, port: 2 }, 2)).toBe(false);
    expect(r.noteUnknown('0102030405060709', FROM, 3)).toBe(true);
    expect(r.counters.unknownGatewayDatagrams).toBe(3);
    expect(r.unknownGateways()).toEqual([
      expect.objectContaining({ gatewayId: '0102030405060709', datagrams: 1 }),
      expect.objectContaining({
        gatewayId: '0102030405060708',
        datagrams: 2,
        lastAddress: { ...FROM, port: 2 },
      }),
    ]);
  });

  it('stops remembering (and so logging) new unknown EUIs past the bound, still counting', () => {
    const r = new GatewayRegistry();
    for (let i = 0; i < MAX_UNKNOWN_TRACKED; i++) r.noteUnknown(i.toString(16).padStart(16, '0'), FROM, i);
    expect(r.noteUnknown('ffffffffffffffff', FROM, 0)).toBe(false);
    expect(r.counters.unknownGatewayDatagrams).toBe(MAX_UNKNOWN_TRACKED + 1);
    expect(r.unknownGateways()).toHaveLength(MAX_UNKNOWN_TRACKED);
  });

  it('forgets an unknown EUI once it is registered', () => {
    const r = new GatewayRegistry();
    r.noteUnknown('0102030405060708', FROM, 1);
    r.put(newGatewayState('0102030405060708', 'now known', null, new Date(0), true));
    expect(r.unknownGateways()).toEqual([]);
  });

  it('adds unregistered gateways for allowUnknown', () => {
    const r = new GatewayRegistry();
    const gw = r.addUnregistered('0102030405060708', 5);
    expect(gw).toMatchObject({ registered: false, gatewayId: '0102030405060708' });
    expect(r.get('0102030405060708')).toBe(gw);
  });
});
