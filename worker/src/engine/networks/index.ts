/**
 * networks/: the networks of the single-node engine: built-in bridge, host
 * and none, user-defined bridge networks, behind a driver seam (drivers.ts).
 *
 * Public surface:
 * - {@link NetworkAttacher} (network-attacher.ts): what containers/ calls on
 *   start/stop: `attach(req)`, `detach(id)`, `restore(id, settings)`,
 *   `rename(id, name)`, `connect`/`disconnect` (running), `resolveNetwork`.
 * - `NetworkManager`: implements NetworkAttacher and the API's NetworkEngine
 *   (list/inspect/create/remove/prune), with `open(opts)` / `close()`, plus
 *   `interfaceStats(containerId)` for `docker stats`.
 */
export type { AttachRequest, AttachResult, EndpointRequest, NetworkAttacher } from './network-attacher.js';
export { NetworkManager } from './network-manager.js';
export type { NetworkManagerOptions } from './network-manager.js';
export type { NetworkCreateBody } from './network-spec.js';
export type { NetworkDriver } from './drivers.js';
export type { InterfaceCounters } from '@shoal/overlay-net';
export { networkErrors } from './network-errors.js';
