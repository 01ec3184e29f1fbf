/**
 * volumes/: named and anonymous volumes with Docker's `local` driver.
 *
 * Public surface:
 * - `VolumeManager` (volume-manager.ts): `open(opts)`; the API's verbs
 *   `create`, `inspect`, `list`, `remove`, `prune`; what containers use:
 *   `acquire` / `restoreReference` / `release` (references) and `mount` /
 *   `unmount` around each run, `isEmpty` for the copy of image content.
 * - The pure rules (local-options.ts): `checkVolumeName`, `isVolumeName`,
 *   `localMount` (the driver options), filters, `ANONYMOUS_LABEL`.
 */
export { VolumeManager } from './volume-manager.js';
export type { VolumeManagerOptions, VolumeCreateRequest, AcquiredVolume } from './volume-manager.js';
export { ANONYMOUS_LABEL, checkDriver, checkVolumeName, isVolumeName, localMount } from './local-options.js';
export type { VolumeRecord, VolumeView, LocalMount } from './local-options.js';
export { volumeErrors } from './volume-errors.js';
