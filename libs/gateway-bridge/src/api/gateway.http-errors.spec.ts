import { mappedErrorBody } from '@lns/api';
import { GatewayAlreadyRegisteredError } from '../gateway/gateway.service';
import { gatewayAlreadyRegistered } from './gateway.http-errors';

describe('gateway errors over HTTP', () => {
  it('a second registration is a 409 naming gatewayId', () => {
    expect(
      JSON.stringify(
        mappedErrorBody([gatewayAlreadyRegistered], new GatewayAlreadyRegisteredError('0102030405060708')),
      ),
    ).toBe(
      '{"statusCode":409,"error":"Conflict","message":"gateway 0102030405060708 is already registered","fields":[{"field":"gatewayId","reason":"already registered"}]}',
    );
  });
});
