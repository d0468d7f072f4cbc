/**
 * The application-server side of the end-to-end tunnel (CONTRACT.md): a small SDK with no framework,
 * only @lns/lorawan and node:crypto. Load the AS private key, unwrap the ASTK the server handed out
 * encrypted under its public key, unwrap each session's AppSKey envelope, decrypt uplinks and encrypt
 * downlinks with the right counter. TunnelApplication puts these together for event streams.
 */
export { AsClientError } from './errors';
export type { AsClientErrorCode } from './errors';
export { loadPrivateKey, checkRsaPrivateKey, MIN_RSA_BITS } from './private-key';
export { unwrapTransportKey } from './transport-key';
export type { UnwrapTransportKeyParams } from './transport-key';
export { unwrapAppSKey } from './app-s-key';
export type { AppSKeyEnvelope, UnwrapAppSKeyParams } from './app-s-key';
export { decryptUplink, encryptDownlink, MIN_APP_FPORT, MAX_APP_FPORT } from './frm-payload';
export type { DecryptUplinkParams, EncryptDownlinkParams, EncryptedDownlink } from './frm-payload';
export { TunnelApplication } from './tunnel-application';
export type {
  JoinServerContext,
  TunnelApplicationOptions,
  TunnelJoinEvent,
  TunnelUpEvent,
  TunnelUplink,
} from './tunnel-application';
export { parseJoinEvent, parseUpEvent } from './tunnel-events';
export type { ParsedJoinEvent, ParsedUpEvent, TunnelEventBody } from './tunnel-events';
