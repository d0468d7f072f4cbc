import { parseHeader } from './header';
import { parseJsonObject } from './json-body';
import { PacketType } from './packet-type';
import { decodePushData, MAX_RXPK_PER_DATAGRAM } from './push-data';

const GW = 'aa555a0000000101';

/** PROTOCOL.TXT §4, the rxpk example verbatim (white-space as in the document). */
const PROTOCOL_TXT_RXPK = `{"rxpk":[
	{
		"time":"2013-03-31T16:21:17.528002Z",
		"tmst":3512348611,
		"chan":2,
		"rfch":0,
		"freq":866.349812,
		"stat":1,
		"modu":"LORA",
		"datr":"SF7BW125",
		"codr":"4/6",
		"rssi":-35,
		"lsnr":5.1,
		"size":32,
		"data":"-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84"
	},{
		"time":"2013-03-31T16:21:17.530974Z",
		"tmst":3512348514,
		"chan":9,
		"rfch":1,
		"freq":869.1,
		"stat":1,
		"modu":"FSK",
		"datr":50000,
		"rssi":-75,
		"size":16,
		"data":"VEVTVF9QQUNLRVRfMTIzNA=="
	},{
		"time":"2013-03-31T16:21:17.532038Z",
		"tmst":3316387610,
		"chan":0,
		"rfch":0,
		"freq":863.00981,
		"stat":1,
		"modu":"LORA",
		"datr":"SF10BW125",
		"codr":"4/7",
		"rssi":-38,
		"lsnr":5.5,
		"size":32,
		"data":"ysgRl452xNLep9S1NTIg2lomKDxUgn3DJ7DE+b00Ass"
	}
]}`;

/** PROTOCOL.TXT §4, the stat example verbatim. */
const PROTOCOL_TXT_STAT = `{"stat":{
	"time":"2014-01-12 08:59:28 GMT",
	"lati":46.24000,
	"long":3.25230,
	"alti":145,
	"rxnb":2,
	"rxok":2,
	"rxfw":2,
	"ackr":100.0,
	"dwnb":2,
	"txnb":2
}}`;

function pushData(version: 1 | 2, token: number, json: string): Buffer {
  return Buffer.concat([
    Buffer.from([version, token >> 8, token & 0xff, PacketType.PUSH_DATA]),
    Buffer.from(GW, 'hex'),
    Buffer.from(json),
  ]);
}

function decodeDatagram(buf: Buffer) {
  const header = parseHeader(buf);
  if (!header.ok) throw new Error(header.error.message);
  const body = parseJsonObject(buf, 12);
  if (!body.ok) throw new Error(body.error.message);
  return { header: header.value, content: decodePushData(body.value, header.value.gatewayId!) };
}

describe('decodePushData', () => {
  it.each([1, 2] as const)("decodes PROTOCOL.TXT's rxpk example in a version %i datagram", (version) => {
    const { header, content } = decodeDatagram(pushData(version, 0x1234, PROTOCOL_TXT_RXPK));
    expect(header).toEqual({ version, token: 0x1234, type: PacketType.PUSH_DATA, gatewayId: GW });
    expect(content.ok).toBe(true);
    if (!content.ok) return;
    const { packets, rxpkCount, badCrc, rejected } = content.value;
    expect({ rxpkCount, badCrc, rejected }).toEqual({ rxpkCount: 3, badCrc: 0, rejected: [] });
    expect(packets.map((p) => [p.rx.frequency, p.rx.tmst, p.rx.size, p.phyPayload.length])).toEqual([
      [866_349_812, 3512348611, 32, 32],
      [869_100_000, 3512348514, 16, 16],
      [863_009_810, 3316387610, 32, 32],
    ]);
    expect(packets[0].tx).toEqual({
      modulation: 'LORA',
      spreadingFactor: 7,
      bandwidth: 125_000,
      codeRate: '4/6',
    });
    expect(packets[1].tx).toEqual({ modulation: 'FSK', bitRate: 50000 });
    expect(packets[1].phyPayload.toString()).toBe('TEST_PACKET_1234');
    expect(packets[2].tx).toMatchObject({ spreadingFactor: 10, codeRate: '4/7' });
    expect(packets.every((p) => p.rx.gatewayId === GW)).toBe(true);
  });

  it("decodes PROTOCOL.TXT's stat example alone", () => {
    const { content } = decodeDatagram(pushData(2, 1, PROTOCOL_TXT_STAT));
    expect(content).toMatchObject({
      ok: true,
      value: {
        packets: [],
        rxpkCount: 0,
        stat: { location: { latitude: 46.24, longitude: 3.2523, altitude: 145 } },
      },
    });
  });

  it('counts CRC failures apart from refused rxpk, and keeps the good ones', () => {
    const good = {
      tmst: 1,
      chan: 0,
      rfch: 0,
      freq: 868.1,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -50,
      lsnr: 9,
      size: 1,
      data: 'AA==',
    };
    const r = decodePushData(
      { rxpk: [good, { ...good, stat: -1 }, { ...good, freq: 'x' }, { ...good, stat: 0 }] },
      GW,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.packets.map((p) => p.rx.crcStatus)).toEqual(['CRC_OK', 'NO_CRC']);
    expect(r.value.badCrc).toBe(1);
    expect(r.value.rejected).toEqual([expect.objectContaining({ code: 'BAD_FIELD', field: 'rxpk[2].freq' })]);
    expect(r.value.rxpkCount).toBe(4);
  });

  it('ignores a stat with wrong types but still uses the rxpk', () => {
    const good = {
      tmst: 1,
      chan: 0,
      rfch: 0,
      freq: 868.1,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -50,
      lsnr: 9,
      size: 1,
      data: 'AA==',
    };
    const r = decodePushData({ rxpk: [good], stat: { lati: 'north', long: 3 } }, GW);
    expect(r).toMatchObject({ ok: true, value: { statError: { code: 'BAD_FIELD', field: 'stat.lati' } } });
    expect(r.ok && r.value.packets).toHaveLength(1);
    expect(r.ok && r.value.stat).toBeUndefined();
  });

  it('accepts an empty object and an empty rxpk array as nothing', () => {
    expect(decodePushData({}, GW)).toEqual({
      ok: true,
      value: { packets: [], rxpkCount: 0, badCrc: 0, rejected: [] },
    });
    expect(decodePushData({ rxpk: [] }, GW)).toMatchObject({ ok: true, value: { rxpkCount: 0 } });
  });

  it(`refuses more than ${MAX_RXPK_PER_DATAGRAM} rxpk whole, and takes exactly that many`, () => {
    expect(decodePushData({ rxpk: new Array(MAX_RXPK_PER_DATAGRAM + 1).fill({}) }, GW)).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_RXPK', field: 'rxpk' },
    });
    expect(decodePushData({ rxpk: new Array(MAX_RXPK_PER_DATAGRAM).fill({ stat: -1 }) }, GW)).toMatchObject({
      ok: true,
      value: { badCrc: MAX_RXPK_PER_DATAGRAM },
    });
  });

  it.each([
    ['rxpk', { rxpk: { tmst: 1 } }],
    ['rxpk', { rxpk: 'none' }],
    ['stat', { stat: [1, 2] }],
    ['stat', { stat: 'ok' }],
  ])('refuses %s of the wrong type (%j)', (field, body) => {
    expect(decodePushData(body, GW)).toMatchObject({ ok: false, error: { code: 'BAD_FIELD', field } });
  });
});
