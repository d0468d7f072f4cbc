import { mappedErrorBody } from '@lns/api';
import { PublicKeyError } from '@lns/lorawan';
import { NotEndToEndError, TransportKeyNotFoundError } from '../transport-key.errors';
import { notEndToEnd, publicKeyRefused, transportKeyNotFound } from './transport-key.http-errors';

describe('transport key errors over HTTP', () => {
  it('a missing transport key is a 404 naming kekLabel', () => {
    expect(mappedErrorBody([transportKeyNotFound], new TransportKeyNotFoundError('app1', 'as:1'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'application app1 has no transport key as:1',
      fields: [{ field: 'kekLabel', reason: 'no such transport key in this application' }],
    });
  });

  it('an application that is not end-to-end is a 400 naming id', () => {
    expect(mappedErrorBody([notEndToEnd], new NotEndToEndError('app1'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: new NotEndToEndError('app1').message,
      fields: [{ field: 'id', reason: 'the application is not end-to-end (endToEnd: false)' }],
    });
  });

  it("a refused public key is a 400 naming publicKey with the lorawan lib's reason", () => {
    expect(JSON.stringify(mappedErrorBody([publicKeyRefused], new PublicKeyError('must be RSA')))).toBe(
      '{"statusCode":400,"error":"Bad Request","message":"publicKey: must be RSA","fields":[{"field":"publicKey","reason":"must be RSA"}]}',
    );
  });
});
