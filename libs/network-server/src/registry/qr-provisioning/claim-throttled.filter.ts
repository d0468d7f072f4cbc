import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { ClaimThrottledByJoinServer } from './device-claim';

interface Response {
  status(code: number): { json(body: unknown): void };
  setHeader(name: string, value: string): void;
}

/** The join server's throttle passed on: 429 with Retry-After (RFC 9110 §10.2.3). */
@Catch(ClaimThrottledByJoinServer)
export class ClaimThrottledFilter implements ExceptionFilter<ClaimThrottledByJoinServer> {
  catch(err: ClaimThrottledByJoinServer, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(HttpStatus.TOO_MANY_REQUESTS).json({
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      error: 'Too Many Requests',
      message: err.message,
      fields: err.fields,
    });
  }
}
