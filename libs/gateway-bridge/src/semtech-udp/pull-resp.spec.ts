import { PacketType } from './packet-type';
import { encodePullResp, encodeTxpkJson, Txpk } from './pull-resp';

const PHY = Buffer.from('60a2050026000100016e0ad5', 'hex');

function classA(over: Partial<Txpk> = {}): Txpk {
  return {
    tmst: 3_513_348_611,
    frequency: 868_100_000,
    rfChain: 0,
    power: 14,
    modulation: 'LORA',
    spreadingFactor: 9,
    bandwidth: 125_000,
    codeRate: '4/5',
    phyPayload: PHY,
    ...over,
  };
}

describe('encodeTxpkJson (PROTOCOL.TXT §6)', () => {
  it('writes every field the forwarder needs, freq with six decimals, ipol true by default', () => {
    const r = encodeTxpkJson(classA({ tmst: 4_000_000 }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toBe(
      '{"txpk":{"tmst":4000000,"freq":868.100000,"rfch":0,"powe":14,"modu":"LORA","datr":"SF9BW125",' +
        `"codr":"4/5","ipol":true,"size":12,"data":"${PHY.toString('base64')}"}}`,
    );
    const txpk = JSON.parse(r.value).txpk;
    expect(Math.trunc(txpk.freq * 1e6)).toBe(868_100_000);
    expect(Buffer.from(txpk.data, 'base64')).toEqual(PHY);
  });

  it('sends Class C immediately, with ipol and preamble as given', () => {
    const r = encodeTxpkJson(
      classA({ tmst: undefined, imme: true, invertPolarity: false, preamble: 10, frequency: 869_525_000 }),
    );
    expect(r.ok && JSON.parse(r.value).txpk).toMatchObject({
      imme: true,
      freq: 869.525,
      ipol: false,
      prea: 10,
    });
    expect(r.ok && r.value).not.toContain('tmst');
  });

  it('keeps Hz precision for odd frequencies (US915 RX1 923.3 MHz, 1 Hz steps)', () => {
    for (const hz of [923_300_000, 868_299_999, 433_175_001]) {
      const r = encodeTxpkJson(classA({ frequency: hz }));
      expect(r.ok && Math.trunc(JSON.parse(r.value).txpk.freq * 1e6 + 1e-6)).toBe(hz);
    }
  });

  it('writes FSK with bit rate and deviation and no LoRa fields', () => {
    const r = encodeTxpkJson({
      imme: true,
      frequency: 868_800_000,
      power: 14,
      modulation: 'FSK',
      bitRate: 50_000,
      frequencyDeviation: 25_000,
      phyPayload: PHY,
    });
    expect(r.ok && JSON.parse(r.value).txpk).toEqual({
      imme: true,
      freq: 868.8,
      rfch: 0,
      powe: 14,
      modu: 'FSK',
      datr: 50000,
      fdev: 25000,
      size: 12,
      data: PHY.toString('base64'),
    });
  });

  it.each([
    ['tmst', { tmst: undefined }],
    ['tmst', { imme: true }],
    ['tmst', { tmst: 2 ** 32 }],
    ['tmst', { tmst: -1 }],
    ['frequency', { frequency: 868.1 }],
    ['frequency', { frequency: 0 }],
    ['rfChain', { rfChain: -1 }],
    ['power', { power: 14.5 }],
    ['phyPayload', { phyPayload: Buffer.alloc(0) }],
    ['phyPayload', { phyPayload: Buffer.alloc(256) }],
    ['spreadingFactor', { spreadingFactor: 13 }],
    ['spreadingFactor', { bandwidth: 200_000 }],
    ['codeRate', { codeRate: '4/9' as never }],
    ['preamble', { preamble: -1 }],
    ['modulation', { modulation: 'LR-FHSS' as never }],
    ['bitRate', { modulation: 'FSK' as const }],
    ['frequencyDeviation', { modulation: 'FSK' as const, bitRate: 50_000 }],
  ])('refuses a bad %s (%j)', (field, over) => {
    expect(encodeTxpkJson(classA(over))).toMatchObject({ ok: false, error: { code: 'BAD_FIELD', field } });
  });
});

describe('encodePullResp (PROTOCOL.TXT §5.4)', () => {
  it('version 2: random token, identifier 3, no EUI, then the JSON', () => {
    const r = encodePullResp(2, 0xa1b2, classA());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.value.subarray(0, 4)]).toEqual([2, 0xa1, 0xb2, PacketType.PULL_RESP]);
    expect(JSON.parse(r.value.toString('utf8', 4)).txpk.datr).toBe('SF9BW125');
  });

  it('version 1: bytes 1-2 unused, sent as 0', () => {
    const r = encodePullResp(1, 0xa1b2, classA());
    expect(r.ok && [...r.value.subarray(0, 4)]).toEqual([1, 0, 0, PacketType.PULL_RESP]);
  });

  it('refuses a token wider than 16 bits and a bad txpk', () => {
    expect(encodePullResp(2, 0x10000, classA())).toMatchObject({ ok: false, error: { field: 'token' } });
    expect(encodePullResp(2, 1, classA({ power: NaN }))).toMatchObject({
      ok: false,
      error: { field: 'power' },
    });
  });
});
