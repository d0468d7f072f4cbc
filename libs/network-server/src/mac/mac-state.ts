import { MacCommand } from '@lns/lorawan';

/**
 * What the network believes about the device's radio settings and MAC dialogue. Persisted
 * as JSON with the session (column `mac_state`); every field is plain data. A session loaded
 * at start keeps that JSON (shared with every session whose JSON is the same) until its `mac`
 * is first read, then parses its own copy (LoadedSession): mutating it in place stays safe.
 */
export interface MacState {
  /** Current uplink data rate index (as last seen / as set by LinkADRReq). */
  dataRate: number;
  /** TXPower index of the region's table. */
  txPower: number;
  /** NbTrans, 1..15. */
  nbTrans: number;
  /** Uplink channels the device has enabled, as region channel indices. */
  enabledChannels: number[];
  /** Extra uplink channels added by CFList/NewChannelReq beyond the defaults: index → frequency/DRs. */
  extraChannels: Record<number, { frequency: number; minDr: number; maxDr: number }>;
  /** RX1 data rate offset, RX2 data rate and frequency (Hz) in force on the device. */
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  /** RX1 delay in seconds (1..15). */
  rxDelay: number;
  /** DutyCycleReq MaxDCycle in force (0 = no limit). */
  maxDutyCycle: number;
  /** TxParamSetupReq values in force, where the region implements it. */
  uplinkDwellTime: boolean;
  downlinkDwellTime: boolean;
  maxEirpIndex?: number;
  /** 1.1: ADR_ACK_LIMIT / ADR_ACK_DELAY exponents set by ADRParamSetupReq. */
  adrAckLimitExp?: number;
  adrAckDelayExp?: number;
  /**
   * Recent uplinks for ADR, flat (uplink-history.ts): FCnt, best SNR over the gateways that heard
   * it, gateway count, TXPower index; four numbers per uplink, oldest first.
   */
  uplinkHistory: number[];
  /** Requests sent and not yet answered: the next uplink's answers are matched to these. */
  pending: PendingMacRequest[];
  /** Per CID: how many times in a row the device refused or ignored it (not resent past a limit). */
  rejections: Record<string, number>;
  /** Answers to the device's own requests (LinkCheckAns, DeviceTimeAns, …) for the next downlink. */
  answers: MacCommand[];
  /** When DevStatusReq was last sent (ms since epoch). */
  lastDevStatusRequestAt?: number;
  /** 1.1 OTAA: RekeyInd received (the new session is confirmed). */
  rekeyed?: boolean;
  /** Device class the network uses for it. */
  deviceClass: 'A' | 'C';
  /** Requests queued by an operator (`requestCommand`), sent until answered or refused too often. */
  queued?: MacCommand[];
  /** Per CID: the encoded request (hex) the device last refused or ignored; a different request starts a new count. */
  refused?: Record<string, string>;
  /** Request names whose "sticky" answers (RXParamSetupAns, …) were in the last uplink: not re-requested until they stop. */
  stickyAnswers?: string[];
  /** DlChannelReq accepted: uplink channel index → RX1 frequency (Hz) replacing the region's rule. */
  rx1Frequencies?: Record<number, number>;
  /** 1.1 RejoinParamSetupReq in force; `maxTimeN` absent when the device refused the time limit (TimeOK = 0). */
  rejoinParams?: { maxCountN: number; maxTimeN?: number };
}

export interface PendingMacRequest {
  /** The downlink request as sent. */
  command: MacCommand;
  /** FCntDown (NFCntDown in 1.1) of the downlink that carried it. */
  sentInFCntDown: number;
  sentAt: number;
}
