/**
 * @shoal/manager: the manager role: the cluster store (store/), the CA's
 * identities and tokens (ca/), the control API of services and tasks
 * (control/), the pure orchestrators and scheduler (orchestrator/,
 * scheduler/) run by the leader's control loop, and the dispatcher
 * (dispatcher/). The allocator and the cluster protocol come next.
 */
export * from './store/index.js';
export * from './ca/index.js';
export { initSwarm, joinManager, openManager, removeManagerState } from './bootstrap.js';
export type { InitOptions, ManagerEnv, RunningManager } from './bootstrap.js';
export { CONTROL_ROUTES, controlRouter } from './control/router.js';
export type { FilterParser } from './control/router.js';
export { ServiceControl, taskView } from './control/services.js';
export type { ControlDeps, Filters } from './control/services.js';
export { NodeControl, nodeView } from './control/nodes.js';
export { controlErrors } from './control/errors.js';
export { Dispatcher } from './dispatcher/dispatcher.js';
export type { Assignments, StatusUpdate } from './dispatcher/dispatcher.js';
export { callUnary, dispatcherClient, nodeClient, pinnedCAClient, unverifiedCAClient } from './cluster/client.js';
export type { ClusterClient } from './cluster/client.js';
export { readNodeTls, writeNodeTls } from './ca/node-tls.js';
export type { NodeTls } from './ca/node-tls.js';
