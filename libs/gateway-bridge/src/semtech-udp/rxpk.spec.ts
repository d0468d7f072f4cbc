import { decodeRxpk } from './rxpk';

const GW = '0016c001ff10a235';

function lora(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2013-03-31T16:21:17.528002Z',
    tmms: 1049994095528,
    tmst: 3512348611,
    chan: 2,
    rfch: 0,
    freq: 866.349812,
    stat: 1,
    modu: 'LORA',
    datr: 'SF7BW125',
    codr: '4/6',
    rssi: -35,
    lsnr: 5.1,
    size: 3,
    data: 'AQID',
    ...over,
  };
}

describe('decodeRxpk (PROTOCOL.TXT §4)', () => {
  it('decodes a LoRa packet into PHYPayload and typed metadata', () => {
    expect(decodeRxpk(lora(), GW, 'rxpk[0]')).toEqual({
      ok: true,
      value: {
        phyPayload: Buffer.from([1, 2, 3]),
        rx: {
          gatewayId: GW,
          tmst: 3512348611,
          time: '2013-03-31T16:21:17.528002Z',
          gpsTimeMs: 1049994095528,
          frequency: 866_349_812,
          channel: 2,
          rfChain: 0,
          crcStatus: 'CRC_OK',
          rssi: -35,
          snr: 5.1,
          size: 3,
        },
        tx: { modulation: 'LORA', spreadingFactor: 7, bandwidth: 125_000, codeRate: '4/6' },
      },
    });
  });

  it('rounds MHz to whole Hz (868.1 is not exact in binary)', () => {
    const r = decodeRxpk(lora({ freq: 868.1 }), GW, 'x');
    expect(r.ok && r.value.rx.frequency).toBe(868_100_000);
    const r2 = decodeRxpk(lora({ freq: 923.3 }), GW, 'x');
    expect(r2.ok && r2.value.rx.frequency).toBe(923_300_000);
  });

  it('decodes FSK: bit rate, no SNR, no coding rate', () => {
    const r = decodeRxpk(
      {
        tmst: 1,
        chan: 9,
        rfch: 1,
        freq: 869.1,
        stat: 1,
        modu: 'FSK',
        datr: 50000,
        rssi: -75,
        size: 3,
        data: 'AQID',
      },
      GW,
      'x',
    );
    expect(r).toMatchObject({
      ok: true,
      value: { tx: { modulation: 'FSK', bitRate: 50000 }, rx: { rssi: -75 } },
    });
    expect(r.ok && r.value.rx.snr).toBeUndefined();
  });

  it('accepts stat 0 (no CRC) and marks it', () => {
    const r = decodeRxpk(lora({ stat: 0 }), GW, 'x');
    expect(r.ok && r.value.rx.crcStatus).toBe('NO_CRC');
  });

  it('reports stat -1 as BAD_CRC, before checking anything else', () => {
    expect(decodeRxpk({ stat: -1 }, GW, 'rxpk[3]')).toMatchObject({
      ok: false,
      error: { code: 'BAD_CRC', field: 'rxpk[3].stat' },
    });
  });

  it('keeps tmst at the 32-bit edges', () => {
    for (const tmst of [0, 0xffffffff]) {
      const r = decodeRxpk(lora({ tmst }), GW, 'x');
      expect(r.ok && r.value.rx.tmst).toBe(tmst);
    }
  });

  it('leaves out time and tmms when absent, and a time that does not parse', () => {
    const r = decodeRxpk(lora({ time: undefined, tmms: undefined }), GW, 'x');
    expect(r.ok && 'time' in r.value.rx).toBe(false);
    expect(r.ok && 'gpsTimeMs' in r.value.rx).toBe(false);
    const r2 = decodeRxpk(lora({ time: '2013-13-45T99:99:99Z' }), GW, 'x');
    expect(r2.ok && 'time' in r2.value.rx).toBe(false);
    const r3 = decodeRxpk(lora({ time: 'yesterday' }), GW, 'x');
    expect(r3.ok && 'time' in r3.value.rx).toBe(false);
  });

  describe('rsig (multi-antenna forwarders)', () => {
    const rsig = [
      { ant: 0, chan: 2, rssic: -80, lsnr: 2.5 },
      { ant: 1, chan: 2, rssic: -72, lsnr: 7.25 },
    ];

    it('takes the best antenna when rssi and lsnr are missing', () => {
      const r = decodeRxpk(lora({ rssi: undefined, lsnr: undefined, rsig }), GW, 'x');
      expect(r).toMatchObject({ ok: true, value: { rx: { rssi: -72, snr: 7.25 } } });
    });

    it('prefers the top-level values when present', () => {
      const r = decodeRxpk(lora({ rsig }), GW, 'x');
      expect(r).toMatchObject({ ok: true, value: { rx: { rssi: -35, snr: 5.1 } } });
    });

    it('fills only the missing one', () => {
      const r = decodeRxpk(lora({ lsnr: undefined, rsig }), GW, 'x');
      expect(r).toMatchObject({ ok: true, value: { rx: { rssi: -35, snr: 7.25 } } });
    });

    it.each([
      ['not an array', { ant: 0 }, 'x.rsig'],
      ['an element not an object', [1], 'x.rsig[0]'],
      ['rssic a string', [{ rssic: '-70' }], 'x.rsig[0].rssic'],
      ['lsnr a string', [{ rssic: -70, lsnr: 'x' }], 'x.rsig[0].lsnr'],
      ['no rssic anywhere', [{ lsnr: 3 }], 'x.rssi'],
    ])('refuses rsig %s', (_name, value, field) => {
      expect(decodeRxpk(lora({ rssi: undefined, lsnr: undefined, rsig: value }), GW, 'x')).toMatchObject({
        ok: false,
        error: { code: 'BAD_FIELD', field },
      });
    });
  });

  it.each([
    ['not an object', 'rxpk', 'x'],
    ['an array', [], 'x'],
    ['null', null, 'x'],
  ])('refuses an element that is %s', (_name, raw, field) => {
    expect(decodeRxpk(raw, GW, 'x')).toMatchObject({ ok: false, error: { code: 'BAD_FIELD', field } });
  });

  it.each([
    ['stat', { stat: '1' }],
    ['stat', { stat: 2 }],
    ['stat', { stat: undefined }],
    ['modu', { modu: 'LR-FHSS' }],
    ['modu', { modu: 'lora' }],
    ['datr', { datr: 'SF7BW126' }],
    ['datr', { datr: 7 }],
    ['datr', { modu: 'FSK', datr: 'SF7BW125' }],
    ['codr', { codr: '4/9' }],
    ['codr', { codr: undefined }],
    ['tmst', { tmst: -1 }],
    ['tmst', { tmst: 2 ** 32 }],
    ['tmst', { tmst: 1.5 }],
    ['tmst', { tmst: '3512348611' }],
    ['tmst', { tmst: undefined }],
    ['freq', { freq: '868.1' }],
    ['freq', { freq: 0 }],
    ['freq', { freq: -868.1 }],
    ['freq', { freq: undefined }],
    ['chan', { chan: -1 }],
    ['chan', { chan: 'two' }],
    ['rfch', { rfch: 1.5 }],
    ['rfch', { rfch: undefined }],
    ['time', { time: 1364746877 }],
    ['tmms', { tmms: -5 }],
    ['tmms', { tmms: '1049994095528' }],
    ['rssi', { rssi: '-35' }],
    ['rssi', { rssi: undefined }],
    ['lsnr', { lsnr: 'high' }],
    ['data', { data: 42 }],
    ['size', { size: 4 }],
  ])('refuses a wrong %s (%j), naming the field', (field, over) => {
    expect(decodeRxpk(lora(over), GW, 'rxpk[1]')).toMatchObject({
      ok: false,
      error: { field: expect.stringContaining(`rxpk[1].${field}`) },
    });
  });
});
