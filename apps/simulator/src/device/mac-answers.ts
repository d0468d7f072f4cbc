/**
 * MAC commands as an end-device handles them (LoRaWAN 1.1 §5, TS001-1.0.4 §5; behaviour checked against
 * LoRaMac-node `ProcessMacCommands` and `RegionCommonLinkAdrReqVerifyParams`). Codecs, channel-mask rules
 * and data-rate tables come from `@lns/lorawan`; this file holds the device's decisions: validate, answer,
 * apply only what was accepted.
 */
import {
  DownlinkMacCommand,
  LinkADRReq,
  Region,
  TX_PARAM_MAX_EIRP_DBM,
  UplinkMacCommand,
} from '@lns/lorawan';
import { ChannelPlan } from './channels';
import type { DeviceClass, DeviceEvent, MacVersion } from './types';

/** MaxEIRP index of TxParamSetupReq → dBm (L11 Table 12), re-exported for tests. */
export const MAX_EIRP_DBM = TX_PARAM_MAX_EIRP_DBM;

/** ADR_ACK_LIMIT / ADR_ACK_DELAY defaults (RP002 common defaults). */
export const ADR_ACK_LIMIT = 64;
export const ADR_ACK_DELAY = 32;

/** The radio and MAC parameters a network server can change. */
export interface MacParams {
  dataRate: number;
  txPower: number;
  nbTrans: number;
  rx1DrOffset: number;
  rx2: { frequency: number; dataRate: number };
  /** RX1 delay, seconds (1..15). */
  rxDelay: number;
  maxDutyCycle: number;
  maxEirp: number;
  uplinkDwellTime: boolean;
  downlinkDwellTime: boolean;
  adrAckLimit: number;
  adrAckDelay: number;
}

export function defaultMacParams(region: Region, dataRate: number, txPower: number): MacParams {
  return {
    dataRate,
    txPower,
    nbTrans: 1,
    rx1DrOffset: 0,
    rx2: { frequency: region.rx2.frequency, dataRate: region.rx2.dataRate },
    rxDelay: region.receiveDelay1,
    maxDutyCycle: 0,
    maxEirp: region.defaultMaxEirp,
    uplinkDwellTime: region.bootDwellTime.uplink,
    downlinkDwellTime: region.bootDwellTime.downlink,
    adrAckLimit: ADR_ACK_LIMIT,
    adrAckDelay: ADR_ACK_DELAY,
  };
}

/** What the MAC layer needs from the device. */
export interface MacHost {
  readonly region: Region;
  readonly macVersion: MacVersion;
  readonly channels: ChannelPlan;
  readonly params: MacParams;
  readonly adr: boolean;
  readonly battery: number;
  /** SNR (dB) of the downlink being processed. */
  readonly snr: number;
  event(e: DeviceEvent): void;
  rekeyConfirmed(minor: number): void;
  resetConfirmed(minor: number): void;
  deviceModeConfirmed(deviceClass: DeviceClass): void;
  linkCheck(margin: number, gwCnt: number): void;
  deviceTime(gpsEpochSeconds: number, fractionalSecond: number): void;
  rejoinParams(maxTimeN: number, maxCountN: number): void;
  forceRejoin(p: { period: number; maxRetries: number; rejoinType: number; dataRate: number }): void;
}

export interface QueuedAnswer {
  command: UplinkMacCommand;
  /**
   * Sent in every uplink until a downlink is received (L11 §5.5, §5.7.2, §5.8: RXParamSetupAns, DlChannelAns,
   * RXTimingSetupAns; LoRaMac-node also keeps TxParamSetupAns).
   */
  sticky: boolean;
}

export interface MacProcessResult {
  answers: QueuedAnswer[];
  /** Commands acted upon (up to the first one this device does not know). */
  processed: DownlinkMacCommand[];
}

const is11 = (v: MacVersion) => v === '1.1.0';
const atLeast103 = (v: MacVersion) => v !== '1.0.2';
const atLeast104 = (v: MacVersion) => v === '1.0.4' || v === '1.1.0';

/**
 * Whether a device of `version` knows the command (L104 Table 61 / L11 Table 4). A command it does not know
 * stops the processing of the rest of the frame: without it the device cannot tell where the next one starts.
 * Class B commands are unknown too (the simulated devices are Class A/C).
 */
export function deviceKnows(version: MacVersion, cmd: DownlinkMacCommand): boolean {
  switch (cmd.cid) {
    case 'LinkCheckAns':
    case 'LinkADRReq':
    case 'DutyCycleReq':
    case 'RXParamSetupReq':
    case 'DevStatusReq':
    case 'NewChannelReq':
    case 'RXTimingSetupReq':
    case 'TxParamSetupReq':
    case 'DlChannelReq':
      return true;
    case 'DeviceTimeAns':
      return atLeast103(version);
    case 'ResetConf':
    case 'RekeyConf':
    case 'ADRParamSetupReq':
    case 'ForceRejoinReq':
    case 'RejoinParamSetupReq':
    case 'DeviceModeConf':
      return is11(version);
    default:
      return false;
  }
}

/** Handles the MAC commands of one downlink in order; returns the answers to queue. */
export function processMacCommands(cmds: readonly DownlinkMacCommand[], host: MacHost): MacProcessResult {
  const answers: QueuedAnswer[] = [];
  const processed: DownlinkMacCommand[] = [];
  const answer = (command: UplinkMacCommand, sticky = false) => answers.push({ command, sticky });
  let adrBlockDone = false;
  const p = host.params;

  for (let i = 0; i < cmds.length; i++) {
    const cmd = cmds[i];
    if (!deviceKnows(host.macVersion, cmd)) {
      host.event({
        type: 'mac-ignored',
        reason: `${cmd.cid} unknown to a LoRaWAN ${host.macVersion} device`,
      });
      break;
    }
    processed.push(cmd);
    switch (cmd.cid) {
      case 'LinkCheckAns':
        host.linkCheck(cmd.margin, cmd.gwCnt);
        break;
      case 'LinkADRReq': {
        // A contiguous block is one request (TS001-1.0.4 §5.3); only the first block of a frame is processed.
        let j = i;
        while (j + 1 < cmds.length && cmds[j + 1].cid === 'LinkADRReq') j++;
        const block = cmds.slice(i, j + 1) as LinkADRReq[];
        processed.push(...block.slice(1));
        i = j;
        if (adrBlockDone) {
          host.event({ type: 'mac-ignored', reason: 'second LinkADRReq block in one frame' });
          break;
        }
        adrBlockDone = true;
        for (const a of linkAdr(block, host)) answer(a);
        break;
      }
      case 'DutyCycleReq':
        p.maxDutyCycle = cmd.maxDutyCycle;
        answer({ cid: 'DutyCycleAns' });
        break;
      case 'RXParamSetupReq': {
        const r = host.region;
        const rx2Rate = r.dataRates[cmd.rx2DataRate];
        const channelAck = host.channels.isValidDownlinkFrequency(cmd.frequency);
        const rx2DataRateAck = rx2Rate !== undefined && rx2Rate.downlink;
        const rx1DrOffsetAck = cmd.rx1DrOffset <= r.maxRx1DrOffset;
        if (channelAck && rx2DataRateAck && rx1DrOffsetAck) {
          p.rx1DrOffset = cmd.rx1DrOffset;
          p.rx2 = { frequency: cmd.frequency, dataRate: cmd.rx2DataRate };
        }
        answer({ cid: 'RXParamSetupAns', rx1DrOffsetAck, rx2DataRateAck, channelAck }, true);
        break;
      }
      case 'DevStatusReq':
        answer({ cid: 'DevStatusAns', battery: host.battery, margin: clampMargin(host.snr) });
        break;
      case 'NewChannelReq': {
        const r = host.channels.newChannel(cmd.chIndex, cmd.frequency, cmd.minDr, cmd.maxDr);
        if (r === undefined) host.event({ type: 'mac-ignored', reason: 'NewChannelReq: fixed channel plan' });
        else answer({ cid: 'NewChannelAns', ...r });
        break;
      }
      case 'RXTimingSetupReq':
        p.rxDelay = cmd.delay === 0 ? 1 : cmd.delay;
        answer({ cid: 'RXTimingSetupAns' }, true);
        break;
      case 'TxParamSetupReq':
        // Only where the region defines it (RP002: AS923, AU915, …); elsewhere no answer (LoRaMac-node returns -1).
        if (!host.region.implementsTxParamSetup) {
          host.event({ type: 'mac-ignored', reason: `TxParamSetupReq not used in ${host.region.name}` });
          break;
        }
        p.uplinkDwellTime = cmd.uplinkDwellTime;
        p.downlinkDwellTime = cmd.downlinkDwellTime;
        p.maxEirp = MAX_EIRP_DBM[cmd.maxEirp];
        answer({ cid: 'TxParamSetupAns' }, true);
        break;
      case 'DlChannelReq': {
        const r = host.channels.dlChannel(cmd.chIndex, cmd.frequency);
        if (r === undefined) host.event({ type: 'mac-ignored', reason: 'DlChannelReq: fixed channel plan' });
        else answer({ cid: 'DlChannelAns', ...r }, true);
        break;
      }
      case 'DeviceTimeAns':
        host.deviceTime(cmd.gpsEpochSeconds, cmd.fractionalSecond);
        break;
      case 'RekeyConf':
        host.rekeyConfirmed(cmd.minor);
        break;
      case 'ResetConf':
        host.resetConfirmed(cmd.minor);
        break;
      case 'ADRParamSetupReq':
        p.adrAckLimit = 2 ** cmd.limitExp;
        p.adrAckDelay = 2 ** cmd.delayExp;
        answer({ cid: 'ADRParamSetupAns' });
        break;
      case 'RejoinParamSetupReq':
        host.rejoinParams(cmd.maxTimeN, cmd.maxCountN);
        // The simulated device keeps time, so it accepts the time-based limit too (L11 §5.14).
        answer({ cid: 'RejoinParamSetupAns', timeOk: true });
        break;
      case 'ForceRejoinReq':
        host.forceRejoin({
          period: cmd.period,
          maxRetries: cmd.maxRetries,
          rejoinType: cmd.rejoinType,
          dataRate: cmd.dataRate,
        });
        break;
      case 'DeviceModeConf':
        host.deviceModeConfirmed(cmd.deviceClass === 0x02 ? 'C' : 'A');
        break;
    }
  }
  return { answers, processed };
}

/** DevStatusAns margin: SNR rounded into the 6-bit signed range −32..31 (L11 §5.6). */
export function clampMargin(snr: number): number {
  return Math.max(-32, Math.min(31, Math.round(snr)));
}

/**
 * One LinkADRReq block (L11 §5.3, RP002 ChMaskCntl tables via `Region.applyChMasks`). Applied only when
 * channel mask, data rate and TX power are all acceptable; NbTrans 0 means 1.
 * - ADR on: the block is judged as a whole and every request gets the same status (1.0.x), or a single
 *   LinkADRAns is sent (1.1, TTS `SingularLinkADRAns`).
 * - ADR off: each request is judged alone with the current DR/power/NbTrans (only masks change), each with
 *   its own answer (LoRaMac-node).
 */
function linkAdr(block: readonly LinkADRReq[], host: MacHost): UplinkMacCommand[] {
  if (!host.adr) {
    return block.map((req) => {
      const status = judge([req], host, false);
      if (status.ok) host.channels.setEnabled(status.enabled);
      return status.answer;
    });
  }
  const status = judge(block, host, true);
  if (status.ok) {
    const last = block[block.length - 1];
    host.channels.setEnabled(status.enabled);
    host.params.dataRate = status.dataRate;
    host.params.txPower = status.txPower;
    host.params.nbTrans = last.nbTrans === 0 ? 1 : last.nbTrans;
  }
  const n = host.macVersion === '1.1.0' ? 1 : block.length;
  return Array.from({ length: n }, () => ({ ...status.answer }));
}

interface Judgement {
  ok: boolean;
  enabled: boolean[];
  dataRate: number;
  txPower: number;
  answer: UplinkMacCommand & { cid: 'LinkADRAns' };
}

function judge(block: readonly LinkADRReq[], host: MacHost, useDrPower: boolean): Judgement {
  const { region, channels, params } = host;
  const last = block[block.length - 1];
  const masks = block.map((r) => ({ chMask: r.chMask, chMaskCntl: r.chMaskCntl }));
  const mask = region.applyChMasks(
    channels.enabledFlags(),
    masks,
    channels.fixed ? undefined : channels.definedFlags(),
  );
  const enabled = mask.ok ? mask.enabled : channels.enabledFlags();
  const keep = atLeast104(host.macVersion);

  let dataRate = params.dataRate;
  let dataRateAck = true;
  let txPower = params.txPower;
  let powerAck = true;
  if (useDrPower) {
    if (!(keep && last.dataRate === 0x0f)) {
      dataRate = last.dataRate;
      const rate = region.dataRates[dataRate];
      dataRateAck =
        rate !== undefined &&
        rate.uplink &&
        region.getMaxPayload(dataRate, params.uplinkDwellTime) !== null &&
        channels.supportsDataRate(dataRate, enabled);
    }
    if (!(keep && last.txPower === 0x0f)) {
      txPower = last.txPower;
      powerAck = txPower < region.txPowerOffsets.length;
    }
  } else {
    dataRateAck = channels.supportsDataRate(dataRate, enabled);
  }
  const channelMaskAck = mask.ok;
  return {
    ok: channelMaskAck && dataRateAck && powerAck,
    enabled,
    dataRate,
    txPower,
    answer: { cid: 'LinkADRAns', powerAck, dataRateAck, channelMaskAck },
  };
}
