export { TransportKeysModule } from './transport-keys.module';
export { TransportKeyService } from './transport-key.service';
export type { TransportKeyInfo, CreatedTransportKey } from './transport-key.service';
export { TransportKeyEntity } from './transport-key.entity';
export { NotEndToEndError, TransportKeyNotFoundError } from './transport-key.errors';
export { PublicKeyError, parseAsPublicKey, MIN_RSA_BITS as MIN_AS_RSA_BITS } from './rsa-public-key';
export { astkContext } from './kek-label';
