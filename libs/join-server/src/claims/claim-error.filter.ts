import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { ClaimRefusedError, ClaimThrottledError } from './claim-errors';

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

@Catch(ClaimRefusedError, ClaimThrottledError)
export class ClaimErrorFilter implements ExceptionFilter<ClaimRefusedError | ClaimThrottledError> {
  catch(err: ClaimRefusedError | ClaimThrottledError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof ClaimRefusedError) {
      res.status(REFUSAL.statusCode).json(REFUSAL);
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
