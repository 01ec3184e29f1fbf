/**
 * IPv4 address allocator for the bridge subnet. Pure: functions of their
 * inputs returning new states (the input state is never changed), persisted
 * by the caller as JSON (`<dataRoot>/network/ipam.json`).
 *
 * Invariants: never hands out the network, gateway or broadcast address, nor
 * an address already allocated. Allocation is sequential after the last
 * address handed out (wrapping), as Docker does, so a just-released address
 * is reused as late as possible.
 */
import { ipamErrors } from './ipam-errors.js';
import { formatIpv4, parseCidr, parseIpv4, type Cidr } from './ipv4.js';

/** The allocator's persisted state. */
export interface IpamState {
  /** `172.29.0.0/16` */
  subnet: string;
  /** `172.29.0.1` (reserved, never allocated) */
  gateway: string;
  /** Allocated address -> owner (container id). */
  allocated: Record<string, string>;
  /** Last address handed out, where the next search starts; null at first. */
  last: string | null;
}

function cidrOf(state: IpamState): Cidr {
  const c = parseCidr(state.subnet);
  if (c === null) throw ipamErrors.make('INVALID_SUBNET', `invalid subnet ${state.subnet}`);
  return c;
}

/** A fresh allocator for `subnet` (CIDR) with `gateway` reserved. Throws INVALID_NETWORK_CONFIG. */
export function newIpam(subnet: string, gateway: string): IpamState {
  const c = parseCidr(subnet);
  const gw = parseIpv4(gateway);
  if (c === null || c.prefix > 30) throw ipamErrors.make('INVALID_SUBNET', `subnet ${subnet} is invalid or smaller than /30`);
  if (gw === null || gw <= c.network || gw >= c.broadcast) {
    throw ipamErrors.make('INVALID_SUBNET', `gateway ${gateway} is not a host address of ${subnet}`);
  }
  return { subnet: `${formatIpv4(c.network)}/${c.prefix}`, gateway, allocated: {}, last: null };
}

/** Number of addresses that can be allocated at most (hosts minus the gateway). */
export function ipamCapacity(state: IpamState): number {
  const c = cidrOf(state);
  return c.broadcast - c.network - 2;
}

/**
 * Allocate an address for `owner`: `preferred` if given (must be a free host
 * address of the subnet), else the next free one after `last`. Throws
 * IPAM_POOL_EXHAUSTED, or IPAM_ADDRESS_UNAVAILABLE for a bad preferred address.
 */
export function allocateIp(state: IpamState, owner: string, preferred?: string): { state: IpamState; ip: string } {
  const c = cidrOf(state);
  const gw = parseIpv4(state.gateway);
  const usable = (n: number): boolean => n > c.network && n < c.broadcast && n !== gw && state.allocated[formatIpv4(n)] === undefined;
  let chosen: number | null = null;
  if (preferred !== undefined) {
    const p = parseIpv4(preferred);
    if (p === null || !usable(p)) throw ipamErrors.make('ADDRESS_UNAVAILABLE', `address ${preferred} is not free in ${state.subnet}`);
    chosen = p;
  } else {
    const size = c.broadcast - c.network - 1; // host addresses
    const lastN = state.last === null ? null : parseIpv4(state.last);
    const start = lastN !== null && lastN > c.network && lastN < c.broadcast ? lastN - c.network : 0;
    for (let i = 1; i <= size; i++) {
      const n = c.network + 1 + ((start + i - 1) % size);
      if (usable(n)) {
        chosen = n;
        break;
      }
    }
    if (chosen === null) throw ipamErrors.make('POOL_EXHAUSTED', `no free address left in ${state.subnet}`);
  }
  const ip = formatIpv4(chosen);
  return { state: { ...state, allocated: { ...state.allocated, [ip]: owner }, last: ip }, ip };
}

/** Release `ip` (no-op when it is not allocated). */
export function releaseIp(state: IpamState, ip: string): IpamState {
  if (state.allocated[ip] === undefined) return state;
  const allocated = { ...state.allocated };
  delete allocated[ip];
  return { ...state, allocated };
}

/** Release every address held by `owner`. */
export function releaseOwner(state: IpamState, owner: string): IpamState {
  let s = state;
  for (const [ip, o] of Object.entries(state.allocated)) if (o === owner) s = releaseIp(s, ip);
  return s;
}
