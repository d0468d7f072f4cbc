import { mappedErrorBody } from '@lns/api';
import { PublicKeyError } from '@lns/lorawan';
import { AsKeyNotFoundError } from './as-key.errors';
import { asKeyNotFound, publicKeyRefused } from './as-keys.http-errors';

describe('AS key errors over HTTP', () => {
  it("a refused public key is a 400 naming publicKey with the lorawan lib's reason", () => {
    expect(mappedErrorBody([publicKeyRefused], new PublicKeyError('is not RSA'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'publicKey: is not RSA',
      fields: [{ field: 'publicKey', reason: 'is not RSA' }],
    });
  });

  it('a missing AS key is a 404 naming kekLabel', () => {
    expect(JSON.stringify(mappedErrorBody([asKeyNotFound], new AsKeyNotFoundError('as:7')))).toBe(
      '{"statusCode":404,"error":"Not Found","message":"no AS key as:7 on this join server","fields":[{"field":"kekLabel","reason":"no such AS key on this join server"}]}',
    );
  });
});
