/**
 * Events for applications, as the network publishes them (MQTT topics
 * `application/{applicationId}/device/{devEui}/event/{type}`, webhooks). Field names follow
 * ChirpStack v4's JSON, so applications written for it work unchanged (CONTRACT.md).
 * EUIs and DevAddr are lowercase hex, payloads base64, times ISO 8601.
 */
export interface DeviceInfo {
  tenantId?: string;
  applicationId: string;
  applicationName: string;
  deviceProfileId: string;
  deviceProfileName: string;
  deviceName: string;
  devEui: string;
  deviceClassEnabled: 'CLASS_A' | 'CLASS_C';
  tags: Record<string, string>;
}

export interface UplinkRxInfoJson {
  gatewayId: string;
  uplinkId: number;
  gwTime?: string;
  time?: string;
  rssi: number;
  snr: number;
  channel: number;
  rfChain: number;
  context: string;
  crcStatus: 'CRC_OK' | 'NO_CRC';
  location?: { latitude: number; longitude: number; altitude: number };
}

export interface UplinkTxInfoJson {
  frequency: number;
  modulation: {
    lora?: { bandwidth: number; spreadingFactor: number; codeRate: string };
    fsk?: { datarate: number };
  };
}

/** A key wrapped under the application's AS transport key (RFC 3394), base64. */
export interface KeyEnvelopeJson {
  kekLabel: string;
  aesKey: string;
}

export interface JoinServerContextJson {
  sessionKeyId: string;
  appSKey: KeyEnvelopeJson;
}

export interface UpEvent {
  deduplicationId: string;
  time: string;
  deviceInfo: DeviceInfo;
  devAddr: string;
  adr: boolean;
  dr: number;
  fCnt: number;
  fPort?: number;
  confirmed: boolean;
  /** Plain applications: the decrypted FRMPayload. End-to-end applications: as the device sent it. */
  data?: string;
  rxInfo: UplinkRxInfoJson[];
  txInfo: UplinkTxInfoJson;
  /** End-to-end applications only: the AppSKey wrapped under the application's ASTK. */
  joinServerContext?: JoinServerContextJson;
}

export interface JoinEvent {
  deduplicationId: string;
  time: string;
  deviceInfo: DeviceInfo;
  devAddr: string;
  joinServerContext?: JoinServerContextJson;
}

export interface AckEvent {
  deduplicationId?: string;
  time: string;
  deviceInfo: DeviceInfo;
  queueItemId: string;
  acknowledged: boolean;
  fCntDown: number;
}

export interface TxAckEvent {
  downlinkId: number;
  time: string;
  deviceInfo: DeviceInfo;
  queueItemId?: string;
  fCntDown: number;
  gatewayId: string;
  txInfo: {
    frequency: number;
    power: number;
    modulation: UplinkTxInfoJson['modulation'];
    timing: { delay?: { delay: string }; immediately?: Record<string, never> };
  };
}

export interface StatusEvent {
  deduplicationId: string;
  time: string;
  deviceInfo: DeviceInfo;
  /** dB, -32..31 (DevStatusAns Margin). */
  margin: number;
  externalPowerSource: boolean;
  batteryLevelUnavailable: boolean;
  /** Percent, 0..100 (battery 1..254 scaled). */
  batteryLevel: number;
}

export type LogLevel = 'INFO' | 'WARNING' | 'ERROR';
export type LogCode =
  | 'UNKNOWN'
  | 'UPLINK_CODEC'
  | 'DOWNLINK_CODEC'
  | 'OTAA'
  | 'UPLINK_F_CNT_RESET'
  | 'UPLINK_MIC'
  | 'UPLINK_F_CNT_RETRANSMISSION'
  | 'UPLINK_F_CNT_REPLAY'
  | 'UPLINK_F_CNT_GAP'
  | 'DOWNLINK_GATEWAY'
  | 'DOWNLINK_PAYLOAD_SIZE'
  | 'DOWNLINK_F_CNT'
  | 'DOWNLINK_EXPIRED'
  | 'RELAY_NEW_END_DEVICE'
  | 'F_CNT_DOWN'
  | 'MAC_COMMAND'
  | 'JOIN_SERVER';

export interface LogEvent {
  time: string;
  deviceInfo: DeviceInfo;
  level: LogLevel;
  code: LogCode;
  description: string;
  context: Record<string, string>;
}

export interface ApplicationEventMap {
  up: UpEvent;
  join: JoinEvent;
  ack: AckEvent;
  txack: TxAckEvent;
  status: StatusEvent;
  log: LogEvent;
}

export type ApplicationEventType = keyof ApplicationEventMap;

/** What the network server emits on the bus for the application side to publish. */
export type ApplicationEvent = {
  [K in ApplicationEventType]: {
    type: K;
    applicationId: string;
    devEui: string;
    payload: ApplicationEventMap[K];
  };
}[ApplicationEventType];

declare module '@lns/event-bus' {
  interface EventMap {
    'application.event': ApplicationEvent;
  }
}

/** A downlink an application asked for over MQTT (`…/command/down`); the network server enqueues it. */
export interface ApplicationDownlinkRequest {
  applicationId: string;
  devEui: string;
  fPort: number;
  /** base64 */
  data: string;
  confirmed: boolean;
  /** End-to-end applications: the AS encrypted `data` with AppSKey for this AFCntDown. */
  isEncrypted?: boolean;
  fCntDown?: number;
}

declare module '@lns/event-bus' {
  interface EventMap {
    'application.downlink': ApplicationDownlinkRequest;
  }
}
