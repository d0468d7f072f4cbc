import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { KeyWrapping } from '@lns/join-server';
import { newTransportKey, parseAsPublicKey } from '@lns/lorawan';
import { KeyCipher } from '@lns/storage';
import { ApplicationNotFoundError } from '../tokens/api-token.errors';
import { astkContext, newKekLabel } from './kek-label';
import { TransportKeyEntity } from './transport-key.entity';
import { NotEndToEndError, TransportKeyNotFoundError } from './transport-key.errors';
import { TransportKeyRepository } from './transport-key.repository';

/** A transport key as listed: never the ASTK, in any form. */
export interface TransportKeyInfo {
  kekLabel: string;
  applicationId: string;
  publicKeySha256: string;
  createdAt: Date;
  revokedAt: Date | null;
  /** New joins of the application's devices wrap their AppSKey under this one. */
  current: boolean;
}

export interface CreatedTransportKey extends TransportKeyInfo {
  /** The ASTK, RSA-OAEP-SHA256 encrypted under the AS public key, base64: only the AS can open it. */
  wrappedKey: string;
}

interface ActiveKey {
  kekLabel: string;
  /** Sealed under the master key; opened only for the moment of a join. */
  sealed: Buffer;
}

/**
 * AS transport keys (ASTK) of end-to-end applications: made here from `crypto.randomBytes`, handed to the
 * application server only encrypted under its RSA public key (RSA-OAEP-SHA256), kept sealed under the master
 * key. The newest key not revoked is the application's current one: the join server wraps new sessions'
 * AppSKeys under it (RFC 3394). Rotation is creating a new key; sessions made under an older key keep their
 * envelope. The keys not revoked are held in memory (still sealed), so a join reads no database.
 */
@Injectable()
export class TransportKeyService implements OnModuleInit {
  private readonly logger = new Logger('TransportKeys');
  /** Per application, oldest first; the last is current. */
  private readonly active = new Map<string, ActiveKey[]>();
  /** Per-application chains: creations and revocations of one application one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repository: TransportKeyRepository,
    private readonly cipher: KeyCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const row of await this.repository.loadActive()) this.push(row);
  }

  /**
   * A new ASTK for the application, returned only encrypted under `publicKeyPem`. Throws
   * ApplicationNotFoundError, NotEndToEndError, or PublicKeyError (the key is not RSA ≥ 2048 bits).
   */
  async create(applicationId: string, publicKeyPem: unknown, now = new Date()): Promise<CreatedTransportKey> {
    await this.requireEndToEnd(applicationId);
    const publicKey = parseAsPublicKey(publicKeyPem);
    return this.serialized(applicationId, async () => {
      // Strictly increasing per application, so "newest" is never a tie, after a restart either.
      const newest = await this.repository.newestCreatedAt(applicationId);
      const createdAt = newest && newest.getTime() >= now.getTime() ? new Date(newest.getTime() + 1) : now;
      const kekLabel = newKekLabel();
      const { astk, wrappedKey } = newTransportKey(publicKey);
      try {
        const row = new TransportKeyEntity();
        row.kekLabel = kekLabel;
        row.applicationId = applicationId;
        row.astk = this.cipher.encrypt(astk, astkContext(applicationId, kekLabel));
        row.publicKeySha256 = publicKey.fingerprint;
        row.createdAt = createdAt;
        row.revokedAt = null;
        await this.repository.insert(row);
        this.push(row);
        this.logger.log(
          `application ${applicationId}: AS transport key ${kekLabel} created (RSA-${publicKey.bits} public key sha256 ${publicKey.fingerprint}); new joins use it`,
        );
        return { ...this.info(row), wrappedKey };
      } finally {
        astk.fill(0);
      }
    });
  }

  /** The application's keys, oldest first; throws ApplicationNotFoundError. */
  async list(applicationId: string): Promise<TransportKeyInfo[]> {
    await this.requireApplication(applicationId);
    return (await this.repository.listByApplication(applicationId)).map((row) => this.info(row));
  }

  /**
   * Revokes a key: no new session is wrapped under it, the newest other key not revoked becomes current.
   * Revoking a revoked key changes nothing. Throws ApplicationNotFoundError or TransportKeyNotFoundError.
   */
  async revoke(applicationId: string, kekLabel: string, now = new Date()): Promise<TransportKeyInfo> {
    await this.requireApplication(applicationId);
    return this.serialized(applicationId, async () => {
      const row = await this.repository.find(applicationId, kekLabel);
      if (!row) throw new TransportKeyNotFoundError(applicationId, kekLabel);
      if (row.revokedAt !== null) return this.info(row);
      await this.repository.markRevoked(applicationId, kekLabel, now);
      row.revokedAt = now;
      const left = (this.active.get(applicationId) ?? []).filter((k) => k.kekLabel !== kekLabel);
      if (left.length > 0) this.active.set(applicationId, left);
      else this.active.delete(applicationId);
      const current = left[left.length - 1]?.kekLabel;
      if (current) {
        this.logger.log(
          `application ${applicationId}: AS transport key ${kekLabel} revoked; current is ${current}`,
        );
      } else {
        this.logger.warn(
          `application ${applicationId}: AS transport key ${kekLabel} revoked, none left: joins of its devices are refused until a new one is created`,
        );
      }
      return this.info(row);
    });
  }

  /** The KEK label new joins of the application are wrapped under, if any. */
  currentLabel(applicationId: string): string | undefined {
    const keys = this.active.get(applicationId);
    return keys?.[keys.length - 1]?.kekLabel;
  }

  /**
   * The current ASTK in clear with its label, for the join server to wrap one AppSKey under; undefined when
   * the application has none (the join is then refused). From memory: no database read.
   */
  currentWrapping(applicationId: string): KeyWrapping | undefined {
    const keys = this.active.get(applicationId);
    const key = keys?.[keys.length - 1];
    if (!key) return undefined;
    try {
      return {
        kekLabel: key.kekLabel,
        kek: this.cipher.decrypt(key.sealed, astkContext(applicationId, key.kekLabel)),
      };
    } catch {
      // A wrong master key or a row moved elsewhere: refuse the join rather than wrap under a wrong key.
      this.logger.error(`application ${applicationId}: AS transport key ${key.kekLabel} does not unseal`);
      return undefined;
    }
  }

  private info(row: TransportKeyEntity): TransportKeyInfo {
    return {
      kekLabel: row.kekLabel,
      applicationId: row.applicationId,
      publicKeySha256: row.publicKeySha256,
      createdAt: row.createdAt,
      revokedAt: row.revokedAt,
      current: row.revokedAt === null && this.currentLabel(row.applicationId) === row.kekLabel,
    };
  }

  private push(row: TransportKeyEntity): void {
    const keys = this.active.get(row.applicationId) ?? [];
    keys.push({ kekLabel: row.kekLabel, sealed: row.astk });
    this.active.set(row.applicationId, keys);
  }

  private async requireApplication(applicationId: string): Promise<boolean> {
    const endToEnd = await this.repository.endToEnd(applicationId);
    if (endToEnd === undefined) throw new ApplicationNotFoundError(applicationId);
    return endToEnd;
  }

  private async requireEndToEnd(applicationId: string): Promise<void> {
    if (!(await this.requireApplication(applicationId))) throw new NotEndToEndError(applicationId);
  }

  private serialized<T>(applicationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(applicationId) ?? Promise.resolve();
    const next = previous.then(work);
    const settled = next.catch(() => undefined);
    this.chains.set(applicationId, settled);
    void settled.then(() => {
      if (this.chains.get(applicationId) === settled) this.chains.delete(applicationId);
    });
    return next;
  }
}
