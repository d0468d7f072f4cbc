import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ManufacturerCredentials } from './manufacturer-credentials';

/**
 * Routes of manufacturers (records, owner tokens, QR codes): the manufacturer or the admin token. These
 * routes are @Public() for the global admin guard, which would refuse the manufacturer token.
 */
@Injectable()
export class ManufacturerTokenGuard implements CanActivate {
  constructor(private readonly credentials: ManufacturerCredentials) {}

  canActivate(ctx: ExecutionContext): boolean {
    const header: string | undefined = ctx.switchToHttp().getRequest().headers?.authorization;
    if (!this.credentials.accepts(header)) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing or wrong bearer token (manufacturer or admin token)',
      });
    }
    return true;
  }
}
