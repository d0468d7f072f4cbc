import { mapError } from '@lns/api';
import { ApiTokenNotFoundError, ApplicationNotFoundError } from '../api-token.errors';

/** Every route under `/applications/:id/...` of this lib answers a missing application so. */
export const applicationNotFound = mapError(ApplicationNotFoundError, {
  status: 404,
  field: 'id',
  reason: 'no such application',
});

export const apiTokenNotFound = mapError(ApiTokenNotFoundError, {
  status: 404,
  field: 'tokenId',
  reason: 'no such token in this application',
});
