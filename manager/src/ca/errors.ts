import { defineErrors } from '@shoal/common';

/** Errors of the cluster CA and join tokens (codes `CA_*`). */
export const caErrors = defineErrors('CA', {
  INVALID_TOKEN: { status: 400, doc: 'A join token does not parse (Docker\'s shape: SWMTKN-1-<50 base36 digits of the root CA digest>-<25 base36 digits>); copy it again from `docker swarm join-token`.' },
  FINGERPRINT_MISMATCH: { status: 400, doc: 'The manager\'s root CA is not the one the join token names ("remote CA does not match fingerprint"): the token is from another swarm, or someone is in the middle.' },
  INVALID_CSR: { status: 400, doc: 'A certificate signing request does not parse or its signature does not verify.' },
  WRONG_TOKEN: { status: 400, doc: 'The join token is well formed but is not one of this swarm\'s ("A valid join token is necessary to join this cluster"): it was rotated, or is from another swarm; get it again with `docker swarm join-token`.' },
  INVALID_REQUEST: { status: 400, doc: 'A join request has an invalid value (availability, address); the message names it.' },
  UNAUTHENTICATED: { status: 401, doc: 'A call on the cluster port that needs a node certificate came without one, or with one this swarm did not sign.' },
  NOT_LEADER: { status: 503, retryable: true, doc: 'A node session or a Raft join reached a manager that is not the leader; agents move on to the next manager by themselves.' },
  INVALID_CERTIFICATE: { status: 400, doc: 'A node certificate does not parse, is not signed by this swarm\'s root CA, is outside its validity, or lacks the node id and role in its subject.' },
});
