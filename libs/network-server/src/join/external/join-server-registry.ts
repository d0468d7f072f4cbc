import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { KeyWrapping } from '@lns/join-server';
import { KeyCipher } from '@lns/storage';
import { JoinServerDirectory } from '../../registry/join-server-directory';
import {
  RegistryConflictError,
  RegistryNotFoundError,
  RegistryValidationError,
} from '../../registry/registry-errors';
import { RegistryService } from '../../registry/registry.service';
import {
  checkJoinServer,
  CreateJoinServer,
  joinServerKeyContext,
  JoinServerRecord,
  JoinServerView,
  normalizeJoinEuis,
  toJoinServerView,
} from './join-server-record';
import { JoinServerRepository } from './join-server.repository';
import { createAgent, JoinServerTransport } from './join-server-transport';

/**
 * The external join servers (`POST /api/join-servers`): loaded at start and kept in memory, so a join
 * reads no database. Routing is per device (`joinServer: <id>` in the device registry); the JoinEUIs a
 * join server lists find it for provisioning by JoinEUI (`findByJoinEui`), so a JoinEUI is routed to one
 * join server only. Secrets stay sealed in memory and are opened when a connection is built.
 */
@Injectable()
export class JoinServerRegistry extends JoinServerDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('JoinServers');
  private readonly servers = new Map<string, JoinServerRecord>();
  private readonly byJoinEui = new Map<string, string>();
  private readonly transports = new Map<string, JoinServerTransport>();

  constructor(
    private readonly repository: JoinServerRepository,
    private readonly cipher: KeyCipher,
    private readonly devices: RegistryService,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    for (const r of await this.repository.loadAll()) this.remember(r);
    this.logger.log(`${this.servers.size} external join servers loaded`);
  }

  onModuleDestroy(): void {
    for (const t of this.transports.values()) t.agent.destroy();
    this.transports.clear();
  }

  has(id: string): boolean {
    return this.servers.has(id);
  }

  get(id: string): JoinServerView | undefined {
    const r = this.servers.get(id);
    return r && toJoinServerView(r);
  }

  /** Oldest first. */
  list(): JoinServerView[] {
    return [...this.servers.values()].map(toJoinServerView);
  }

  /** The join server a JoinEUI is routed to (16 hex digits, any case), or undefined. */
  findByJoinEui(joinEui: string): JoinServerView | undefined {
    const id = typeof joinEui === 'string' ? this.byJoinEui.get(joinEui.toLowerCase()) : undefined;
    return id === undefined ? undefined : this.get(id);
  }

  /** Validates, seals the secrets, stores, then serves it. Throws RegistryValidationError / RegistryConflictError. */
  async create(input: CreateJoinServer): Promise<JoinServerView> {
    const errors = checkJoinServer(input);
    if (errors.length > 0) throw new RegistryValidationError(errors);
    const joinEuis = normalizeJoinEuis(input.joinEuis);
    const taken = joinEuis
      .map((e, i) => ({ e, i, other: this.byJoinEui.get(e) }))
      .filter((x) => x.other !== undefined);
    if (taken.length > 0) {
      throw new RegistryConflictError(
        taken.map((x) => ({ field: `joinEuis.${x.i}`, reason: `already routed to join server ${x.other}` })),
      );
    }
    const id = randomUUID();
    const seal = (v: string | undefined, context: string, encoding: BufferEncoding) =>
      v === undefined ? null : this.cipher.encrypt(Buffer.from(v, encoding), context);
    const record: JoinServerRecord = {
      id,
      name: input.name,
      url: new URL(input.url).toString(),
      joinEuis,
      kekLabel: input.kekLabel ?? null,
      kekSealed: seal(input.kek, joinServerKeyContext.kek(id), 'hex'),
      tokenSealed: seal(input.token, joinServerKeyContext.token(id), 'utf8'),
      caCert: input.caCert ?? null,
      clientCert: input.clientCert ?? null,
      clientKeySealed: seal(input.clientKey, joinServerKeyContext.clientKey(id), 'utf8'),
      createdAt: new Date(),
    };
    // Served (and its JoinEUIs taken) before the await, so two concurrent creates cannot both claim a JoinEUI.
    this.remember(record);
    try {
      await this.repository.insert(record);
    } catch (err) {
      this.forget(id);
      throw err;
    }
    this.logger.log(`join server ${id} (${record.name}) registered: ${record.url}`);
    return toJoinServerView(record);
  }

  /** Refused (409) while a device still joins through it. */
  async delete(id: string): Promise<void> {
    if (!this.servers.has(id))
      throw new RegistryNotFoundError([{ field: 'id', reason: 'no such join server' }]);
    const users = (this.devices.listDevices() ?? []).filter((c) => c.device.joinServer === id).length;
    if (users > 0) {
      throw new RegistryConflictError([
        {
          field: 'id',
          reason: `${users} device(s) join through this join server; delete or move them first`,
        },
      ]);
    }
    await this.repository.delete(id);
    this.forget(id);
  }

  /**
   * How to reach the join server (credentials opened, a keep-alive pool built on first use), or undefined
   * when it is not registered or its secrets do not open under the master key. For Backend Interfaces
   * requests and for other calls to the same join server (claims).
   */
  transport(id: string): JoinServerTransport | undefined {
    const cached = this.transports.get(id);
    if (cached) return cached;
    const r = this.servers.get(id);
    if (!r) return undefined;
    try {
      const token = r.tokenSealed && this.cipher.decrypt(r.tokenSealed, joinServerKeyContext.token(id));
      const key =
        r.clientKeySealed && this.cipher.decrypt(r.clientKeySealed, joinServerKeyContext.clientKey(id));
      const url = new URL(r.url);
      const t: JoinServerTransport = {
        url,
        ...(token ? { authorization: `Bearer ${token.toString('utf8')}` } : {}),
        agent: createAgent(url, {
          ca: r.caCert ?? undefined,
          cert: r.clientCert ?? undefined,
          key: key ?? undefined,
        }),
      };
      this.transports.set(id, t);
      return t;
    } catch {
      // A master key change or a tampered row: say so without any secret.
      this.logger.error(`join server ${id}: its secrets do not open under the master key`);
      return undefined;
    }
  }

  /**
   * The KEK shared with this join server (TS002 KeyEnvelope), to unwrap what it wraps for us; undefined
   * when none is registered. Throws when it is registered but does not open.
   */
  keyEncryptionKey(id: string): KeyWrapping | undefined {
    const r = this.servers.get(id);
    if (!r || !r.kekSealed || r.kekLabel === null) return undefined;
    return { kekLabel: r.kekLabel, kek: this.cipher.decrypt(r.kekSealed, joinServerKeyContext.kek(id)) };
  }

  private remember(r: JoinServerRecord): void {
    this.servers.set(r.id, r);
    for (const e of r.joinEuis) {
      const other = this.byJoinEui.get(e);
      if (other !== undefined && other !== r.id) {
        this.logger.warn(`JoinEUI ${e} is listed by join servers ${other} and ${r.id}: routed to ${other}`);
        continue;
      }
      this.byJoinEui.set(e, r.id);
    }
  }

  private forget(id: string): void {
    const r = this.servers.get(id);
    this.servers.delete(id);
    for (const [e, owner] of this.byJoinEui) if (owner === id) this.byJoinEui.delete(e);
    // A JoinEUI the deleted one shadowed goes to the next join server listing it.
    if (r)
      for (const other of this.servers.values())
        if (other.joinEuis.some((e) => r.joinEuis.includes(e))) this.remember(other);
    this.transports.get(id)?.agent.destroy();
    this.transports.delete(id);
  }
}
