/**
 * containers/: Docker's container lifecycle (create, start, stop, kill,
 * restart, pause, remove, wait, rename, update, inspect, list, top, stats,
 * logs, attach, exec, prune) over crun, the shim, overlayfs and cgroups.
 */
export { ContainerManager } from './container-manager.js';
export { normalizeSignal } from './signals.js';
export { containerErrors } from './errors.js';
export type {
  ContainerManagerOptions, ImageSource, ContainerImage, ContainerNetworking, NetworkAttachRequest, NetworkAttachment, LogReader,
} from './deps.js';
export type { ContainerRecord } from './container-record.js';
export type { AttachOptions, LogsOptions } from './options.js';
export { normalizeName, generateName } from './names.js';
export { DOCKER_BACKOFF, nextBackoff, shouldRestart, startOnDaemonStart } from './backoff.js';
export type { BackoffConfig } from './backoff.js';
export { MIN_MEMORY } from './create-config.js';
