import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatewayRepository } from './gateway.repository';
import { GatewayRegistry, newGatewayState } from './gateway-registry';
import { GatewayState } from './gateway-state';

/** How often last seen, location and counters are written behind to the database. */
export const WRITE_BEHIND_MS = 5_000;
/** Periodic write-behinds skipped in a row (database busy) before one waits for the lock: 30 s. */
export const MAX_SKIPPED_WRITES = 6;

export class GatewayAlreadyRegisteredError extends Error {
  constructor(readonly gatewayId: string) {
    super(`gateway ${gatewayId} is already registered`);
    this.name = 'GatewayAlreadyRegisteredError';
  }
}

export interface RegisterGateway {
  gatewayId: string;
  name: string;
  region?: string;
}

/**
 * Registration and persistence of gateways. Memory is authoritative: every row is
 * loaded at start, and the state the datagram path changes is written behind every
 * WRITE_BEHIND_MS and once more at shutdown, so no datagram waits for the database.
 */
@Injectable()
export class GatewayService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('GatewayBridge');
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Periodic write-behinds skipped in a row because the database was busy. */
  private skipped = 0;

  constructor(
    private readonly registry: GatewayRegistry,
    private readonly repository: GatewayRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const loaded = await this.repository.loadAll();
    for (const gw of loaded) this.registry.put(gw);
    this.logger.debug(`${loaded.length} registered gateways loaded`);
    this.timer = setInterval(() => void this.flush(false), WRITE_BEHIND_MS);
    this.timer.unref();
  }

  /**
   * The last flush. The DataSource is still open here: Nest gives global modules (the
   * TypeORM core module among them) the greatest distance, so their shutdown hooks run
   * after this one. The UDP socket is already closed (GatewayBridgeService.onModuleDestroy
   * runs before any shutdown hook), so nothing changes after this write.
   */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  list(): GatewayState[] {
    return this.registry.list();
  }

  get(gatewayId: string): GatewayState | undefined {
    return this.registry.get(gatewayId);
  }

  /**
   * Registers a gateway. One already let in by allowUnknown keeps what it has been
   * seen doing (counters, pull address) and becomes persistent.
   */
  async register(req: RegisterGateway): Promise<GatewayState> {
    const existing = this.registry.get(req.gatewayId);
    if (existing?.registered) throw new GatewayAlreadyRegisteredError(req.gatewayId);
    const gw: GatewayState = existing
      ? { ...existing, name: req.name, region: req.region ?? null, createdAt: new Date(), registered: true }
      : newGatewayState(req.gatewayId, req.name, req.region ?? null, new Date(), true);
    // In the registry first, so that datagrams arriving during the insert count on the new entry.
    this.registry.put(gw);
    try {
      await this.repository.insert(gw);
    } catch (err) {
      this.registry.remove(req.gatewayId);
      if (existing) this.registry.put(existing);
      throw err;
    }
    return gw;
  }

  /** True when the gateway existed (registered or let in by allowUnknown). */
  async remove(gatewayId: string): Promise<boolean> {
    const gw = this.registry.remove(gatewayId);
    const deleted = await this.repository.delete(gatewayId);
    return gw !== undefined || deleted;
  }

  /**
   * Writes every changed registered gateway; calls are serialised, never overlapping. The
   * periodic write-behind (`wait: false`) skips a turn rather than wait for the session writer's
   * lock; after MAX_SKIPPED_WRITES in a row it waits.
   */
  flush(wait = true): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeDirty(wait || this.skipped >= MAX_SKIPPED_WRITES));
    return this.flushing;
  }

  private async writeDirty(wait: boolean): Promise<void> {
    const dirty: GatewayState[] = [];
    for (const gw of this.registry.all()) {
      if (gw.registered && gw.dirty) {
        gw.dirty = false;
        dirty.push(gw);
      }
    }
    if (dirty.length === 0) return;
    try {
      if (await this.repository.saveStates(dirty, wait)) this.skipped = 0;
      else {
        for (const gw of dirty) gw.dirty = true;
        this.skipped++;
        this.logger.debug(`write-behind of ${dirty.length} gateways skipped: the database is busy`);
      }
    } catch (err) {
      for (const gw of dirty) gw.dirty = true;
      this.logger.error(`write-behind of ${dirty.length} gateways failed: ${String(err)}`);
    }
  }
}
