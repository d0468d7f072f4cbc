import { ClaimedJoinPermission } from './claimed-join-permission';
import { DeviceOwnership, DeviceOwnershipRegistry } from './device-ownership';

function permission(ownership: Partial<DeviceOwnership> | undefined) {
  const registry = {
    ownershipOf: () =>
      ownership
        ? {
            devEui: '0101010101010101',
            owner: null,
            kekLabel: null,
            claimedAt: null,
            claimed: false,
            homeNetId: null,
            ...ownership,
          }
        : undefined,
  } as unknown as DeviceOwnershipRegistry;
  return new ClaimedJoinPermission(registry);
}

describe('ClaimedJoinPermission', () => {
  it('leaves operator-provisioned devices (no manufacturer record) to peer authentication', () => {
    expect(permission(undefined).refusalFor('0101010101010101', '000013')).toBeUndefined();
  });

  it('refuses a manufacturer device nobody has claimed', () => {
    expect(permission({ claimed: false }).refusalFor('0101010101010101', '000013')).toMatch(/not claimed/);
  });

  it('allows only the NetID the claim named, whatever its case', () => {
    const p = permission({ claimed: true, homeNetId: 'c00053' });
    expect(p.refusalFor('0101010101010101', 'C00053')).toBeUndefined();
    expect(p.refusalFor('0101010101010101', '000013')).toMatch(/claimed for NetID C00053, not 000013/);
  });

  it('allows any authenticated peer when the claim named no NetID', () => {
    expect(
      permission({ claimed: true, homeNetId: null }).refusalFor('0101010101010101', '000013'),
    ).toBeUndefined();
  });
});
