// The public face of the join server: other libs import only from here.
export * from './errors';
export {
  JS_MAC_VERSIONS,
  DEV_NONCE_POLICIES,
  defaultDevNoncePolicy,
  isDevNoncePolicy,
  isJsMacVersion,
  toJsDeviceView,
} from './device/js-device';
export type { JsMacVersion, DevNoncePolicy, JsDeviceView } from './device/js-device';
export { JsDeviceEntity } from './device/js-device.entity';
export { JsDeviceRepository } from './device/js-device.repository';
export { USED_DEV_NONCE_LIMIT } from './join/dev-nonce';
export { JOIN_NONCE_MAX } from './join/join-nonce';
export * from './join/join-request';
export { JoinServerService } from './join-server.service';
export type { DeviceKeysInput } from './join-server.service';
export { JoinServerModule } from './join-server.module';
export * from './backend-interfaces';
// Manufacturer records, owner tokens, claims and TR005 QR codes.
export { buildTr005, parseTr005, Tr005Error, TR005_MAX_LENGTH, UNKNOWN_PROFILE_ID } from './qr/tr005';
export type { Tr005Code, ParsedTr005, Tr005ErrorCode } from './qr/tr005';
export { crc16Modbus } from './qr/crc16-modbus';
export { renderQr, QR_FORMATS } from './qr/qr-image';
export type { QrFormat } from './qr/qr-image';
export { ManufacturerModule } from './manufacturer/manufacturer.module';
export { ManufacturerService } from './manufacturer/manufacturer.service';
export type { IssuedOwnerToken } from './manufacturer/manufacturer.service';
export { ManufacturerError } from './manufacturer/manufacturer-errors';
export type { ManufacturerErrorCode } from './manufacturer/manufacturer-errors';
export { ManufacturerCredentials } from './manufacturer/manufacturer-credentials';
export { installManufacturerImportBody, MAX_IMPORT_BYTES } from './manufacturer/import-body';
export { MAX_IMPORT_RECORDS } from './manufacturer/import-records';
export { ClaimService, CLAIM_MAX_FAILURES, CLAIM_FAILURE_WINDOW_MS } from './claims/claim.service';
export type { ClaimInput, ClaimResult } from './claims/claim.service';
export { ClaimRefusedError, ClaimThrottledError } from './claims/claim-errors';
export { ClaimKekLabelError } from './claims/claim-errors';
export { DeviceOwnershipRegistry } from './claims/device-ownership';
export { ClaimedAppSKeyKek } from './claims/claimed-app-s-key-kek';
// AS keys: ASTKs of application servers, named by claims (`/api/js/as-keys`).
export { AsKeysModule } from './as-keys/as-keys.module';
export { AsKeyService } from './as-keys/as-key.service';
export type { AsKeyInfo, CreatedAsKey, AsKeyWrapping } from './as-keys/as-key.service';
export { JsAsKeyEntity } from './as-keys/as-key.entity';
export { AsKeyNotFoundError } from './as-keys/as-key.errors';
export type { DeviceOwnership } from './claims/device-ownership';
