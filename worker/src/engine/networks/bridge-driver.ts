/**
 * The `bridge` driver: one Linux bridge per network (the default network's
 * is named by the daemon config, `shoal0`; user-defined ones `br-<id12>` as
 * Docker names them, or `com.docker.network.bridge.name`), a veth pair per
 * endpoint with its host end on the bridge. Published ports and masquerade
 * are the manager's nftables table, planned from every bridge network.
 */
import { parseCidr } from '@shoal/common';
import { bridgePortNames, deleteLink, ensureBridge, linkExists, writeSysctl } from '@shoal/overlay-net';
import type { JoinContext, JoinPlan, NetworkDriver } from './drivers.js';
import type { EndpointRecord, NetworkRecord } from './network-record.js';

function prefixOf(net: NetworkRecord): number {
  return parseCidr(net.subnet ?? '')?.prefix ?? 32;
}

/**
 * Pure: lines made from inside the sandbox (the veth is created there with
 * the endpoint's MAC, its peer moved to shoald's netns), then on the host:
 * onto the bridge, up, hairpin on (a container reaching its own published
 * port is bridged back out of its own port under br_netfilter). IPv4 only:
 * no IPv6 link-local addresses, so no DAD or router solicitation chatter.
 */
export function planBridgeJoin(net: NetworkRecord, ep: EndpointRecord, ctx: JoinContext): JoinPlan {
  if (net.bridgeName === undefined || ep.vethHost === undefined || ep.ip === undefined || ep.mac === undefined || ep.ifname === '') {
    throw new Error(`endpoint ${ep.endpointId} on ${net.name} lacks its bridge, veth, address or interface name`);
  }
  const inside = [
    `link add name ${ep.ifname} address ${ep.mac} type veth peer name ${ep.vethHost} netns ${ctx.hostNetns}`,
    `link set dev ${ep.ifname} addrgenmode none`,
    `addr add ${ep.ip}/${prefixOf(net)} dev ${ep.ifname}`,
    `link set dev ${ep.ifname} up`,
  ];
  if (ctx.defaultRoute && !net.internal && net.gateway !== undefined) inside.push(`route add default via ${net.gateway} dev ${ep.ifname}`);
  const host = [
    `link set dev ${ep.vethHost} addrgenmode none`,
    `link set dev ${ep.vethHost} master ${net.bridgeName} up`,
    `link set dev ${ep.vethHost} type bridge_slave hairpin on`,
  ];
  return { inside, host };
}

/** The bridge driver. */
export const bridgeDriver: NetworkDriver = {
  name: 'bridge',
  attachment: 'interface',
  async setUp(net) {
    if (net.bridgeName === undefined || net.gateway === undefined) throw new Error(`bridge network ${net.name} has no bridge or gateway`);
    await ensureBridge(net.bridgeName, `${net.gateway}/${prefixOf(net)}`);
    // Published ports reached on 127.0.0.1 are DNATed into the bridge.
    await writeSysctl(`net/ipv4/conf/${net.bridgeName}/route_localnet`, '1');
  },
  async tearDown(net) {
    if (net.bridgeName !== undefined) await deleteLink(net.bridgeName);
  },
  planJoin: planBridgeJoin,
  async leave(_net, ep) {
    if (ep.vethHost !== undefined) await deleteLink(ep.vethHost);
  },
  async strayLinks(net, claimed) {
    if (net.bridgeName === undefined || !(await linkExists(net.bridgeName))) return [];
    return (await bridgePortNames(net.bridgeName)).filter((n) => n.startsWith('veth') && !claimed.has(n));
  },
};
