import { DeduplicatedUplink } from '@lns/gateway-bridge';
import { DeviceSession } from '../session/device-session';
import { copyOf } from './ns-test-support';
import { Authenticated } from './session-matcher';
import { recordHeard } from './uplink-frame';

function uplink(gateways: string[], receivedAt: number): DeduplicatedUplink {
  const phyPayload = Buffer.from('40', 'hex');
  const copies = gateways.map((gatewayId, i) =>
    copyOf(phyPayload, { gatewayId, snr: 10 - i, tmst: 1_000 * (i + 1), receivedAt, frequency: 868_300_000 }),
  );
  return {
    deduplicationId: 'd',
    phyPayload,
    copies,
    firstReceivedAt: receivedAt,
    windowDueAt: 0,
    windowClosedAt: 0,
  };
}

const auth = (fCnt: number) => ({ fCnt, dataRate: 5, channel: 1 }) as Authenticated;

describe('recordHeard', () => {
  it("keeps the device's last uplink: its gateways, radio, counter and time", () => {
    const session = {} as DeviceSession;
    recordHeard(session, uplink(['g1', 'g2', 'g3'], 1_000), auth(7), true);
    expect(session.lastSeenAt).toBe(1_000);
    expect(session.lastUplink).toEqual({
      gateways: [
        { gatewayId: 'g1', rssi: -80, snr: 10, tmst: 1_000, rfChain: 0, receivedAt: 1_000 },
        { gatewayId: 'g2', rssi: -80, snr: 9, tmst: 2_000, rfChain: 0, receivedAt: 1_000 },
        { gatewayId: 'g3', rssi: -80, snr: 8, tmst: 3_000, rfChain: 0, receivedAt: 1_000 },
      ],
      dataRate: 5,
      frequency: 868_300_000,
      channel: 1,
      fCnt: 7,
      confirmed: true,
      receivedAt: 1_000,
    });
  });

  it('writes the next uplink over the same objects, with as many gateways as heard it', () => {
    const session = {} as DeviceSession;
    recordHeard(session, uplink(['g1', 'g2', 'g3'], 1_000), auth(7), true);
    const { lastUplink } = session;
    const { gateways } = lastUplink!;
    const first = gateways[0];
    recordHeard(session, uplink(['g4'], 2_000), auth(8), false);
    expect(session.lastUplink).toBe(lastUplink);
    expect(session.lastUplink!.gateways).toBe(gateways);
    expect(gateways).toEqual([
      { gatewayId: 'g4', rssi: -80, snr: 10, tmst: 1_000, rfChain: 0, receivedAt: 2_000 },
    ]);
    expect(gateways[0]).toBe(first);
    expect(lastUplink).toMatchObject({ fCnt: 8, confirmed: false, receivedAt: 2_000 });
    recordHeard(session, uplink(['g5', 'g6'], 3_000), auth(9), false);
    expect(gateways.map((g) => g.gatewayId)).toEqual(['g5', 'g6']);
  });
});
