import { ApplicationScope, ScopeRequest } from '@lns/api';
import { DeviceRegistry } from '../device-registry';

/**
 * Routes about one device (`/devices/:devEui/...`): the request addresses the device's
 * application. A device an application token may not see, another application's or none at
 * all, answers with `missing(devEui)`, the route's own "no such device" error, so a token cannot
 * tell another application's DevEUIs from unused ones.
 */
export function deviceScope(missing: (devEui: string) => Error, param = 'devEui'): ApplicationScope {
  // As the route's DevEuiParam has it after its pipe, so the error reads the same.
  const devEuiOf = (req: ScopeRequest) => (req.params?.[param] ?? '').toLowerCase();
  return {
    field: param,
    applicationOf: (req, peers) => {
      const applicationId = peers(DeviceRegistry)?.get(devEuiOf(req))?.device.applicationId;
      if (applicationId === undefined) throw missing(devEuiOf(req));
      return applicationId;
    },
    otherApplication: (req) => missing(devEuiOf(req)),
  };
}
