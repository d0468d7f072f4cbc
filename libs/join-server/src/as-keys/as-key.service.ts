import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { newTransportKey, parseAsPublicKey } from '@lns/lorawan';
import { KeyCipher } from '@lns/storage';
import { KeyWrapping } from '../join/join-request';
import { asKeyContext, newAsKeyLabel } from './as-key-label';
import { JsAsKeyEntity } from './as-key.entity';
import { AsKeyNotFoundError } from './as-key.errors';
import { AsKeyRepository } from './as-key.repository';

/** An AS key as listed: never the ASTK, in any form. */
export interface AsKeyInfo {
  kekLabel: string;
  name: string | null;
  publicKeySha256: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface CreatedAsKey extends AsKeyInfo {
  /** The ASTK, RSA-OAEP-SHA256 encrypted under the AS public key, base64: only the AS can open it. */
  wrappedKey: string;
}

/** What the join path may do with a KEK label a claim named. */
export type AsKeyWrapping =
  | { state: 'active'; wrapping: KeyWrapping }
  /** Revoked, or its sealed ASTK does not open: the AppSKey must not leave for this owner at all. */
  | { state: 'unusable'; reason: string }
  /** Not an AS key of this join server (e.g. apps/lns's own application ASTK). */
  | { state: 'unknown' };

interface CachedKey {
  /** Sealed under the master key; opened only for the moment of a join. */
  sealed: Buffer;
  revoked: boolean;
}

/**
 * AS keys of the join server (TS002 §6.x: the JS wraps the AppSKey under a KEK it shares with the AS, named
 * by its KEKLabel): an ASTK made here from `crypto.randomBytes` for one application server, handed to it only
 * RSA-OAEP-SHA256 encrypted under its public key, kept sealed under the master key, listable without key
 * material, revocable. A device's owner names one by its label in the claim; the AppSKeys of that device
 * are then wrapped under it in JoinAns and AppSKeyAns (ClaimedAppSKeyKek). Every key, revoked or not, is held
 * in memory (still sealed), so a join reads no database and a revoked one is told from an unknown one.
 */
@Injectable()
export class AsKeyService implements OnModuleInit {
  private readonly logger = new Logger('JoinServer');
  private readonly keys = new Map<string, CachedKey>();

  constructor(
    private readonly repository: AsKeyRepository,
    private readonly cipher: KeyCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const row of await this.repository.loadAll()) this.remember(row);
  }

  /**
   * A new ASTK for the application server whose public key this is, returned only encrypted under it.
   * Throws PublicKeyError (not RSA 2048 to 16384 bits, not PEM, a private key).
   */
  async create(publicKeyPem: unknown, name?: string, now = new Date()): Promise<CreatedAsKey> {
    const publicKey = parseAsPublicKey(publicKeyPem);
    const kekLabel = newAsKeyLabel();
    const { astk, wrappedKey } = newTransportKey(publicKey);
    try {
      const row = new JsAsKeyEntity();
      row.kekLabel = kekLabel;
      row.name = name ?? null;
      row.astk = this.cipher.encrypt(astk, asKeyContext(kekLabel));
      row.publicKeySha256 = publicKey.fingerprint;
      row.createdAt = now;
      row.revokedAt = null;
      await this.repository.insert(row);
      this.remember(row);
      this.logger.log(
        `AS key ${kekLabel}${row.name ? ` (${row.name})` : ''} created for RSA-${publicKey.bits} public key sha256 ${publicKey.fingerprint}`,
      );
      return { ...info(row), wrappedKey };
    } finally {
      astk.fill(0);
    }
  }

  /** Every key, oldest first, without key material. */
  async list(): Promise<AsKeyInfo[]> {
    return (await this.repository.list()).map(info);
  }

  /**
   * Revokes a key: no AppSKey is wrapped under it from now on, and the joins of devices whose claim names it
   * are refused (no other key stands in for it). Revoking a revoked key changes nothing. Throws
   * AsKeyNotFoundError.
   */
  async revoke(kekLabel: string, now = new Date()): Promise<AsKeyInfo> {
    const row = await this.repository.find(kekLabel);
    if (!row) throw new AsKeyNotFoundError(kekLabel);
    if (row.revokedAt === null) {
      await this.repository.markRevoked(kekLabel, now);
      row.revokedAt = now;
      this.logger.warn(
        `AS key ${kekLabel} revoked: devices whose claim names it are refused their joins until claimed again with another key`,
      );
    }
    this.remember(row);
    return info(row);
  }

  /** Whether a claim may name this label: an AS key of this join server, not revoked. */
  usable(kekLabel: string): boolean {
    const key = this.keys.get(kekLabel);
    return key !== undefined && !key.revoked;
  }

  /** Whether this join server ever made a key of this label (revoked or not). */
  knows(kekLabel: string): boolean {
    return this.keys.has(kekLabel);
  }

  /**
   * The ASTK in clear with its label, for the join server to wrap one AppSKey under: opened from memory
   * (no database read) into a fresh buffer for each join.
   */
  wrappingFor(kekLabel: string): AsKeyWrapping {
    const key = this.keys.get(kekLabel);
    if (!key) return { state: 'unknown' };
    if (key.revoked) return { state: 'unusable', reason: `AS key ${kekLabel} was revoked` };
    try {
      return {
        state: 'active',
        wrapping: { kekLabel, kek: this.cipher.decrypt(key.sealed, asKeyContext(kekLabel)) },
      };
    } catch {
      // A wrong master key or a row moved elsewhere: refuse rather than wrap under a wrong key.
      this.logger.error(`AS key ${kekLabel} does not unseal under the master key`);
      return { state: 'unusable', reason: `AS key ${kekLabel} cannot be opened on this join server` };
    }
  }

  private remember(row: JsAsKeyEntity): void {
    this.keys.set(row.kekLabel, { sealed: row.astk, revoked: row.revokedAt !== null });
  }
}

function info(row: JsAsKeyEntity): AsKeyInfo {
  return {
    kekLabel: row.kekLabel,
    name: row.name,
    publicKeySha256: row.publicKeySha256,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}
