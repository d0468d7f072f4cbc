import { decodeStat } from './stat';

describe('decodeStat (PROTOCOL.TXT §4 stat)', () => {
  it("decodes PROTOCOL.TXT's example", () => {
    const raw = {
      time: '2014-01-12 08:59:28 GMT',
      lati: 46.24,
      long: 3.2523,
      alti: 145,
      rxnb: 2,
      rxok: 2,
      rxfw: 2,
      ackr: 100.0,
      dwnb: 2,
      txnb: 2,
    };
    expect(decodeStat(raw)).toEqual({
      ok: true,
      value: {
        time: '2014-01-12T08:59:28.000Z',
        location: { latitude: 46.24, longitude: 3.2523, altitude: 145 },
        rxPacketsReceived: 2,
        rxPacketsReceivedOk: 2,
        rxPacketsForwarded: 2,
        upstreamAckRatio: 100,
        txPacketsReceived: 2,
        txPacketsEmitted: 2,
      },
    });
  });

  it('reads the sx1302 temperature and ignores fields it does not know', () => {
    expect(decodeStat({ temp: 23.2, boot: '2024-01-01 00:00:00 GMT', hal: '2.1.0' })).toEqual({
      ok: true,
      value: { temperature: 23.2 },
    });
  });

  it('has no location without GPS fields, or at 0,0 (no fix yet)', () => {
    expect(decodeStat({ rxnb: 1 })).toEqual({ ok: true, value: { rxPacketsReceived: 1 } });
    expect(decodeStat({ lati: 0, long: 0, alti: 0 })).toEqual({ ok: true, value: {} });
  });

  it('keeps a location without altitude, and ISO times; drops a time that does not parse', () => {
    expect(decodeStat({ lati: -33.9, long: 151.2, time: '2024-05-01T10:00:00Z' })).toEqual({
      ok: true,
      value: { location: { latitude: -33.9, longitude: 151.2 }, time: '2024-05-01T10:00:00.000Z' },
    });
    expect(decodeStat({ time: 'not a time' })).toEqual({ ok: true, value: {} });
    expect(decodeStat({ time: '1' })).toEqual({ ok: true, value: {} });
  });

  it.each([
    ['stat', 'up'],
    ['stat', [1]],
    ['stat.time', { time: 5 }],
    ['stat.lati', { lati: '46.24', long: 3.25 }],
    ['stat.lati', { lati: 91, long: 3.25 }],
    ['stat.lati', { long: 3.25 }],
    ['stat.long', { lati: 46.24 }],
    ['stat.long', { lati: 46.24, long: 181 }],
    ['stat.alti', { lati: 46.24, long: 3.25, alti: 'high' }],
    ['stat.alti', { alti: 'high' }],
    ['stat.rxnb', { rxnb: '2' }],
    ['stat.rxok', { rxok: -1 }],
    ['stat.txnb', { txnb: 1.5 }],
    ['stat.ackr', { ackr: 101 }],
    ['stat.ackr', { ackr: '100' }],
    ['stat.temp', { temp: 'warm' }],
  ])('refuses the whole stat when %s is wrong (%j)', (field, raw) => {
    expect(decodeStat(raw)).toMatchObject({ ok: false, error: { code: 'BAD_FIELD', field } });
  });
});
