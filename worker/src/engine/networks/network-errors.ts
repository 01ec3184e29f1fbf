import { defineErrors } from '@shoal/common';

/** Errors of the networks subsystem (codes `ENGINE_NETWORK_*`, Docker-compatible statuses). */
export const networkErrors = defineErrors('ENGINE_NETWORK', {
  PORT_IN_USE: { status: 500, doc: 'A published host port is already bound by another process or container; choose another host port or stop the holder.' },
  INVALID_PORT_SPEC: { status: 400, doc: 'A port binding or exposed port does not parse (want PORT[-PORT][/tcp|udp], host port 0-65535); fix the -p/--expose value.' },
  NOT_FOUND: { status: 404, doc: 'No network with that id or name; `docker network ls` lists them.' },
  NAME_CONFLICT: { status: 409, doc: 'A network with that name exists already; pick another name or remove it.' },
  PREDEFINED: { status: 403, doc: 'bridge, host and none are pre-defined: they cannot be created, removed or given a second instance.' },
  ACTIVE_ENDPOINTS: { status: 403, doc: 'The network still has containers on it; stop them or `docker network disconnect` them first.' },
  DRIVER_NOT_FOUND: { status: 404, doc: 'No such network or IPAM driver on this engine (bridge is; overlay comes with swarm).' },
  NOT_SWARM_MANAGER: { status: 503, doc: 'Swarm-scoped (overlay) networks are created on a swarm manager.' },
  INVALID_SPEC: { status: 400, doc: 'A network create request or endpoint config is invalid (name, subnet, gateway, option); the message says which field.' },
  POOL_OVERLAP: { status: 403, doc: 'The requested subnet overlaps another network; choose another --subnet.' },
  POOLS_EXHAUSTED: { status: 403, doc: 'No free subnet is left in the address pools; remove unused networks or give --subnet.' },
  ENDPOINT_EXISTS: { status: 403, doc: 'The container is already on that network.' },
  NOT_CONNECTED: { status: 403, doc: 'The container is not on that network.' },
  EXCLUSIVE_NETWORK: { status: 400, doc: 'A container on the host or none network, or sharing another container\'s network, can be on no other network.' },
  SETUP_FAILED: { status: 500, doc: 'Programming the bridge, netns, veth or nftables failed; the message has the tool error. Nothing was left behind.' },
  JOIN_TARGET_NOT_RUNNING: { status: 409, doc: 'container:<id> network mode names a container that is not running (has no network); start it first.' },
  ALREADY_ATTACHED: { status: 409, doc: 'The container already has a network endpoint; detach it first.' },
  INVALID_FILTER: { status: 400, doc: 'A network list filter key is unknown (known: name, id, driver, scope, type, label, dangling).' },
  AMBIGUOUS: { status: 400, doc: 'A network id prefix matches several networks; give more characters or the name.' },
  INVALID_CONFIG: { status: 400, doc: 'The bridge address (bip) or bridge name is invalid; fix daemon.json.' },
});
