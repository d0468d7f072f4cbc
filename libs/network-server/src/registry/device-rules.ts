import { ApplicationEntity, DeviceProfileEntity } from '@lns/storage';
import { RegistryFieldError } from './registry-errors';
import { ACTIVATIONS, CreateDevice, LOCAL_JOIN_SERVER } from './registry-inputs';

export const EUI_PATTERN = /^[0-9a-f]{16}$/;
/** 'local' or an external join server's id (UUID-like: letters, digits, '-', '_'). */
export const JOIN_SERVER_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

const U32_MAX = 0xffff_ffff;
const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= U32_MAX;

/**
 * The cross-field rules of a new device, given its (existing) profile and application. Each
 * broken rule names its field, in the API's words. Root keys go only to the local join server
 * and never into the network server for an external one; an end-to-end application's AppSKey
 * never enters the network server at all (ARCHITECTURE.md "Keys").
 */
export function checkDevice(
  d: CreateDevice,
  profile: DeviceProfileEntity,
  application: ApplicationEntity,
): RegistryFieldError[] {
  const errors: RegistryFieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field, reason });
  const is11 = profile.macVersion === '1.1.0';

  if (!EUI_PATTERN.test(d.devEui)) err('devEui', 'must be 16 hex digits');
  if (d.joinEui !== undefined && !EUI_PATTERN.test(d.joinEui)) err('joinEui', 'must be 16 hex digits');
  if (typeof d.name !== 'string' || d.name.length < 1 || d.name.length > 100) {
    err('name', 'must be 1 to 100 characters');
  }
  if (d.description !== undefined && d.description.length > 500) err('description', 'at most 500 characters');
  for (const key of ['appKey', 'nwkKey'] as const) {
    if (d[key] !== undefined && d[key].length !== 16) err(key, 'must be 32 hex digits');
  }
  if (!ACTIVATIONS.includes(d.activation)) {
    err('activation', `must be one of ${ACTIVATIONS.join(', ')}`);
    return errors;
  }

  if (d.activation === 'OTAA') {
    // The join-request names the JoinEUI the join server is found by (L1.1 §6.2.2).
    if (d.joinEui === undefined) err('joinEui', 'required for OTAA');
    if (d.abp !== undefined) err('abp', 'only for ABP devices');
    const joinServer = d.joinServer ?? LOCAL_JOIN_SERVER;
    if (!JOIN_SERVER_PATTERN.test(joinServer)) err('joinServer', "must be 'local' or a join server id");
    if (joinServer === LOCAL_JOIN_SERVER && d.keysOnJoinServer) {
      const reason = 'refused: the local join server holds this device’s root keys already';
      if (d.appKey !== undefined) err('appKey', reason);
      if (d.nwkKey !== undefined) err('nwkKey', reason);
    } else if (joinServer === LOCAL_JOIN_SERVER) {
      // 1.0.x: one root key, the AppKey. 1.1: NwkKey (network keys, join MIC) and AppKey (AppSKey).
      if (d.appKey === undefined) err('appKey', `required for OTAA on the local join server`);
      if (is11 && d.nwkKey === undefined)
        err('nwkKey', 'required for LoRaWAN 1.1 OTAA on the local join server');
      if (!is11 && d.nwkKey !== undefined) {
        err('nwkKey', `LoRaWAN ${profile.macVersion} devices have one root key: give it as appKey`);
      }
    } else {
      const reason =
        'refused: the root keys of a device on an external join server never enter the network server';
      if (d.appKey !== undefined) err('appKey', reason);
      if (d.nwkKey !== undefined) err('nwkKey', reason);
    }
    return errors;
  }

  // ABP: the device is personalised with its session (L1.1 §6.3); there is no join server.
  if (d.joinServer !== undefined) err('joinServer', 'only for OTAA devices');
  if (d.appKey !== undefined) err('appKey', 'only for OTAA devices');
  if (d.nwkKey !== undefined) err('nwkKey', 'only for OTAA devices');
  const abp = d.abp;
  if (abp === undefined) {
    err('abp', 'required for ABP');
    return errors;
  }
  if (!isU32(abp.devAddr)) err('abp.devAddr', 'must be 8 hex digits');
  for (const key of ['nwkSKey', 'appSKey', 'fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey'] as const) {
    if (abp[key] !== undefined && abp[key].length !== 16) err(`abp.${key}`, 'must be 32 hex digits');
  }
  if (is11) {
    for (const key of ['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey'] as const) {
      if (abp[key] === undefined) err(`abp.${key}`, 'required for LoRaWAN 1.1 ABP');
    }
    if (abp.nwkSKey !== undefined) {
      err('abp.nwkSKey', 'LoRaWAN 1.0.x only: 1.1 has fNwkSIntKey, sNwkSIntKey and nwkSEncKey');
    }
  } else {
    if (abp.nwkSKey === undefined) err('abp.nwkSKey', `required for LoRaWAN ${profile.macVersion} ABP`);
    for (const key of ['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey'] as const) {
      if (abp[key] !== undefined) err(`abp.${key}`, 'LoRaWAN 1.1 only: 1.0.x has one nwkSKey');
    }
    // 1.0.x has one FCntDown for every port (L1.0.4 §4.3.1.5).
    if (abp.aFCntDown !== undefined) err('abp.aFCntDown', 'LoRaWAN 1.1 only: 1.0.x has one fCntDown');
  }
  if (application.endToEnd) {
    if (abp.appSKey !== undefined) {
      err(
        'abp.appSKey',
        'refused: in an end-to-end application only the application server holds the AppSKey, never the network server',
      );
    }
  } else if (abp.appSKey === undefined) {
    err('abp.appSKey', 'required for ABP');
  }
  for (const key of ['fCntUp', 'fCntDown', 'aFCntDown'] as const) {
    if (abp[key] !== undefined && !isU32(abp[key]))
      err(`abp.${key}`, 'must be an integer from 0 to 4294967295');
  }
  return errors;
}
