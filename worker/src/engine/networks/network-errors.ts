import { defineErrors } from '@shoal/common';

/** Errors of the networks subsystem (codes `ENGINE_NETWORK_*`, Docker-compatible statuses). */
export const networkErrors = defineErrors('ENGINE_NETWORK', {
  PORT_IN_USE: { status: 500, doc: 'A published host port is already bound by another process or container; choose another host port or stop the holder.' },
  INVALID_PORT_SPEC: { status: 400, doc: 'A port binding or exposed port does not parse (want PORT[-PORT][/tcp|udp], host port 0-65535); fix the -p/--expose value.' },
  NOT_FOUND: { status: 404, doc: 'No network with that id or name (only bridge, host and none exist on this engine for now).' },
  SETUP_FAILED: { status: 500, doc: 'Programming the bridge, netns, veth or nftables failed; the message has the tool error. Nothing was left behind.' },
  JOIN_TARGET_NOT_RUNNING: { status: 409, doc: 'container:<id> network mode names a container that is not running (has no network); start it first.' },
  ALREADY_ATTACHED: { status: 409, doc: 'The container already has a network endpoint; detach it first.' },
  INVALID_FILTER: { status: 400, doc: 'A network list filter key is unknown (known: name, id, driver, scope, type, label, dangling).' },
  AMBIGUOUS: { status: 400, doc: 'A network id prefix matches several networks; give more characters or the name.' },
  INVALID_CONFIG: { status: 400, doc: 'The bridge address (bip) or bridge name is invalid; fix daemon.json.' },
});
