import { mapError } from '@lns/api';
import { PublicKeyError } from '@lns/lorawan';
import { NotEndToEndError, TransportKeyNotFoundError } from '../transport-key.errors';

export const transportKeyNotFound = mapError(TransportKeyNotFoundError, {
  status: 404,
  field: 'kekLabel',
  reason: 'no such transport key in this application',
});

export const notEndToEnd = mapError(NotEndToEndError, {
  status: 400,
  field: 'id',
  reason: 'the application is not end-to-end (endToEnd: false)',
});

/** The AS's public key refused (not RSA, too short): the lorawan lib says why. */
export const publicKeyRefused = mapError(PublicKeyError, (err) => ({
  status: 400,
  field: 'publicKey',
  reason: err.reason,
}));
