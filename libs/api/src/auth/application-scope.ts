import { Abstract, applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';

/** The parts of an HTTP request a scope reads: Express's, before any pipe has run. */
export interface ScopeRequest {
  method: string;
  params?: Record<string, string | undefined>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Finds a provider anywhere in the application (e.g. the device registry), or undefined. */
export type PeerLookup = <T>(token: Abstract<T>) => T | undefined;

/**
 * How a route opened to application tokens finds the application a request is about. Routes
 * without one are the admin's alone: an application token gets 403 there.
 */
export interface ApplicationScope {
  /** The request field that names the application, named in the 403 (`id`, `applicationId`, …). */
  readonly field: string;
  /**
   * The application the request addresses; undefined when it names none. May throw the route's
   * own error instead (a device of another application answers as a missing device does).
   */
  applicationOf(req: ScopeRequest, peers: PeerLookup): string | undefined | Promise<string | undefined>;
  /**
   * A request naming no application is let through: the handler limits itself to the caller's
   * application (a listing), or serves what every application shares (device profiles).
   */
  readonly mayNameNone?: boolean;
  /**
   * The answer when the request addresses another application; by default a 403 naming `field`.
   * Where existence itself is private (DevEUIs), the route's own "not found" instead.
   */
  otherApplication?(req: ScopeRequest): Error;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The application is the route parameter `name` (`/applications/:id/...`). */
export function applicationParam(name = 'id'): ApplicationScope {
  return { field: name, applicationOf: (req) => stringOrUndefined(req.params?.[name]) };
}

/** The application is the body's `name` field (creating a device in it); a body without it is refused. */
export function applicationInBody(name = 'applicationId'): ApplicationScope {
  return {
    field: name,
    applicationOf: (req) =>
      req.body !== null && typeof req.body === 'object'
        ? stringOrUndefined((req.body as Record<string, unknown>)[name])
        : undefined,
  };
}

/** An optional filter in the query (`?applicationId=`); without it the handler lists the caller's. */
export function applicationFilterInQuery(name = 'applicationId'): ApplicationScope {
  return { field: name, mayNameNone: true, applicationOf: (req) => stringOrUndefined(req.query?.[name]) };
}

/** Network-wide settings every application uses and may read (device profiles); no application's data. */
export const SHARED_WITH_APPLICATIONS: ApplicationScope = Object.freeze({
  field: 'application',
  mayNameNone: true,
  applicationOf: () => undefined,
});

export const APPLICATION_SCOPE = 'lns:applicationScope';

/**
 * Opens a route (or every route of a controller) to API tokens limited to one application,
 * for that application's resources only, found as `scope` says. A read-only token may only GET.
 * Without this decorator a route is the admin token's alone.
 */
export function ApplicationScoped(scope: ApplicationScope): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(APPLICATION_SCOPE, scope),
    ApiForbiddenResponse({
      description: "an application token on another application's resource, or a read-only token on a write",
    }),
  );
}
