import { defineErrors } from '@shoal/common';

/** Errors of the control API (codes `CONTROL_*`), with Docker's statuses and sentences. */
export const controlErrors = defineErrors('CONTROL', {
  INVALID_ARGUMENT: { status: 400, doc: 'A service spec is invalid (no name or image, a name that is not a DNS label, a constraint that does not parse, a negative value...); the message names what.' },
  SERVICE_NOT_FOUND: { status: 404, doc: 'No service with that id, name or unique id prefix; `docker service ls` lists them.' },
  TASK_NOT_FOUND: { status: 404, doc: 'No task with that id or unique id prefix; `docker service ps SERVICE` lists them.' },
  AMBIGUOUS: { status: 400, doc: 'An id prefix matches several objects; give more of the id.' },
  NO_PREVIOUS_SPEC: { status: 400, doc: '`service rollback` on a service that was never updated (it has no previous spec).' },
});
