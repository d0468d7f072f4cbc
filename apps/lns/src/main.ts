// First: V8 settings that must hold before the application allocates anything.
import './v8-flags';
import 'reflect-metadata';
import { exitFatal, installShutdown, loadOrExit } from '@lns/api';
import { loadConfig } from '@lns/config';
import { startLns } from './bootstrap';

const started = startLns(loadOrExit('lns', () => loadConfig())).then((s) => s.app);
// Installed before the start completes: a SIGTERM during start-up still closes in order.
installShutdown(started, { name: 'lns' });
started.catch((err: unknown) => exitFatal('lns', err));
