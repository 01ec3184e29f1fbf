/**
 * IPv4 address arithmetic on unsigned 32-bit numbers. Pure.
 */

/** A parsed CIDR: the network address, prefix length, and the address as written. */
export interface Cidr {
  /** The address as written (`172.29.0.1` in `172.29.0.1/16`). */
  addr: number;
  prefix: number;
  /** The network address (host bits zero). */
  network: number;
  /** The broadcast address (host bits one). */
  broadcast: number;
}

/** Parse dotted-quad `a.b.c.d`; null when invalid. */
export function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return null;
    n = n * 256 + part;
  }
  return n;
}

/** Format an unsigned 32-bit number as dotted quad. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Netmask of a prefix length as an unsigned number. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d/n`; null when invalid. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = parseIpv4(s.slice(0, slash));
  const pfx = s.slice(slash + 1);
  if (addr === null || !/^\d{1,2}$/.test(pfx)) return null;
  const prefix = Number(pfx);
  if (prefix > 32) return null;
  const mask = prefixMask(prefix);
  const network = (addr & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  return { addr, prefix, network, broadcast };
}

/** `network/prefix` text of a CIDR, e.g. `172.29.0.0/16`. */
export function formatSubnet(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes. */
export function macFromIpv4(n: number): string {
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
