import { mappedErrorBody } from '@lns/api';
import { ApiTokenNotFoundError, ApplicationNotFoundError } from '../api-token.errors';
import { apiTokenNotFound, applicationNotFound } from './api-token.http-errors';

// The bodies CONTRACT.md clients read, key order included.
describe('API token errors over HTTP', () => {
  it('a missing application is a 404 naming id', () => {
    expect(JSON.stringify(mappedErrorBody([applicationNotFound], new ApplicationNotFoundError('app1')))).toBe(
      '{"statusCode":404,"error":"Not Found","message":"application app1 does not exist","fields":[{"field":"id","reason":"no such application"}]}',
    );
  });

  it('a missing token is a 404 naming tokenId', () => {
    expect(mappedErrorBody([apiTokenNotFound], new ApiTokenNotFoundError('app1', 'tok1'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'application app1 has no token tok1',
      fields: [{ field: 'tokenId', reason: 'no such token in this application' }],
    });
  });
});
