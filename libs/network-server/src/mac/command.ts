/**
 * The shape every command file follows (after The Things Stack's pkg/networkserver/mac): a `MacRequester`
 * says when the network asks for the command, and `uplink` handlers read what the device sends.
 */
import {
  Channel,
  DownlinkMacCommand,
  MacCommand,
  MacCommandOf,
  RegionName,
  UplinkMacCommand,
} from '@lns/lorawan';
import type { AdrAlgorithm } from './adr';
import { MacEffect, MacUplinkContext } from './mac-layer';
import { MacState } from './mac-state';

/** TxParamSetupReq values (L11 §5.9). */
export interface TxParams {
  uplinkDwellTime: boolean;
  downlinkDwellTime: boolean;
  /** Index into the MaxEIRP table (0..15). */
  maxEirpIndex: number;
}

/** Network-wide MAC settings; the profile's wishes travel in `MacUplinkContext`. */
export interface MacSettings {
  adr: AdrAlgorithm;
  /** dB kept in reserve by ADR (ChirpStack's `installation_margin`). */
  installationMargin: number;
  /** How often DevStatusReq is sent. */
  devStatusIntervalMs: number;
  /** Refusals (or silences) in a row after which the same request is no longer sent. */
  maxRejections: number;
  /** A pending request counts as unanswered only in uplinks handled this long after it was sent. */
  answerGraceMs: number;
  /** DutyCycleReq MaxDCycle wanted on every device; undefined = leave devices as they are. */
  maxDutyCycle?: number;
  /** Channels beyond the region's defaults, per region (NewChannelReq adds/removes to match). */
  extraChannels?: Partial<Record<RegionName, readonly Channel[]>>;
  /** TxParamSetupReq values, per region that implements it. */
  txParams?: Partial<Record<RegionName, TxParams>>;
  /** 1.1 ADRParamSetupReq exponents; undefined = the defaults (ADR_ACK_LIMIT 64, ADR_ACK_DELAY 32). */
  adrAckLimitExp?: number;
  adrAckDelayExp?: number;
}

/** What a version/region gate looks at. */
export type MacDevice = Pick<MacUplinkContext, 'region' | 'macVersion'>;

/** The network-side commands that ask the device for something (the rest are answers). */
export type RequestName =
  | 'LinkADRReq'
  | 'DutyCycleReq'
  | 'RXParamSetupReq'
  | 'DevStatusReq'
  | 'NewChannelReq'
  | 'RXTimingSetupReq'
  | 'TxParamSetupReq'
  | 'DlChannelReq'
  | 'ADRParamSetupReq'
  | 'ForceRejoinReq'
  | 'RejoinParamSetupReq';

/** How the network asks for one command. */
export interface MacRequester<N extends RequestName = RequestName> {
  readonly name: N;
  /** False when the command has no answer (ForceRejoinReq): sent once, never pending. */
  readonly answered: boolean;
  /** True when the commands `wanted` returns go all together or not at all (a LinkADRReq block). */
  readonly block: boolean;
  /** Whether a device of this version in this region knows the command. */
  supported(device: MacDevice): boolean;
  /** The requests the network wants sent now (state vs wanted settings); empty when nothing differs. */
  wanted(state: MacState, ctx: MacUplinkContext, settings: MacSettings): MacCommandOf<N>[];
  /** Bookkeeping once the commands are in a downlink. */
  onSent?(state: MacState, sent: readonly MacCommandOf<N>[], ctx: MacUplinkContext): void;
}

/** What an uplink handler may touch. */
export interface UplinkEnv {
  readonly state: MacState;
  readonly ctx: MacUplinkContext;
  readonly settings: MacSettings;
  readonly effects: MacEffect[];
  /** Queues an answer for the next downlink (and asks for that downlink). */
  answer(cmd: DownlinkMacCommand): void;
  needDownlink(): void;
  /** Records a sticky answer (sent in every uplink until a downlink arrives) for the request `name`. */
  sticky(name: RequestName): void;
  log(level: 'INFO' | 'WARNING' | 'ERROR', description: string, cid?: string): void;
}

/** Reads one uplink command; returns how many of the `following` commands it consumed too. */
export type UplinkHandler<N extends UplinkMacCommand['cid']> = (
  env: UplinkEnv,
  cmd: MacCommandOf<N>,
  following: readonly MacCommand[],
) => number | void;

export type UplinkHandlers = { [N in UplinkMacCommand['cid']]?: UplinkHandler<N> };

/** Any one command's requester. */
export type AnyMacRequester = { [N in RequestName]: MacRequester<N> }[RequestName];

/** One MAC command as a file exports it. */
export interface MacCommandModule {
  readonly request?: AnyMacRequester;
  readonly uplink: UplinkHandlers;
}
