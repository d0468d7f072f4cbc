import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ConflictException,
  ExceptionFilter,
  ForbiddenException,
  HttpException,
  NotFoundException,
  UseFilters,
} from '@nestjs/common';
import { FieldError } from './validation';

/** The 4xx a typed error may answer, with the phrase (`error`) and exception Nest's own exceptions have. */
const STATUSES = {
  400: ['Bad Request', BadRequestException],
  403: ['Forbidden', ForbiddenException],
  404: ['Not Found', NotFoundException],
  409: ['Conflict', ConflictException],
} as const;

export type ErrorStatus = keyof typeof STATUSES;

/** The API's error body (CONTRACT.md "Errors"), the validation pipe's: clients compare it, key order included. */
export interface ErrorBody {
  statusCode: ErrorStatus;
  error: string;
  message: string;
  fields: FieldError[];
}

export function errorBody(statusCode: ErrorStatus, message: string, fields: FieldError[]): ErrorBody {
  return { statusCode, error: STATUSES[statusCode][0], message, fields };
}

/** A 4xx naming one field, for a route that finds the fault itself (no such device, not registered). */
export function fieldError(
  statusCode: ErrorStatus,
  message: string,
  field: string,
  reason: string,
): HttpException {
  return new STATUSES[statusCode][1](errorBody(statusCode, message, [{ field, reason }]));
}

/** What a lib's typed error answers over HTTP; `message` is the error's own unless given. */
export interface ErrorAnswer {
  status: ErrorStatus;
  field: string;
  reason: string;
  message?: string;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * How one error class of a lib answers over HTTP. Declared beside the lib's controllers (the lib's errors
 * know nothing of HTTP, and libs/lorawan may not import this lib), applied with `@MapErrors`.
 */
export interface ErrorMapping<E extends Error = Error> {
  readonly type: ErrorClass<E>;
  // A method, so that a mapping of a subclass stands in a list of ErrorMapping.
  answer(err: E): ErrorAnswer;
}

export function mapError<E extends Error>(
  type: ErrorClass<E>,
  answer: ErrorAnswer | ((err: E) => ErrorAnswer),
): ErrorMapping<E> {
  return { type, answer: typeof answer === 'function' ? answer : () => answer };
}

/** The body the first mapping whose class `err` is an instance of gives it; undefined when none is about it. */
export function mappedErrorBody(mappings: readonly ErrorMapping[], err: unknown): ErrorBody | undefined {
  const mapping = mappings.find((m) => err instanceof m.type);
  if (!mapping) return undefined;
  const a = mapping.answer(err as Error);
  return errorBody(a.status, a.message ?? (err as Error).message, [{ field: a.field, reason: a.reason }]);
}

/** The exception a route throws for a typed error it makes itself (e.g. for its scope guard). */
export function mappedException<E extends Error>(mapping: ErrorMapping<E>, err: E): HttpException {
  const body = mappedErrorBody([mapping], err) as ErrorBody;
  return new STATUSES[body.statusCode][1](body);
}

/** The part of Express's response used here (@types/express is not a dependency). */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * On a controller (or a route): the typed errors its services throw answer as the mappings say, with the
 * error body; any other error goes on to Nest's handling as before. Scoped to the routes that declare
 * them, so an error that escapes another route keeps that route's answer.
 */
export function MapErrors(...mappings: ErrorMapping[]): ClassDecorator & MethodDecorator {
  @Catch(...mappings.map((m) => m.type))
  class TypedErrorFilter implements ExceptionFilter<Error> {
    catch(err: Error, host: ArgumentsHost): void {
      // @Catch hands over only errors of the listed classes, so a mapping is found.
      const body = mappedErrorBody(mappings, err) as ErrorBody;
      host.switchToHttp().getResponse<JsonResponse>().status(body.statusCode).json(body);
    }
  }
  return UseFilters(new TypedErrorFilter());
}
