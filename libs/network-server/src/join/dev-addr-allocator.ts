import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { SessionStore } from '../session/session-store';
import { DevAddrRange, devAddrOf, devAddrRange } from './net-id';

/** Random draws before the allocator walks the whole range (a nearly full type 6/7 NetID). */
const RANDOM_TRIES = 32;
/** How long a DevAddr handed out stays reserved if its session is never activated (join refused, error). */
const RESERVATION_MS = 30_000;

export class DevAddrExhaustedError extends Error {
  constructor(range: DevAddrRange) {
    super(
      `no free DevAddr in the NetID's range (type ${range.netIdType}, ${2 ** range.nwkAddrBits} addresses)`,
    );
    this.name = 'DevAddrExhaustedError';
  }
}

/**
 * Picks a DevAddr for a joining device: inside the NetID's range (TS002 §13), at random (so addresses
 * tell nothing about join order and collide rarely when several processes allocate), never one an active
 * session holds nor one handed out moments ago for a join still in flight.
 */
export function pickDevAddr(
  range: DevAddrRange,
  taken: (devAddr: number) => boolean,
  random: (max: number) => number,
): number | undefined {
  const size = 2 ** range.nwkAddrBits;
  for (let i = 0; i < RANDOM_TRIES; i++) {
    const a = devAddrOf(range, random(size));
    if (!taken(a)) return a;
  }
  // Nearly full: walk the range once from a random start.
  const start = random(size);
  for (let i = 0; i < size; i++) {
    const a = devAddrOf(range, (start + i) % size);
    if (!taken(a)) return a;
  }
  return undefined;
}

@Injectable()
export class DevAddrAllocator {
  readonly range: DevAddrRange;
  readonly netId: number;
  private readonly reserved = new Map<number, number>();

  constructor(
    @Inject(LNS_CONFIG) config: LnsConfig,
    private readonly sessions: SessionStore,
  ) {
    this.netId = parseInt(config.netId, 16);
    this.range = devAddrRange(this.netId);
  }

  /** A free DevAddr, reserved until `release` or RESERVATION_MS; throws DevAddrExhaustedError. */
  allocate(now = Date.now(), random: (max: number) => number = randomBelow): number {
    for (const [a, until] of this.reserved) if (until <= now) this.reserved.delete(a);
    const devAddr = pickDevAddr(
      this.range,
      (a) => this.reserved.has(a) || this.sessions.devAddrInUse(a),
      random,
    );
    if (devAddr === undefined) throw new DevAddrExhaustedError(this.range);
    this.reserved.set(devAddr, now + RESERVATION_MS);
    return devAddr;
  }

  /** The session holding `devAddr` is active (or the join failed): the store now answers for it. */
  release(devAddr: number): void {
    this.reserved.delete(devAddr);
  }
}

/** node's randomInt takes at most 2^48; NwkAddr has at most 25 bits. */
function randomBelow(max: number): number {
  return randomInt(max);
}
