/** Region registry: `getRegion('EU868')`. */
import { LorawanError } from '../errors';
import { AS923, AS923_2, AS923_3, AS923_4 } from './as923';
import { AU915 } from './au915';
import { EU868 } from './eu868';
import { IN865 } from './in865';
import { KR920 } from './kr920';
import type { Region, RegionName } from './region';
import { US915 } from './us915';

export * from './region';
export { AS923, AS923_2, AS923_3, AS923_4, AS923_FREQUENCY_OFFSETS } from './as923';
export { AU915 } from './au915';
export { EU868 } from './eu868';
export { IN865 } from './in865';
export { KR920 } from './kr920';
export { US915 } from './us915';

const REGIONS: Readonly<Record<RegionName, Region>> = {
  EU868,
  US915,
  AU915,
  AS923,
  'AS923-2': AS923_2,
  'AS923-3': AS923_3,
  'AS923-4': AS923_4,
  IN865,
  KR920,
};

export const REGION_NAMES: readonly RegionName[] = Object.keys(REGIONS) as RegionName[];

export function isRegionName(name: string): name is RegionName {
  return Object.prototype.hasOwnProperty.call(REGIONS, name);
}

export function getRegion(name: string): Region {
  if (!isRegionName(name)) {
    throw new LorawanError('UNKNOWN_REGION', `unknown region "${name}"; known: ${REGION_NAMES.join(', ')}`);
  }
  return REGIONS[name];
}
