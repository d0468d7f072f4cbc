/**
 * The MAC state of a fresh session (after a Join-accept, or at ABP activation): the region's boot
 * parameters (RP002 "Default Settings"), the receive settings the Join-accept gave, and the Join-accept
 * CFList — type 0 adds up to five channels after the default ones, type 1 sets the channel mask (L104
 * §6.2.6, RP002 "Join-Accept CFList").
 */
import { chMasksToChannels, decodeCFList, LorawanError, Region } from '@lns/lorawan';
import { isFixedPlan, toIndices } from './channels';
import { MacLayerError } from './errors';
import { MacState } from './mac-state';

export interface MacStateInit {
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  /** RX1 delay in seconds (0 = 1). */
  rxDelay: number;
  cfList?: Buffer;
  deviceClass: 'A' | 'C';
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new MacLayerError('BAD_SETTING', `${field}: ${message}`, field);
}

function checkInit(region: Region, init: MacStateInit): void {
  const { rx1DrOffset, rx2DataRate, rx2Frequency, rxDelay } = init;
  check(
    Number.isInteger(rx1DrOffset) && rx1DrOffset >= 0 && rx1DrOffset <= region.maxRx1DrOffset,
    'rx1DrOffset',
    `${rx1DrOffset} is not 0..${region.maxRx1DrOffset} in ${region.name}`,
  );
  check(
    region.dataRates[rx2DataRate]?.downlink === true,
    'rx2DataRate',
    `DR${rx2DataRate} is not a downlink data rate of ${region.name}`,
  );
  check(
    Number.isInteger(rx2Frequency) && rx2Frequency > 0,
    'rx2Frequency',
    `${rx2Frequency} is not a frequency in Hz`,
  );
  check(Number.isInteger(rxDelay) && rxDelay >= 0 && rxDelay <= 15, 'rxDelay', `${rxDelay} is not 0..15 s`);
  check(
    init.deviceClass === 'A' || init.deviceClass === 'C',
    'deviceClass',
    `${String(init.deviceClass)} is not A or C`,
  );
}

/** Applies the CFList the device received; one of the wrong type is ignored, as the device ignores it. */
function applyCfList(state: MacState, region: Region, buf: Buffer): void {
  let cfList;
  try {
    cfList = decodeCFList(buf);
  } catch (e) {
    if (e instanceof LorawanError) throw new MacLayerError('BAD_CFLIST', e.message, 'cfList');
    throw e;
  }
  if (cfList.type !== region.cfListType) return;
  if (cfList.type === 0) {
    // New channels take the default channels' data-rate range (RP002 EU868 "Join-Accept CFList").
    const first = region.defaultChannels.length;
    const { minDr, maxDr } = region.defaultChannels[0];
    cfList.frequencies.forEach((frequency, i) => {
      const index = first + i;
      if (frequency === 0 || index >= region.maxChannels) return;
      state.extraChannels[index] = { frequency, minDr, maxDr };
      state.enabledChannels.push(index);
    });
    return;
  }
  const flags = chMasksToChannels(cfList.chMasks, region.maxChannels);
  // A mask that enables nothing would silence the device: it keeps its channels (LoRaMac-node).
  if (flags.includes(true)) state.enabledChannels = toIndices(flags);
}

export function buildInitialState(region: Region, init: MacStateInit): MacState {
  checkInit(region, init);
  const state: MacState = {
    dataRate: 0,
    txPower: 0,
    nbTrans: 1,
    enabledChannels: region.defaultChannels.map((_, i) => i),
    extraChannels: {},
    rx1DrOffset: init.rx1DrOffset,
    rx2DataRate: init.rx2DataRate,
    rx2Frequency: init.rx2Frequency,
    rxDelay: init.rxDelay === 0 ? 1 : init.rxDelay,
    maxDutyCycle: 0,
    uplinkDwellTime: region.bootDwellTime.uplink,
    downlinkDwellTime: region.bootDwellTime.downlink,
    uplinkHistory: [],
    pending: [],
    rejections: {},
    answers: [],
    deviceClass: init.deviceClass,
  };
  if (init.cfList !== undefined) applyCfList(state, region, init.cfList);
  if (isFixedPlan(region)) state.enabledChannels.sort((a, b) => a - b);
  return state;
}

/** The state a device has after it reset its MAC layer (ResetInd): the region's boot values. */
export function regionDefaultState(region: Region, deviceClass: 'A' | 'C'): MacState {
  return buildInitialState(region, {
    rx1DrOffset: 0,
    rx2DataRate: region.rx2.dataRate,
    rx2Frequency: region.rx2.frequency,
    rxDelay: region.receiveDelay1,
    deviceClass,
  });
}
