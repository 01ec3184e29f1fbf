/**
 * Subnets for new networks, carved from address pools (Docker's
 * `default-address-pools`, swarm's `--default-addr-pool`). Pure.
 */
import { formatSubnet, parseCidr, type Cidr } from './ipv4.js';

/** One pool: `base` (CIDR) split into subnets of `size` bits of prefix (the daemon config's shape). */
interface AddressPool {
  base: string;
  size: number;
}

/** Docker's default local pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DEFAULT_LOCAL_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 }, { base: '172.18.0.0/16', size: 16 }, { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 }, { base: '172.24.0.0/14', size: 16 }, { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** True when two CIDRs share an address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

/**
 * The first subnet of the pools that overlaps none of `taken` (other
 * networks' subnets, the host's routes), as `a.b.c.d/n`; null when the
 * pools are exhausted. Invalid pools are skipped.
 */
export function pickSubnet(pools: readonly AddressPool[], taken: readonly Cidr[]): string | null {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (base === null || pool.size < base.prefix || pool.size > 30) continue;
    const step = 2 ** (32 - pool.size);
    for (let n = base.network; n <= base.broadcast; n += step) {
      const c: Cidr = { addr: n, prefix: pool.size, network: n, broadcast: n + step - 1 };
      if (!taken.some((t) => cidrsOverlap(c, t))) return formatSubnet(c);
    }
  }
  return null;
}
