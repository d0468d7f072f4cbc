import { ApiPrincipal } from './principal';
import { ApplicationScope, PeerLookup, ScopeRequest } from './application-scope';
import { forbidden, forbiddenField } from './forbidden';

/** What a read-only token may do: read (ChirpStack's read-only API keys alike). */
const READ_METHODS = new Set(['GET', 'HEAD']);

type ApplicationPrincipal = Extract<ApiPrincipal, { kind: 'application' }>;

/**
 * Whether an application token may make this request; throws a 403 naming why, or the route's
 * own error when its scope hides a resource of another application. The admin never comes here.
 * Order matters: the route and the method are checked before any lookup, so a refused token
 * learns nothing about what exists.
 */
export async function authorize(
  caller: ApplicationPrincipal,
  scope: ApplicationScope | undefined,
  req: ScopeRequest,
  peers: PeerLookup,
): Promise<void> {
  if (!scope) {
    throw forbidden('this route needs the admin token: an application token may not use it');
  }
  if (caller.readOnly && !READ_METHODS.has(req.method.toUpperCase())) {
    throw forbidden(`this token is read-only: it may not ${req.method.toUpperCase()}`);
  }
  const applicationId = await scope.applicationOf(req, peers);
  if (applicationId === undefined) {
    if (scope.mayNameNone) return;
    throw forbiddenField(scope.field, "must name this token's application");
  }
  if (applicationId !== caller.applicationId) {
    throw scope.otherApplication?.(req) ?? forbiddenField(scope.field, "not this token's application");
  }
}
