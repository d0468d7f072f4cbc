import { decodePushData, PacketType } from '../semtech-udp';
import { decodeInWorker } from './worker-handover';
import { RXPK } from '../testing/rxpk';

const GW = '0016c001ff10a235';
const HEADER = { version: 2, token: 7, type: PacketType.PUSH_DATA, gatewayId: GW } as const;

describe('decodeInWorker', () => {
  it('gives the gateway counts for the main thread and the good packets as copies, dated at the socket', () => {
    const body = { rxpk: [RXPK, { ...RXPK, stat: -1 }, { stat: 1 }, { ...RXPK, tmst: 2000 }] };
    const d = decodeInWorker(HEADER, body, 1_234)!;
    expect(d.push).toEqual({
      header: HEADER,
      rxpkCount: 4,
      badCrc: 1,
      packets: 2,
      rejected: [expect.objectContaining({ code: 'BAD_FIELD', field: 'rxpk[2].modu' })],
    });
    const main = decodePushData(body, GW);
    if (!main.ok) throw new Error('must decode');
    expect(d.copies).toEqual(main.value.packets.map((p) => ({ ...p, receivedAt: 1_234 })));
  });

  it('passes a status report on, and a refused one as an error', () => {
    expect(decodeInWorker(HEADER, { stat: { rxnb: 3 } }, 1)!.push.stat).toMatchObject({
      rxPacketsReceived: 3,
    });
    expect(decodeInWorker(HEADER, { stat: { rxnb: 'x' } }, 1)!.push.statError).toMatchObject({
      code: 'BAD_FIELD',
    });
  });

  it('is null when the body as a whole does not decode: the main thread then judges the datagram', () => {
    expect(decodeInWorker(HEADER, { rxpk: 1 }, 1)).toBeNull();
    expect(decodeInWorker(HEADER, { stat: [] }, 1)).toBeNull();
    expect(decodeInWorker(HEADER, { rxpk: new Array(256).fill(RXPK) }, 1)).toBeNull();
  });
});
