import { defineErrors } from '../errors/index.js';
// Its own prefix: the error registry map is keyed by prefix, so sharing COMMON would replace commonErrors there.

/** Errors of image reference parsing (Docker's distribution/reference wording). */
export const imageRefErrors = defineErrors('COMMON_REFERENCE', {
  INVALID: {
    status: 400,
    doc: 'An image reference does not parse ("invalid reference format..."); use [registry[:port]/]name[:tag][@sha256:hex] with a lowercase name.',
  },
});
