import { defineErrors } from '@shoal/common';

/** Errors of a node's swarm role as the Engine API answers them (codes `SWARM_*`, Docker's statuses and sentences). */
export const swarmErrors = defineErrors('SWARM', {
  ALREADY_ACTIVE: { status: 503, doc: 'The node is in a swarm already (init, join), or is its last manager (leave without --force); leave first, or use --force.' },
  INVALID_REQUEST: { status: 400, doc: 'A swarm init request has an invalid value (address, port, duration); the message names it.' },
  JOIN_UNREACHABLE: { status: 503, retryable: true, doc: 'No swarm manager answered at the address given to `swarm join` (wrong address or port, the node is not a manager, a firewall); check it with `docker info` on the manager.' },
  JOIN_REFUSED: { status: 400, doc: 'The manager refused the join: the token is not one of its swarm\'s ("A valid join token is necessary to join this cluster"); get it again with `docker swarm join-token`.' },
  JOIN_UNSUPPORTED: { status: 501, doc: 'The manager answered that it does not implement what the join asks; the message says what.' },
  NOT_MANAGER_NODE: { status: 503, doc: 'A swarm endpoint was called on a worker node; run it on a manager (Docker\'s "This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state").' },
  NO_ADVERTISE_ADDR: { status: 400, doc: 'No address to advertise could be chosen (no default route); give --advertise-addr.' },
});
