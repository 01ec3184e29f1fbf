export type * from './engine/api/engine-deps.js';
export { startDaemon, runShoald } from './daemon/index.js';
export type { Daemon, StartDaemonOptions } from './daemon/index.js';
export { buildApp } from './engine/api/index.js';
export type { ApiDeps, SystemFacts, SystemInfo, SwarmRole, SwarmInfo, SwarmLifecycle, SwarmRouteHandler } from './engine/api/index.js';
export { SwarmSwitch, inactiveRole, swarmRouteKey, SWARM_ROUTES } from './engine/api/index.js';
export { EventBus } from './engine/events/index.js';
export type { EventBusOptions, EventInput } from './engine/events/index.js';
export { workerErrorRegistries } from './error-registries.js';
