import { defineErrors } from '../errors/index.js';

/** Errors of image reference parsing (Docker's distribution/reference wording). */
export const imageRefErrors = defineErrors('COMMON', {
  INVALID_REFERENCE: {
    status: 400,
    doc: 'An image reference does not parse ("invalid reference format..."); use [registry[:port]/]name[:tag][@sha256:hex] with a lowercase name.',
  },
});
