import { timingSafeEqual, createHash } from 'node:crypto';
import {
  Abstract,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { LNS_SECRETS, Secrets } from '@lns/config';
import { APPLICATION_SCOPE, ApplicationScope, ScopeRequest } from './auth/application-scope';
import { ApplicationTokenVerifier } from './auth/application-token-verifier';
import { authorize } from './auth/authorize';
import { ADMIN_PRINCIPAL, ApiPrincipal, setPrincipal } from './auth/principal';

export const IS_PUBLIC = 'lns:isPublic';
/** Marks a route that needs no token (health, metrics, OpenAPI). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function unauthorized(): UnauthorizedException {
  return new UnauthorizedException({
    statusCode: 401,
    error: 'Unauthorized',
    message: 'missing or wrong bearer token',
  });
}

type HttpRequest = ScopeRequest & { headers?: Record<string, string | string[] | undefined> };

/**
 * `Authorization: Bearer <token>` on every route not marked @Public(): the admin token opens
 * everything; an API token limited to one application (when this process keeps them: an
 * ApplicationTokenVerifier is provided) opens only the routes marked @ApplicationScoped, for its
 * own application. Unknown or missing token: 401; known token, wrong route or application: 403.
 * The caller is recorded on the request (principalOf, @Principal()).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  /** Providers found in the application, once each: the verifier, the scopes' lookups. */
  private readonly peers = new Map<Abstract<unknown>, unknown>();

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    @Inject(LNS_SECRETS) secrets: Secrets,
  ) {
    this.expected = digest(secrets.adminToken);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<HttpRequest>();
    const header = req.headers?.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!m) throw unauthorized();
    const token = m[1].trim();
    // Comparing digests keeps the comparison constant-time whatever the presented length.
    if (timingSafeEqual(digest(token), this.expected)) {
      setPrincipal(req, ADMIN_PRINCIPAL);
      return true;
    }
    const caller = await this.verify(token);
    if (!caller) throw unauthorized();
    if (caller.kind === 'application') {
      const scope = this.reflector.getAllAndOverride<ApplicationScope | undefined>(
        APPLICATION_SCOPE,
        targets,
      );
      await authorize(caller, scope, req, (t) => this.peer(t));
    }
    setPrincipal(req, caller);
    return true;
  }

  private async verify(token: string): Promise<ApiPrincipal | null> {
    const verifier = this.peer(ApplicationTokenVerifier);
    const grant = verifier ? await verifier.verify(token) : null;
    if (!grant) return null;
    if (grant.applicationId === null) return ADMIN_PRINCIPAL;
    return {
      kind: 'application',
      applicationId: grant.applicationId,
      readOnly: grant.readOnly,
      tokenId: grant.tokenId ?? '',
    };
  }

  /**
   * A provider of another module, looked up when a request first needs it (the application is
   * fully built by then), so libs/api imports none of the libs that provide them. A process
   * without it (the standalone join server has no application tokens) remembers that too.
   */
  private peer<T>(token: Abstract<T>): T | undefined {
    if (this.peers.has(token)) return this.peers.get(token) as T | undefined;
    let found: T | undefined;
    try {
      found = this.moduleRef.get<T>(token, { strict: false });
    } catch {
      found = undefined;
    }
    this.peers.set(token, found);
    return found;
  }
}
