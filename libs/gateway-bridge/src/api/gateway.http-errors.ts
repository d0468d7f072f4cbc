import { mapError } from '@lns/api';
import { GatewayAlreadyRegisteredError } from '../gateway/gateway.service';

export const gatewayAlreadyRegistered = mapError(GatewayAlreadyRegisteredError, {
  status: 409,
  field: 'gatewayId',
  reason: 'already registered',
});
