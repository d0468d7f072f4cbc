export { TransportKeysModule } from './transport-keys.module';
export { TransportKeyService } from './transport-key.service';
export type { TransportKeyInfo, CreatedTransportKey } from './transport-key.service';
export { TransportKeyEntity } from './transport-key.entity';
export { NotEndToEndError, TransportKeyNotFoundError } from './transport-key.errors';
// The public key checks and the RSA-OAEP encryption are shared with the join server's AS keys (libs/lorawan).
export { PublicKeyError, parseAsPublicKey, MIN_RSA_BITS as MIN_AS_RSA_BITS } from '@lns/lorawan';
export { astkContext } from './kek-label';
