export { ImageStore, hostArchitecture } from './image-store.js';
export type { ImageStoreOptions, ImageUser, InUseCheck, ResolvedImage, CommitOptions } from './image-store.js';
export { packLayer } from './layer-pack.js';
export { imageErrors } from './image-errors.js';
export { unpackLayer, safeEntryPath } from './layer-unpack.js';
export { applyChanges } from './image-changes.js';
export { chainIds } from './content-digest.js';
