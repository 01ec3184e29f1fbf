/**
 * networks/: the bridge, host and none networks of the single-node engine.
 *
 * Public surface:
 * - {@link NetworkAttacher} (network-attacher.ts): what containers/ calls on
 *   start/stop: `attach(req)`, `detach(id)`, `restore(id, settings)`,
 *   `rename(id, name)`.
 * - `NetworkManager`: implements NetworkAttacher and the API's NetworkEngine
 *   (list/inspect), with `open(opts)` / `close()`, plus
 *   `interfaceStats(containerId)` for `docker stats`.
 */
export type { AttachRequest, AttachResult, NetworkAttacher } from './network-attacher.js';
export { NetworkManager } from './network-manager.js';
export type { NetworkManagerOptions } from './network-manager.js';
export type { BridgeConfig } from './network-shapes.js';
export type { InterfaceCounters } from '@shoal/overlay-net';
export { networkErrors } from './network-errors.js';
