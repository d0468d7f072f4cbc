import { mapError } from '@lns/api';
import { PublicKeyError } from '@lns/lorawan';
import { AsKeyNotFoundError } from './as-key.errors';

/** The AS's public key refused (not RSA, wrong size): the lorawan lib says why. */
export const publicKeyRefused = mapError(PublicKeyError, (err) => ({
  status: 400,
  field: 'publicKey',
  reason: err.reason,
}));

export const asKeyNotFound = mapError(AsKeyNotFoundError, {
  status: 404,
  field: 'kekLabel',
  reason: 'no such AS key on this join server',
});
