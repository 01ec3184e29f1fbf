import { defineErrors } from '@shoal/common';

/**
 * Errors of the shoal CLI. `status` is the process exit code family the
 * docker CLI uses: 125 for a bad flag or daemon error of `run`, 1 otherwise.
 */
export const cliErrors = defineErrors('CLI', {
  INVALID_FLAG: { status: 400, doc: 'A flag value does not parse (port spec, size, duration, ulimit, restart policy, env file...); the message names the flag and value.' },
  DAEMON_ERROR: { status: 500, doc: 'The daemon answered with an error status; the message is the daemon\'s {"message"}.' },
  CONNECT_FAILED: { status: 503, retryable: true, doc: 'The daemon socket could not be reached; start shoald or set -H/SHOAL_HOST.' },
  PROTOCOL: { status: 502, doc: 'The daemon answered something the CLI cannot read (bad JSON, no upgrade for attach).' },
  TEMPLATE: { status: 400, doc: 'A --format template does not parse or fails to execute; the message points at the action.' },
  USAGE: { status: 400, doc: 'Wrong number of arguments or conflicting flags.' },
  FAILED: { status: 409, doc: 'The command cannot do what was asked in the current state (attach to a stopped container...); the message says why.' },
});
