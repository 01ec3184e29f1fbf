import { defineErrors } from '@shoal/common';

/** Errors of the containers subsystem (codes `ENGINE_CONTAINER_*`, Docker statuses). */
export const containerErrors = defineErrors('ENGINE_CONTAINER', {
  NOT_FOUND: { status: 404, doc: 'No container with that id, id prefix or name ("No such container: x").' },
  AMBIGUOUS: { status: 400, doc: 'An id prefix matches several containers; give more characters or the name.' },
  NAME_CONFLICT: { status: 409, doc: 'The name is used by another container; remove or rename that one, or pick another name.' },
  INVALID_NAME: { status: 400, doc: 'A container name must match [a-zA-Z0-9][a-zA-Z0-9_.-]+.' },
  INVALID_CONFIG: { status: 400, doc: 'The create/update body has an invalid value (memory below 6MB, bad mount, bad port, bad restart policy...); the message names it.' },
  NOT_RUNNING: { status: 409, doc: 'The operation needs a running container; start it first.' },
  ALREADY_STARTED: { status: 304, doc: 'The container is already running (not modified).' },
  ALREADY_STOPPED: { status: 304, doc: 'The container is already stopped (not modified).' },
  PAUSED: { status: 409, doc: 'The container is paused; unpause it before stopping, killing or exec.' },
  NOT_PAUSED: { status: 409, doc: 'The container is not paused.' },
  IS_RUNNING: { status: 409, doc: 'The container is running; stop it or use force.' },
  REMOVAL_IN_PROGRESS: { status: 409, doc: 'The container is already being removed.' },
  CMD_NOT_FOUND: { status: 400, doc: 'The command to run does not exist or is not executable in the image (docker run exits 127/126).' },
  START_FAILED: { status: 500, doc: 'The runtime could not start the container; the message has crun\'s error. Nothing was left behind.' },
  EXEC_NOT_FOUND: { status: 404, doc: 'No exec instance with that id.' },
  EXEC_CONFLICT: { status: 409, doc: 'The exec instance was already started.' },
  INVALID_FILTER: { status: 400, doc: 'A list/prune filter is unknown or has an invalid value; the message names it.' },
  NETWORK_CONFLICT: { status: 403, doc: 'network connect/disconnect: the container is already on that network, or is not on it.' },
  NOT_SUPPORTED: { status: 400, doc: 'The option is not supported by this engine yet; the message names it.' },
});
