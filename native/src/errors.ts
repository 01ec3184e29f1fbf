import { defineErrors } from '@shoal/common';

/** Errors of @shoal/native (code prefix `SHIM_`). */
export const shimErrors = defineErrors('SHIM', {
  BINARY_MISSING: { status: 500, doc: 'native/build/shoal-shim is not built; run `npm run build -w @shoal/native` (or `make -C native/shim`).' },
  CREATE_FAILED: { status: 500, doc: 'crun could not create the container (or start the exec); the message is crun\'s stderr (e.g. executable not found).' },
  HANDSHAKE_FAILED: { status: 500, doc: 'The shim exited or timed out before its start-up JSON line; see state-dir/shim.log.' },
  CONNECT_FAILED: { status: 500, retryable: true, doc: 'control.sock could not be reached: the shim is gone (read exit.json) or not yet listening.' },
  PROTOCOL: { status: 500, doc: 'The shim sent a frame that does not follow native/shim/PROTOCOL.md.' },
  START_FAILED: { status: 500, doc: 'An exec process could not be started; the message is crun exec\'s error.' },
  EXIT_UNKNOWN: { status: 500, doc: 'The shim is gone and left no exit.json (it was killed); the container\'s exit status is lost.' },
  CLOSED: { status: 500, doc: 'The control connection is closed; reconnect to send more.' },
});
