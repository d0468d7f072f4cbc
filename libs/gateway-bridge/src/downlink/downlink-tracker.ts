import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';

export interface PendingDownlink {
  gatewayId: string;
  downlinkId: string;
  token: number;
  expiresAt: number;
}

/**
 * How long a PULL_RESP waits for its TX_ACK. lora_pkt_fwd answers as soon as the packet
 * is in (or refused by) its JIT queue, well before it is sent; seconds are plenty even
 * over a slow backhaul.
 */
export const TX_ACK_WAIT_MS = 10_000;

/**
 * PULL_RESP tokens waiting for their TX_ACK (PROTOCOL.TXT §5.5), per gateway, so that
 * the answer finds its downlink. Tokens are random per PULL_RESP (version 2) and never
 * reused while pending on the same gateway.
 */
@Injectable()
export class DownlinkTracker {
  private readonly pending = new Map<string, Map<number, PendingDownlink>>();
  /** Replaced in tests for determinism. */
  randomToken: () => number = () => randomInt(1, 0x10000);

  reserve(gatewayId: string, downlinkId: string, now: number): PendingDownlink {
    let forGateway = this.pending.get(gatewayId);
    if (!forGateway) {
      forGateway = new Map();
      this.pending.set(gatewayId, forGateway);
    }
    let token = this.randomToken();
    // 65535 tokens against at most a few pending: a collision is rare, a full map impossible in TX_ACK_WAIT_MS.
    for (let tries = 0; forGateway.has(token) && tries < 0x10000; tries++) token = (token % 0xffff) + 1;
    const entry: PendingDownlink = { gatewayId, downlinkId, token, expiresAt: now + TX_ACK_WAIT_MS };
    forGateway.set(token, entry);
    return entry;
  }

  /** The pending downlink for this TX_ACK, removed; undefined when unknown or expired. */
  take(gatewayId: string, token: number, now: number): PendingDownlink | undefined {
    const forGateway = this.pending.get(gatewayId);
    const entry = forGateway?.get(token);
    if (!forGateway || !entry) return undefined;
    forGateway.delete(token);
    if (forGateway.size === 0) this.pending.delete(gatewayId);
    return entry.expiresAt >= now ? entry : undefined;
  }

  cancel(entry: PendingDownlink): void {
    this.take(entry.gatewayId, entry.token, -Infinity);
  }

  /** Removes and returns the downlinks whose TX_ACK never came. */
  sweep(now: number): PendingDownlink[] {
    const expired: PendingDownlink[] = [];
    for (const [gatewayId, forGateway] of this.pending) {
      for (const [token, entry] of forGateway) {
        if (entry.expiresAt < now) {
          forGateway.delete(token);
          expired.push(entry);
        }
      }
      if (forGateway.size === 0) this.pending.delete(gatewayId);
    }
    return expired;
  }

  get size(): number {
    let n = 0;
    for (const forGateway of this.pending.values()) n += forGateway.size;
    return n;
  }
}
