import { Provider } from '@nestjs/common';
import { ApplicationTokenVerifier } from '@lns/api';
import { ApiTokenService } from './api-token.service';

/**
 * The REST guard (libs/api) checks application tokens through this: the same tokens, and the
 * same revocation, as the MQTT logins.
 */
export const apiTokenVerifierProvider: Provider = {
  provide: ApplicationTokenVerifier,
  useExisting: ApiTokenService,
};
