import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * Who made a request, recorded on it by the auth guard: the admin (every route, every
 * application) or an API token limited to one application (ChirpStack's application API keys).
 */
export type ApiPrincipal =
  { kind: 'admin' } | { kind: 'application'; applicationId: string; readOnly: boolean; tokenId: string };

export const ADMIN_PRINCIPAL: ApiPrincipal = Object.freeze({ kind: 'admin' });

/** A symbol, so no body, header or other middleware can set or clash with it. */
const PRINCIPAL = Symbol('lns.api.principal');

type WithPrincipal = { [PRINCIPAL]?: ApiPrincipal };

export function setPrincipal(req: object, principal: ApiPrincipal): void {
  (req as WithPrincipal)[PRINCIPAL] = principal;
}

/** The caller of a request the guard let through; undefined on @Public() routes. */
export function principalOf(req: object): ApiPrincipal | undefined {
  return (req as WithPrincipal)[PRINCIPAL];
}

/** The caller as a handler parameter: `list(@Principal() caller: ApiPrincipal | undefined)`. */
export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  principalOf(ctx.switchToHttp().getRequest<object>()),
);

/**
 * The application a listing is limited to: an application token's own, whatever was asked
 * (the guard has already refused another one), else the admin's filter, if any.
 */
export function listedApplication(caller: ApiPrincipal | undefined, requested?: string): string | undefined {
  return caller?.kind === 'application' ? caller.applicationId : requested;
}
