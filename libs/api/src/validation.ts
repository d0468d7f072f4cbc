import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { errorBody } from './http-errors';

export interface FieldError {
  field: string;
  reason: string;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** DTO validation for every route: unknown fields refused, each error names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException(
        errorBody(400, fields.map((f) => `${f.field}: ${f.reason}`).join('; '), fields),
      );
    },
  });
}
