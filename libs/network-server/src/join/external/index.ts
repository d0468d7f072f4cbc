// External join servers: the registry (`/api/join-servers`) and the Backend Interfaces client.
export { JoinServerEntity } from './join-server.entity';
export {
  checkJoinServer,
  joinServerKeyContext,
  MAX_JOIN_EUIS,
  normalizeJoinEuis,
  toJoinServerView,
} from './join-server-record';
export type { CreateJoinServer, JoinServerRecord, JoinServerView } from './join-server-record';
export { JoinServerRegistry } from './join-server-registry';
export { createAgent, JoinServerTransportError, MAX_ANSWER_BYTES, postJson } from './join-server-transport';
export type {
  HttpAnswer,
  JoinServerTransport,
  JoinServerTransportErrorCode,
  PostJsonOptions,
} from './join-server-transport';
export { BackendInterfacesClient, CLIENT_PROTOCOL_VERSION } from './backend-interfaces-client';
export { failureOfResult, successFromJoinAns } from './external-join-answer';
export type { JoinAnsContext } from './external-join-answer';
export {
  ExternalJoinServers,
  joinAnswerDeadline,
  JOIN_ANSWER_MARGIN_MS,
  MIN_JOIN_TIMEOUT_MS,
} from './external-join-servers';
export type { ExternalJoinParams } from './external-join-servers';
export { isExternalJoinFailure } from './join-server-port';
export type { ExternalJoinFailure, JoinOutcome, JoinServerPort } from './join-server-port';
export { RegistryAppSKeyKekResolver } from './registry-app-s-key-kek-resolver';
export { ExternalJoinModule } from './external-join.module';
