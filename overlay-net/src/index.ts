/**
 * @shoal/overlay-net: the network drivers' shared kernel plumbing today
 * (links, namespaces, sysctls, nftables tables, the coalescer of state
 * writes), the overlay driver (VXLAN, DNS, VIPs, ingress) next.
 */
export {
  isMountPoint, ensureNetnsDir, listNetnsFiles, writeSysctl, linkExists, ensureBridge, ipBatch, createNetns, removeNetns,
  deleteLink, bridgePortNames, nftApply, vethPeerCounters, flushConntrackTo, netnsIpBatch, hostRouteDestinations,
} from './linux-net.js';
export type { InterfaceCounters } from './linux-net.js';
export { NftTable } from './nft-table.js';
export type { NftTableOptions } from './nft-table.js';
export { Coalescer } from './coalescer.js';
export { netErrors } from './net-errors.js';
