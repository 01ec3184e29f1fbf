/**
 * @shoal/manager: the manager role. Today: the cluster store (store/) and
 * the CA's identities and tokens (ca/); orchestrators, scheduler, allocator,
 * dispatcher and control API next.
 */
export * from './store/index.js';
export * from './ca/index.js';
export { initSwarm, openManager, removeManagerState } from './bootstrap.js';
export type { InitOptions, RunningManager } from './bootstrap.js';
