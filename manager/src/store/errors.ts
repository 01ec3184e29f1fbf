import { defineErrors } from '@shoal/common';

/** Errors of the cluster store (codes `STORE_*`). The control API maps them to Docker's answers. */
export const storeErrors = defineErrors('STORE', {
  OUT_OF_SEQUENCE: { status: 500, retryable: true, doc: 'The object changed since it was read ("update out of sequence", as Docker): read it again (its Version.Index) and retry.' },
  EXISTS: { status: 409, doc: 'An object with that ID exists already.' },
  NAME_CONFLICT: { status: 409, doc: 'Another object of the same kind has that name ("name conflicts with an existing object"); pick another name.' },
  NOT_FOUND: { status: 404, doc: 'No object with that ID in the table.' },
  INVALID: { status: 400, doc: 'A write names an unknown table or lacks an ID (a programming error of its caller).' },
  PROPOSAL_FAILED: { status: 503, retryable: true, doc: 'The write could not be committed (this manager lost leadership, or Raft stopped); retry, on the leader.' },
});
