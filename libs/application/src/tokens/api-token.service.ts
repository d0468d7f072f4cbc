import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ApplicationTokenVerifier } from '@lns/api';
import { LNS_SECRETS, Secrets } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenNotFoundError, ApplicationNotFoundError } from './api-token.errors';
import { ApiTokenRepository } from './api-token.repository';
import { generateApiToken, hashApiToken, isApiTokenFormat } from './token-format';
import './token-events';

/** What a presented token grants. */
export interface VerifiedToken {
  /** null: the admin token, every application. */
  applicationId: string | null;
  readOnly: boolean;
  /** The application token's id; null for the admin token. */
  tokenId: string | null;
}

/** A token as listed: never the token, never its hash. */
export interface ApiTokenInfo {
  id: string;
  applicationId: string;
  name: string;
  readOnly: boolean;
  createdAt: Date;
}

export interface CreatedApiToken extends ApiTokenInfo {
  /** Shown once; only its SHA-256 is kept. */
  token: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function toInfo(row: ApiTokenEntity): ApiTokenInfo {
  return {
    id: row.id,
    applicationId: row.applicationId,
    name: row.name,
    readOnly: row.readOnly,
    createdAt: row.createdAt,
  };
}

/**
 * API tokens: the admin token (every application) and tokens limited to one application,
 * for MQTT logins and REST (the guard of libs/api, through ApplicationTokenVerifier). Tokens are
 * 256 random bits, stored as SHA-256 only.
 */
@Injectable()
export class ApiTokenService implements ApplicationTokenVerifier {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly repository: ApiTokenRepository,
    private readonly bus: EventBus,
    @Inject(LNS_SECRETS) secrets: Secrets,
  ) {
    this.adminDigest = digest(secrets.adminToken);
  }

  /**
   * What the token grants, or null for an unknown (or revoked) token. The admin token is
   * compared by digest in constant time, whatever the presented length.
   */
  async verify(token: string): Promise<VerifiedToken | null> {
    if (typeof token !== 'string' || token.length === 0) return null;
    if (timingSafeEqual(digest(token), this.adminDigest)) {
      return { applicationId: null, readOnly: false, tokenId: null };
    }
    if (!isApiTokenFormat(token)) return null;
    const row = await this.repository.findByHash(hashApiToken(token));
    return row ? { applicationId: row.applicationId, readOnly: row.readOnly, tokenId: row.id } : null;
  }

  /** A new token for the application; throws ApplicationNotFoundError. */
  async create(applicationId: string, opts: { name: string; readOnly?: boolean }): Promise<CreatedApiToken> {
    await this.requireApplication(applicationId);
    const token = generateApiToken();
    const row = new ApiTokenEntity();
    row.id = randomUUID();
    row.applicationId = applicationId;
    row.name = opts.name;
    row.tokenHash = hashApiToken(token);
    row.readOnly = opts.readOnly ?? false;
    row.createdAt = new Date();
    await this.repository.insert(row);
    return { ...toInfo(row), token };
  }

  /** The application's tokens, oldest first; throws ApplicationNotFoundError. */
  async list(applicationId: string): Promise<ApiTokenInfo[]> {
    await this.requireApplication(applicationId);
    return (await this.repository.listByApplication(applicationId)).map(toInfo);
  }

  /**
   * Deletes the token; its MQTT connections are closed ('application.token.revoked') and
   * it is refused from then on. Throws ApplicationNotFoundError or ApiTokenNotFoundError.
   */
  async revoke(applicationId: string, tokenId: string): Promise<void> {
    await this.requireApplication(applicationId);
    if (!(await this.repository.delete(applicationId, tokenId))) {
      throw new ApiTokenNotFoundError(applicationId, tokenId);
    }
    this.bus.emit('application.token.revoked', { tokenId, applicationId });
  }

  private async requireApplication(applicationId: string): Promise<void> {
    if (!(await this.repository.applicationExists(applicationId))) {
      throw new ApplicationNotFoundError(applicationId);
    }
  }
}
