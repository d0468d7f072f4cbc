import { getRegion, isRegionName, REGION_NAMES } from '@lns/lorawan';
import { MAC_VERSIONS } from '@lns/storage';
import { RegistryFieldError } from './registry-errors';
import { CreateDeviceProfile } from './registry-inputs';

/** Regional parameters revisions (ChirpStack's names): RP001 as A/B, then RP002-1.0.x. */
export const REG_PARAMS_REVISIONS = [
  'A',
  'B',
  'RP002-1.0.0',
  'RP002-1.0.1',
  'RP002-1.0.2',
  'RP002-1.0.3',
  'RP002-1.0.4',
] as const;

const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

/**
 * Rules of a device profile that need the region's tables (the DTO checks shapes only):
 * every value must be one the device can be told in that region.
 */
export function checkDeviceProfile(p: CreateDeviceProfile): RegistryFieldError[] {
  const errors: RegistryFieldError[] = [];
  if (typeof p.name !== 'string' || p.name.length < 1 || p.name.length > 100) {
    errors.push({ field: 'name', reason: 'must be 1 to 100 characters' });
  }
  if (!(MAC_VERSIONS as readonly string[]).includes(p.macVersion)) {
    errors.push({ field: 'macVersion', reason: `must be one of ${MAC_VERSIONS.join(', ')}` });
  }
  if (
    p.regParamsRevision != null &&
    !(REG_PARAMS_REVISIONS as readonly string[]).includes(p.regParamsRevision)
  ) {
    errors.push({ field: 'regParamsRevision', reason: `must be one of ${REG_PARAMS_REVISIONS.join(', ')}` });
  }
  // RXTimingSetupReq / join-accept RxDelay: Del 1..15 s (0 also means 1 s; we store 1) (L1.1 §5.8).
  if (p.rx1Delay !== undefined && !isInt(p.rx1Delay, 1, 15)) {
    errors.push({ field: 'rx1Delay', reason: 'must be an integer from 1 to 15 (seconds)' });
  }
  if (!isRegionName(p.region)) {
    errors.push({ field: 'region', reason: `must be one of ${REGION_NAMES.join(', ')}` });
    return errors;
  }
  const region = getRegion(p.region);
  if (p.rx1DrOffset !== undefined && !isInt(p.rx1DrOffset, 0, region.maxRx1DrOffset)) {
    errors.push({
      field: 'rx1DrOffset',
      reason: `must be an integer from 0 to ${region.maxRx1DrOffset} in ${region.name}`,
    });
  }
  if (p.rx2DataRate != null && !region.dataRates[p.rx2DataRate]?.downlink) {
    const usable = Object.entries(region.dataRates)
      .filter(([, dr]) => dr.downlink)
      .map(([i]) => i);
    errors.push({
      field: 'rx2DataRate',
      reason: `must be a downlink data rate of ${region.name}: one of ${usable.join(', ')}`,
    });
  }
  // Frequencies are Hz in the 100 MHz – 1 GHz span where every LoRaWAN band lies.
  if (p.rx2Frequency != null && !isInt(p.rx2Frequency, 100_000_000, 1_000_000_000)) {
    errors.push({ field: 'rx2Frequency', reason: 'must be a frequency in Hz (100000000 to 1000000000)' });
  }
  if (p.subBand != null) {
    // Only the 72-channel plans (US915, AU915) have eight sub-bands of 8 + 1 channels (RP002-1.0.4 §2.5.2).
    if (region.maxChannels !== 72) {
      errors.push({ field: 'subBand', reason: `only for US915 and AU915, not ${region.name}` });
    } else if (!isInt(p.subBand, 1, 8)) {
      errors.push({ field: 'subBand', reason: 'must be an integer from 1 to 8' });
    }
  }
  return errors;
}
