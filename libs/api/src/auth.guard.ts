import { timingSafeEqual, createHash } from 'node:crypto';
import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LNS_SECRETS, Secrets } from '@lns/config';

export const IS_PUBLIC = 'lns:isPublic';
/** Marks a route that needs no token (health, metrics, OpenAPI). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** `Authorization: Bearer <admin token>` on every route not marked @Public(). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(LNS_SECRETS) secrets: Secrets,
  ) {
    this.expected = digest(secrets.adminToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic) return true;
    const header: string | undefined = ctx.switchToHttp().getRequest().headers?.authorization;
    const m = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    // Comparing digests keeps the comparison constant-time whatever the presented length.
    if (!m || !timingSafeEqual(digest(m[1].trim()), this.expected)) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing or wrong bearer token',
      });
    }
    return true;
  }
}
