/**
 * The `ip -batch` lines that build a container's network sandbox. Pure.
 * `inside` runs in the new namespace (`unshare --net=PATH ip -batch -`),
 * `host` in shoald's namespace afterwards.
 */
import type { EndpointRecord } from './endpoint-record.js';
import type { BridgeConfig } from './network-shapes.js';

/** Batches for {@link planSandbox}. */
export interface SandboxPlan {
  inside: string[];
  /** Empty when there is no veth (none mode). */
  host: string[];
}

/**
 * lo up; for a bridge endpoint also the veth pair made from inside (eth0
 * with the endpoint's MAC; the peer `vethHost` moved to `hostNetns`, e.g.
 * `/proc/<shoald pid>/ns/net`), its address and default route, then on the
 * host side: onto the bridge, up, hairpin on (a container reaching its own
 * published port is bridged back out of its own port under br_netfilter).
 * IPv4 only: no IPv6 link-local addresses, so no DAD/router solicitation
 * chatter.
 */
export function planSandbox(rec: EndpointRecord, bridge: BridgeConfig, hostNetns: string): SandboxPlan {
  const inside = ['link set dev lo up'];
  if (rec.mode !== 'bridge' || rec.vethHost === undefined || rec.ip === undefined || rec.mac === undefined) return { inside, host: [] };
  inside.push(
    `link add name eth0 address ${rec.mac} type veth peer name ${rec.vethHost} netns ${hostNetns}`,
    'link set dev eth0 addrgenmode none',
    `addr add ${rec.ip}/${bridge.prefixLen} dev eth0`,
    'link set dev eth0 up',
    `route add default via ${bridge.gateway} dev eth0`,
  );
  const host = [
    `link set dev ${rec.vethHost} addrgenmode none`,
    `link set dev ${rec.vethHost} master ${bridge.bridgeName} up`,
    `link set dev ${rec.vethHost} type bridge_slave hairpin on`,
  ];
  return { inside, host };
}
