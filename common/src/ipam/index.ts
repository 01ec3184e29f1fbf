/**
 * IPv4 helpers and address management for a subnet, pure (no I/O): the
 * engine's bridge networks use it today; the overlay driver and the
 * manager's allocator reuse it (the manager may import only common).
 */
export type { Cidr } from './ipv4.js';
export { parseIpv4, formatIpv4, prefixMask, parseCidr, formatSubnet, macFromIpv4 } from './ipv4.js';
export type { IpamState } from './ipam.js';
export { newIpam, ipamCapacity, allocateIp, releaseIp, releaseOwner } from './ipam.js';
export { ipamErrors } from './ipam-errors.js';
export { DEFAULT_LOCAL_POOLS, cidrsOverlap, pickSubnet } from './pools.js';
