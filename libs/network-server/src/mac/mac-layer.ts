import { MacCommand, Region } from '@lns/lorawan';
import { MacState } from './mac-state';

/** What the MAC layer needs to know about the uplink being handled. */
export interface MacUplinkContext {
  region: Region;
  macVersion: '1.0.2' | '1.0.3' | '1.0.4' | '1.1.0';
  /** ms since epoch, server clock. */
  now: number;
  /** The uplink's data rate index, frequency (Hz) and region channel index. */
  dataRate: number;
  frequency: number;
  channel: number;
  fCntUp: number;
  adr: boolean;
  adrAckReq: boolean;
  /** Best SNR and the number of gateways that heard this uplink (after dedup). */
  maxSnr: number;
  gatewayCount: number;
  /** GPS time (ms since the GPS epoch) at the end of the uplink's transmission, if known. */
  gpsTimeMs?: number;
  /** Profile wishes: */
  adrEnabled: boolean;
  wantedRx1DrOffset: number;
  wantedRx2DataRate: number;
  wantedRx2Frequency: number;
  wantedRxDelay: number;
  /** US915/AU915: the sub-band the network uses (1..8), else undefined = all. */
  subBand?: number;
}

/** Something the MAC layer wants the application side to know. */
export type MacEffect =
  | { kind: 'status'; battery: number; margin: number }
  | { kind: 'log'; level: 'INFO' | 'WARNING' | 'ERROR'; description: string; cid?: string }
  | { kind: 'rekeyed' }
  | { kind: 'deviceClass'; deviceClass: 'A' | 'C' };

export interface MacUplinkResult {
  /** What the application side should hear of (status, logs) and changes the session must apply. */
  effects: MacEffect[];
  /**
   * True when the MAC layer has something for the next downlink, even without data: an answer the
   * device asked for (e.g. LinkCheckReq), a request it plans (ADR, a status request), or a sticky
   * answer to acknowledge. False promises that `nextDownlinkCommands` would return nothing: the
   * network server then makes no downlink decision for an uplink with no ACK and no queued item.
   */
  needsDownlink: boolean;
}

/**
 * The MAC layer (libs/network-server/src/mac). One file per command handles the device's
 * answer or request; `adr.ts` decides data rate, power and NbTrans. The network server
 * calls `handleUplink` for every authenticated uplink and `nextDownlinkCommands` when it
 * builds a downlink.
 */
export interface MacLayer {
  /** Reads the commands the device sent (FOpts or FPort 0) and updates `state`. */
  handleUplink(state: MacState, commands: MacCommand[], ctx: MacUplinkContext): MacUplinkResult;
  /**
   * Commands to put in the next downlink, at most `maxBytes` encoded (FOpts: 15; FPort 0: the
   * region's payload limit), answers first; records requests as pending in `state`.
   */
  nextDownlinkCommands(
    state: MacState,
    ctx: MacUplinkContext,
    maxBytes: number,
    fCntDown: number,
  ): MacCommand[];
  /** A fresh state after a join (or for ABP activation) in this region. */
  initialState(
    region: Region,
    init: {
      rx1DrOffset: number;
      rx2DataRate: number;
      rx2Frequency: number;
      rxDelay: number;
      cfList?: Buffer;
      deviceClass: 'A' | 'C';
    },
  ): MacState;
}
