import { defineErrors } from '@shoal/common';

/** Errors of the control API (codes `CONTROL_*`), with Docker's statuses and sentences. */
export const controlErrors = defineErrors('CONTROL', {
  INVALID_ARGUMENT: { status: 400, doc: 'A service spec is invalid (no name or image, a name that is not a DNS label, a constraint that does not parse, a negative value...); the message names what.' },
  SERVICE_NOT_FOUND: { status: 404, doc: 'No service with that id, name or unique id prefix; `docker service ls` lists them.' },
  TASK_NOT_FOUND: { status: 404, doc: 'No task with that id or unique id prefix; `docker service ps SERVICE` lists them.' },
  AMBIGUOUS: { status: 400, doc: 'An id prefix matches several objects; give more of the id.' },
  NODE_NOT_FOUND: { status: 404, doc: 'No node with that id, unique id prefix or hostname in the swarm; `docker node ls` lists them.' },
  LAST_MANAGER: { status: 400, doc: 'The change would leave the swarm without a manager (demoting the last one); promote another node first.' },
  NODE_IS_MANAGER: { status: 400, doc: 'A manager cannot be removed from the swarm: demote it to a worker first (`docker node demote`).' },
  NODE_NOT_DOWN: { status: 400, doc: 'A node that is up is removed only with --force (or stop its shoald, or have it leave, first).' },
  MEMBERSHIP_UNSUPPORTED: { status: 501, doc: 'Promoting or demoting managers needs Raft membership changes, which shoal does not do yet.' },
  NO_PREVIOUS_SPEC: { status: 400, doc: '`service rollback` on a service that was never updated (it has no previous spec).' },
});
