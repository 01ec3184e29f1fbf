import { defineErrors } from '@shoal/common';

/**
 * Errors of the image store: codes `ENGINE_IMAGE_*` with Docker's statuses.
 * Its own prefix so that the registry map (keyed by prefix) keeps it apart
 * from the other engine subsystems.
 */
export const imageErrors = defineErrors('ENGINE_IMAGE', {
  NOT_FOUND: { status: 404, doc: 'No image with that reference or id ("No such image: REF"); check `image ls`, load or import it.' },
  AMBIGUOUS: { status: 400, doc: 'An image id prefix matches several images; give more characters of the id or a name:tag.' },
  CONFLICT: { status: 409, doc: 'The image cannot be removed: it is used by a container, referenced by several repositories or has child images. Remove the container first or use force (a running container cannot be forced).' },
  INVALID_PARAMETER: { status: 400, doc: 'A parameter of an image operation is invalid (a digest used as a tag, a bad platform); the message names it.' },
  INVALID_FILTER: { status: 400, doc: 'An image list or prune filter key or value is invalid; the message names it.' },
  INVALID_CHANGE: { status: 400, doc: 'An import --change instruction is not one of CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR or does not parse.' },
  INVALID_ARCHIVE: { status: 400, doc: 'An image archive (docker save or OCI layout tar) is malformed or its digests do not match; nothing was loaded.' },
  INVALID_LAYER: { status: 400, doc: 'A layer tar is malformed or tries to write outside its root (../, through a symlink); nothing was stored.' },
  STORE_CORRUPT: { status: 500, doc: 'The image store metadata under <data-root>/image is unreadable; see the log for the file.' },
});
