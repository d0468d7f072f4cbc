import { ForbiddenException } from '@nestjs/common';

/** A 403 in the API's error shape (statusCode, error, message). */
export function forbidden(message: string): ForbiddenException {
  return new ForbiddenException({ statusCode: 403, error: 'Forbidden', message });
}

/** A 403 about one request field, named in `fields` as the validation errors name theirs. */
export function forbiddenField(field: string, reason: string): ForbiddenException {
  return new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    message: `${field}: ${reason}`,
    fields: [{ field, reason }],
  });
}
