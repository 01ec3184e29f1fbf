/**
 * networks/: the bridge, host and none networks of the single-node engine.
 *
 * Public surface:
 * - {@link NetworkAttacher} (network-attacher.ts): what containers/ calls on
 *   start/stop: `attach(req)`, `detach(id)`, `restore(id, settings)`,
 *   `rename(id, name)`.
 * - `NetworkManager`: implements NetworkAttacher and the API's NetworkEngine
 *   (list/inspect), with `open(opts)` / `close()`.
 */
export type { AttachRequest, AttachResult, NetworkAttacher } from './network-attacher.js';
