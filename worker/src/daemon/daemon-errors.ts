import { defineErrors } from '@shoal/common';

/** Errors of shoald's start-up and shutdown. */
export const daemonErrors = defineErrors('DAEMON', {
  ALREADY_RUNNING: { status: 500, doc: 'Another shoald holds the pid file or answers on the socket; stop it, or give this one its own --pidfile, --host, --data-root and --exec-root.' },
  LISTEN_FAILED: { status: 500, doc: 'A listen address could not be opened (permissions, address in use); the message names it.' },
  TLS_FILES: { status: 500, doc: 'A --tlscacert/--tlscert/--tlskey file could not be read.' },
  NOT_ROOT: { status: 500, doc: 'shoald needs root (namespaces, cgroups, mounts, nftables).' },
});
