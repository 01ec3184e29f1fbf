export {
  DEFAULT_DOMAIN, DEFAULT_TAG, parseImageRef, normalizeImageRef, withDefaultTag, withTag,
  repositoryName, familiarName, formatImageRef, familiarString, familiarMatch,
  isFullImageId, isImageIdPrefix, globMatch, validateDigest, validateTag,
} from './image-ref.js';
export type { ImageRef } from './image-ref.js';
export { imageRefErrors } from './image-ref-errors.js';
