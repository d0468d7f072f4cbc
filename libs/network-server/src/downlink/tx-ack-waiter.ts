import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@lns/event-bus';
import { DownlinkTxAck } from '@lns/gateway-bridge';

export interface TxAckExpectation {
  /** The TX_ACK, or 'timeout' when none came within `timeoutMs`. */
  wait(timeoutMs: number): Promise<DownlinkTxAck | 'timeout'>;
  cancel(): void;
}

/**
 * Matches 'downlink.txack' events to the downlinks waiting for them, by downlinkId. The
 * expectation is registered before the PULL_RESP is sent: on a fast link the TX_ACK can come
 * back before sendDownlink() has resolved.
 */
@Injectable()
export class TxAckWaiter implements OnModuleDestroy {
  private readonly pending = new Map<string, (ack: DownlinkTxAck) => void>();
  private readonly off: () => void;

  constructor(bus: EventBus) {
    this.off = bus.on('downlink.txack', (ack) => {
      const resolve = this.pending.get(ack.downlinkId);
      if (resolve) resolve(ack);
    });
  }

  onModuleDestroy(): void {
    this.off();
  }

  expect(downlinkId: string): TxAckExpectation {
    let received: DownlinkTxAck | undefined;
    let notify: ((ack: DownlinkTxAck) => void) | undefined;
    this.pending.set(downlinkId, (ack) => {
      received = ack;
      this.pending.delete(downlinkId);
      notify?.(ack);
    });
    return {
      wait: (timeoutMs) => {
        if (received) return Promise.resolve(received);
        return new Promise((resolve) => {
          const timer = setTimeout(
            () => {
              this.pending.delete(downlinkId);
              resolve('timeout');
            },
            Math.max(0, timeoutMs),
          );
          notify = (ack) => {
            clearTimeout(timer);
            resolve(ack);
          };
        });
      },
      cancel: () => void this.pending.delete(downlinkId),
    };
  }

  /** Downlinks waiting for their TX_ACK. */
  get size(): number {
    return this.pending.size;
  }
}
