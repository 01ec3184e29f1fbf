import { defineErrors } from '@shoal/common';

/** Errors raised by the Engine API edge itself (not by the engine behind it). */
export const apiErrors = defineErrors('API', {
  NOT_FOUND: { status: 404, doc: 'No route matches the path; check the URL and the API version prefix.' },
  BAD_PARAMETER: { status: 400, doc: 'A query parameter, path parameter or body field has an invalid value; the message names it.' },
  BAD_FILTERS: { status: 400, doc: 'The `filters` query parameter is not a JSON object of string lists (or Docker\'s legacy map form).' },
  VERSION_TOO_NEW: { status: 400, doc: 'The client asked for an API version above 1.44; use an older client or set DOCKER_API_VERSION=1.44.' },
  VERSION_TOO_OLD: { status: 400, doc: 'The client asked for an API version below 1.24; upgrade the client.' },
  CONFLICT: { status: 409, doc: 'The object is in a state that refuses the call (e.g. attach to a paused container); the message says what to do.' },
  NOT_IMPLEMENTED: { status: 501, doc: 'shoal does not implement this Docker endpoint yet; the message names it.' },
  NOT_SWARM_MANAGER: { status: 503, doc: 'A swarm endpoint was called on a node that is not a swarm manager; run `shoal swarm init` or `shoal swarm join`.' },
  NOT_IN_SWARM: { status: 503, doc: 'The node is not part of a swarm, so it cannot leave one.' },
  PULL_UNSUPPORTED: { status: 501, doc: 'Pulling from a registry is not implemented yet; load (`docker load`) or import (`docker import`) the image instead.' },
  NO_SUCH_OBJECT: { status: 404, doc: 'A plugin was looked up by name; shoal has none (installing plugins is not implemented).' },
  INTERNAL: { status: 500, doc: 'An unexpected error in the daemon; the message is logged with its stack.' },
});
