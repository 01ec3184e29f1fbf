import { defineErrors } from '@shoal/common';

/** Errors of a node's swarm role as the Engine API answers them (codes `SWARM_*`, Docker's statuses and sentences). */
export const swarmErrors = defineErrors('SWARM', {
  ALREADY_ACTIVE: { status: 503, doc: 'The node is in a swarm already (init, join), or is its last manager (leave without --force); leave first, or use --force.' },
  INVALID_REQUEST: { status: 400, doc: 'A swarm init request has an invalid value (address, port, duration); the message names it.' },
  NO_ADVERTISE_ADDR: { status: 400, doc: 'No address to advertise could be chosen (no default route); give --advertise-addr.' },
});
