import 'reflect-metadata';
import { exitFatal, installShutdown, loadOrExit } from '@lns/api';
import { loadConfig } from '@lns/config';
import { startJoinServer } from './bootstrap';

const started = startJoinServer(loadOrExit('join-server', () => loadConfig())).then((s) => s.app);
// Installed before the start completes: a SIGTERM during start-up still closes in order.
installShutdown(started, { name: 'join-server' });
started.catch((err: unknown) => exitFatal('join-server', err));
