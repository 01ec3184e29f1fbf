import { defineErrors } from './shoal-error.js';

/** Errors of the common package. */
export const commonErrors = defineErrors('COMMON', {
  TOOL_FAILED: { status: 500, doc: 'An external tool (ip, nft, crun...) exited non-zero; the message has its argv, exit code and stderr.' },
  TOOL_TIMEOUT: { status: 500, retryable: true, doc: 'An external tool did not finish within its timeout and was killed.' },
  TOOL_NOT_FOUND: { status: 500, doc: 'An external tool is not installed; install the named Debian package.' },
  CONFIG_INVALID: { status: 400, doc: 'daemon.json or a flag has an invalid value; the message names the key.' },
  INVALID_ARGUMENT: { status: 400, doc: 'A parameter has an invalid value; the message names it.' },
});
