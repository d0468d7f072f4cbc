import { Abstract } from '@nestjs/common';
import { ApiPrincipal, authorize, PeerLookup } from '@lns/api';
import { DeviceContext, DeviceRegistry } from '../device-registry';
import { RegistryNotFoundError } from '../registry-errors';
import { deviceScope } from './device-scope';

const APP_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const APP_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const OF_A = '0004a30b001c0530';

const registry = {
  get: (devEui: string) =>
    devEui === OF_A ? ({ device: { devEui, applicationId: APP_A } } as DeviceContext) : undefined,
} as DeviceRegistry;
const peers: PeerLookup = <T>(t: Abstract<T>) =>
  (t as unknown) === DeviceRegistry ? (registry as T) : undefined;

const missing = (devEui: string) =>
  new RegistryNotFoundError([{ field: 'devEui', reason: `no device ${devEui}` }]);
const scope = deviceScope(missing);

const token = (applicationId: string): Extract<ApiPrincipal, { kind: 'application' }> => ({
  kind: 'application',
  applicationId,
  readOnly: false,
  tokenId: 't',
});

/** What authorize threw, as the route's filter would write it; 'ok' when it let the request through. */
async function outcome(applicationId: string, devEui: string): Promise<unknown> {
  try {
    await authorize(token(applicationId), scope, { method: 'GET', params: { devEui } }, peers);
    return 'ok';
  } catch (err) {
    return { type: (err as Error).constructor.name, message: (err as Error).message };
  }
}

describe('deviceScope', () => {
  it("addresses the device's application, whatever the case of the DevEUI", async () => {
    expect(await scope.applicationOf({ method: 'GET', params: { devEui: OF_A.toUpperCase() } }, peers)).toBe(
      APP_A,
    );
    expect(await outcome(APP_A, OF_A.toUpperCase())).toBe('ok');
  });

  it("answers another application's device exactly as a DevEUI no device has", async () => {
    const other = await outcome(APP_B, OF_A);
    const none = await outcome(APP_B, '0004a30b001c0599');
    expect(other).toEqual({ type: 'RegistryNotFoundError', message: `devEui: no device ${OF_A}` });
    expect(none).toEqual({ type: 'RegistryNotFoundError', message: 'devEui: no device 0004a30b001c0599' });
  });

  it('answers as missing when no registry runs in the process', async () => {
    const none: PeerLookup = () => undefined;
    expect(() => scope.applicationOf({ method: 'GET', params: { devEui: OF_A } }, none)).toThrow(
      RegistryNotFoundError,
    );
  });
});
