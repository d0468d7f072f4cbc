import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { ClaimKekLabelError, ClaimRefusedError, ClaimThrottledError } from './claim-errors';

interface Response {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
}

/** One body for every refusal: it must not tell an unknown DevEUI from a wrong or used token. */
const REFUSAL = {
  statusCode: HttpStatus.FORBIDDEN,
  error: 'Forbidden',
  message: new ClaimRefusedError().message,
  fields: [{ field: 'ownerToken', reason: 'does not match a device that can be claimed with this DevEUI' }],
};

type ClaimError = ClaimRefusedError | ClaimThrottledError | ClaimKekLabelError;

@Catch(ClaimRefusedError, ClaimThrottledError, ClaimKekLabelError)
export class ClaimErrorFilter implements ExceptionFilter<ClaimError> {
  catch(err: ClaimError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof ClaimRefusedError) {
      res.status(REFUSAL.statusCode).json(REFUSAL);
      return;
    }
    if (err instanceof ClaimKekLabelError) {
      res.status(HttpStatus.BAD_REQUEST).json({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: err.message,
        fields: [{ field: 'kekLabel', reason: err.reason }],
      });
      return;
    }
    // RFC 9110 §10.2.3: seconds to wait.
    res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(HttpStatus.TOO_MANY_REQUESTS).json({
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      error: 'Too Many Requests',
      message: err.message,
      fields: [
        { field: 'ownerToken', reason: `too many refused claims; retry after ${err.retryAfterSeconds} s` },
      ],
    });
  }
}
