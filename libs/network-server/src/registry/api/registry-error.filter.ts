import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import {
  RegistryConflictError,
  RegistryError,
  RegistryNotFoundError,
  RegistryUnavailableError,
  RegistryValidationError,
} from '../registry-errors';

/** The part of Express's response used here (@types/express is not a dependency). */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

const STATUS: Array<[abstract new (...args: never[]) => RegistryError, HttpStatus, string]> = [
  [RegistryValidationError, HttpStatus.BAD_REQUEST, 'Bad Request'],
  [RegistryConflictError, HttpStatus.CONFLICT, 'Conflict'],
  [RegistryNotFoundError, HttpStatus.NOT_FOUND, 'Not Found'],
  [RegistryUnavailableError, HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'],
];

/** The registry's typed errors as HTTP: the same body as the validation pipe's, `fields` naming each field. */
@Catch(RegistryError)
export class RegistryErrorFilter implements ExceptionFilter<RegistryError> {
  catch(err: RegistryError, host: ArgumentsHost): void {
    const [, statusCode, error] = STATUS.find(([type]) => err instanceof type) ?? [
      undefined,
      HttpStatus.BAD_REQUEST,
      'Bad Request',
    ];
    host
      .switchToHttp()
      .getResponse<JsonResponse>()
      .status(statusCode)
      .json({ statusCode, error, message: err.message, fields: err.fields });
  }
}
