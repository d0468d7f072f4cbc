import { Gateways1763740000000 } from './1763740000000-gateways';
import { Registry1763750000000 } from './1763750000000-registry';

// Checked-in migrations, oldest first; run at start (STYLE.md: no synchronize outside tests).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Gateways1763740000000, Registry1763750000000];
