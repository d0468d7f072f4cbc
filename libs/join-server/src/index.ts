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
