/**
 * DeviceModeInd / DeviceModeConf (LoRaWAN 1.1 Class C chapter, Table 4 CID 0x20; 1.1 only). The device says which
 * class it now operates in (0x00 A, 0x02 C) and repeats it until DeviceModeConf. A change becomes a
 * `deviceClass` effect; an RFU class is not taken, and the confirmation then states the class in use.
 */
import { DeviceModeClass, versionCapabilities } from '@lns/lorawan';
import { MacCommandModule, UplinkHandler } from './command';

export const handleDeviceModeInd: UplinkHandler<'DeviceModeInd'> = (env, ind) => {
  const { state, ctx } = env;
  if (!versionCapabilities(ctx.macVersion).deviceModeInd) {
    env.log('WARNING', `DeviceModeInd from a LoRaWAN ${ctx.macVersion} device: ignored`, 'DeviceModeInd');
    return;
  }
  const wanted =
    ind.deviceClass === DeviceModeClass.A ? 'A' : ind.deviceClass === DeviceModeClass.C ? 'C' : undefined;
  if (wanted === undefined) {
    env.log(
      'WARNING',
      `DeviceModeInd with RFU class 0x${ind.deviceClass.toString(16)}: not taken`,
      'DeviceModeInd',
    );
  } else if (wanted !== state.deviceClass) {
    state.deviceClass = wanted;
    env.effects.push({ kind: 'deviceClass', deviceClass: wanted });
  }
  env.answer({ cid: 'DeviceModeConf', deviceClass: DeviceModeClass[state.deviceClass] });
};

export const deviceMode: MacCommandModule = { uplink: { DeviceModeInd: handleDeviceModeInd } };
