export { startDaemon } from './start-daemon.js';
export type { Daemon, StartDaemonOptions } from './start-daemon.js';
export { runShoald, readConfigFile } from './run-shoald.js';
export type { ShoaldIo } from './run-shoald.js';
export { acquirePidfile, processAlive } from './pidfile.js';
export { daemonErrors } from './daemon-errors.js';
export { gatherHostFacts } from './host-facts.js';
