import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { ManufacturerError, ManufacturerErrorCode } from './manufacturer-errors';

/** The part of Express's response used here (@types/express is not a dependency). */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

const STATUS: Record<ManufacturerErrorCode, [HttpStatus, string]> = {
  INVALID_RECORDS: [HttpStatus.BAD_REQUEST, 'Bad Request'],
  DUPLICATE_RECORDS: [HttpStatus.CONFLICT, 'Conflict'],
  UNKNOWN_RECORD: [HttpStatus.NOT_FOUND, 'Not Found'],
  TOKEN_USED: [HttpStatus.CONFLICT, 'Conflict'],
  UNSUPPORTED_MEDIA_TYPE: [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported Media Type'],
  BODY_TOO_LARGE: [HttpStatus.PAYLOAD_TOO_LARGE, 'Payload Too Large'],
};

/**
 * ManufacturerError as HTTP: the validation pipe's body, `fields` naming each problem, with the line of
 * the record (CSV line, or position in a JSON array) when it is about one.
 */
@Catch(ManufacturerError)
export class ManufacturerErrorFilter implements ExceptionFilter<ManufacturerError> {
  catch(err: ManufacturerError, host: ArgumentsHost): void {
    const [statusCode, error] = STATUS[err.code];
    host
      .switchToHttp()
      .getResponse<JsonResponse>()
      .status(statusCode)
      .json({ statusCode, error, message: err.message, fields: err.problems });
  }
}
