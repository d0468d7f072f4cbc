import { checkDeviceProfile } from './profile-rules';
import { CreateDeviceProfile } from './registry-inputs';

const BASE: CreateDeviceProfile = { name: 'p', region: 'EU868', macVersion: '1.0.3' };
const fields = (p: Partial<CreateDeviceProfile>) => checkDeviceProfile({ ...BASE, ...p }).map((e) => e.field);

describe('checkDeviceProfile', () => {
  it('accepts values each region can tell its devices', () => {
    expect(fields({})).toEqual([]);
    expect(
      fields({ region: 'US915', subBand: 2, rx2DataRate: 8, rx1DrOffset: 3, rx2Frequency: 923_300_000 }),
    ).toEqual([]);
    expect(
      fields({ region: 'AS923-2', rx1DrOffset: 7, regParamsRevision: 'RP002-1.0.3', rx1Delay: 15 }),
    ).toEqual([]);
  });

  it.each<[string, Partial<CreateDeviceProfile>, string]>([
    ['an unknown region', { region: 'EU869' }, 'region'],
    ['an unknown LoRaWAN version', { macVersion: '1.0.5' as never }, 'macVersion'],
    ['an unknown regional parameters revision', { regParamsRevision: 'RP003' }, 'regParamsRevision'],
    ['an RX1 delay beyond 15 s (L1.1 §5.8)', { rx1Delay: 16 }, 'rx1Delay'],
    ['an RX1 DR offset beyond the region’s (EU868: 5)', { rx1DrOffset: 6 }, 'rx1DrOffset'],
    ['an RX2 data rate that is uplink-only (EU868 DR8, LR-FHSS)', { rx2DataRate: 8 }, 'rx2DataRate'],
    ['an RX2 data rate the region lacks (US915 DR7)', { region: 'US915', rx2DataRate: 7 }, 'rx2DataRate'],
    ['an RX2 frequency in MHz instead of Hz', { rx2Frequency: 869 }, 'rx2Frequency'],
    ['a sub-band in a 16-channel region', { subBand: 1 }, 'subBand'],
    ['a sub-band beyond 8', { region: 'AU915', subBand: 9 }, 'subBand'],
    ['an empty name', { name: '' }, 'name'],
  ])('refuses %s', (_name, p, field) => {
    expect(fields(p)).toEqual([field]);
  });
});
