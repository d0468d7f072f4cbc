import { EventBus } from '@lns/event-bus';
import { DownlinkTxAck } from '@lns/gateway-bridge';
import { TxAckWaiter } from './tx-ack-waiter';

const ack = (downlinkId: string, error: DownlinkTxAck['error'] = 'NONE'): DownlinkTxAck => ({
  gatewayId: 'g',
  downlinkId,
  token: 1,
  error,
  receivedAt: 0,
});

describe('TxAckWaiter', () => {
  it('matches a TX_ACK to its downlink, even when it comes before wait()', async () => {
    const bus = new EventBus();
    const w = new TxAckWaiter(bus);
    const early = w.expect('1');
    const late = w.expect('2');
    bus.emit('downlink.txack', ack('1', 'TOO_LATE'));
    expect(await early.wait(1000)).toMatchObject({ error: 'TOO_LATE' });
    const waiting = late.wait(1000);
    bus.emit('downlink.txack', ack('2'));
    expect(await waiting).toMatchObject({ error: 'NONE' });
    expect(w.size).toBe(0);
    w.onModuleDestroy();
  });

  it("answers 'timeout' when none comes, and forgets cancelled expectations", async () => {
    const bus = new EventBus();
    const w = new TxAckWaiter(bus);
    expect(await w.expect('3').wait(5)).toBe('timeout');
    w.expect('4').cancel();
    expect(w.size).toBe(0);
  });
});
