/**
 * @shoal/manager: the manager role. Today: the cluster store (store/);
 * orchestrators, scheduler, allocator, dispatcher, CA and control API next.
 */
export * from './store/index.js';
