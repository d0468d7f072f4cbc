import { Gateways1763740000000 } from './1763740000000-gateways';
import { Registry1763750000000 } from './1763750000000-registry';
import { ApiTokens1763760000000 } from './1763760000000-api-tokens';
import { JoinServer1763770000000 } from './1763770000000-join-server';
import { JoinServers1763780000000 } from './1763780000000-join-servers';
import { JsOwnership1763790000000 } from './1763790000000-js-ownership';
import { TransportKeys1763800000000 } from './1763800000000-transport-keys';
import { Webhooks1763810000000 } from './1763810000000-webhooks';
import { JsAsKeys1763820000000 } from './1763820000000-js-as-keys';

// Checked-in migrations, oldest first; run at start (STYLE.md: no synchronize outside tests).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  Gateways1763740000000,
  Registry1763750000000,
  ApiTokens1763760000000,
  JoinServer1763770000000,
  JoinServers1763780000000,
  JsOwnership1763790000000,
  TransportKeys1763800000000,
  Webhooks1763810000000,
  JsAsKeys1763820000000,
];
