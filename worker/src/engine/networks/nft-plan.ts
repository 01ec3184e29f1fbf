/**
 * The nftables ruleset of our own table, planned from state. Pure: scripts
 * are data, tested as data, and applied atomically with `nft -f -`.
 *
 * Published ports live in four maps (tcp/udp x any-address/one-address)
 * looked up by four fixed DNAT rules, so publishing or unpublishing a port
 * is one `add element` / `delete element` transaction (`planNftDelta`), and
 * the full table (`planNftScript`, which deletes and recreates only our
 * table) is needed only at start and to repair.
 */
import type { PortProto } from './port-spec.js';

/** One published port, programmed as DNAT. */
export interface PortMapping {
  proto: PortProto;
  /** `0.0.0.0` = every local address (incl. 127.0.0.1), else that address only. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** One bridge network as the table sees it. */
export interface NftBridge {
  name: string;
  subnet: string;
  /** No masquerade out, nothing forwarded to or from other interfaces. */
  internal: boolean;
}

/** What the table is planned from. */
export interface NatPlanInput {
  /** nft table name (family ip), e.g. `shoal`. */
  table: string;
  /** The bridge networks: interface name (`shoal0`), subnet (`172.29.0.0/16`), internal. */
  bridges: readonly NftBridge[];
  /**
   * Published ports. When two share a host address, port and protocol (only
   * possible with stale endpoints after a restart), the first one wins.
   */
  mappings: readonly PortMapping[];
}

const MAPS = ['pub_tcp_ip', 'pub_udp_ip', 'pub_tcp_any', 'pub_udp_any'] as const;
type MapName = (typeof MAPS)[number];

function isAny(m: PortMapping): boolean {
  return m.hostIp === '0.0.0.0';
}

function mapOf(m: PortMapping): MapName {
  return `pub_${m.proto}_${isAny(m) ? 'any' : 'ip'}`;
}

/** The map key: `8080` or `127.0.0.1 . 8080`. */
function keyOf(m: PortMapping): string {
  return isAny(m) ? String(m.hostPort) : `${m.hostIp} . ${m.hostPort}`;
}

function elementOf(m: PortMapping): string {
  return `${keyOf(m)} : ${m.containerIp} . ${m.containerPort}`;
}

/** Stable identity of a publication (its map and key). */
export function mappingKey(m: PortMapping): string {
  return `${mapOf(m)} ${keyOf(m)}`;
}

function mappingOrder(a: PortMapping, b: PortMapping): number {
  return a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp) || a.proto.localeCompare(b.proto);
}

/**
 * The full nft script: creates the table if missing, deletes it, and
 * defines it anew, so applying it is atomic and idempotent. Chains:
 * - `prerouting` / `output` (nat): traffic to a local address jumps to
 *   `published`, whose rules DNAT through the maps (specific host addresses
 *   first). Output DNAT makes published ports reachable from the host
 *   itself, 127.0.0.1 included (with route_localnet=1 on the bridge).
 * - `postrouting` (nat), per bridge: masquerade its subnet leaving by
 *   another interface (not for internal networks); masquerade 127.0.0.0/8
 *   sources sent to it (localhost access); masquerade DNATed traffic from
 *   its subnet back into it (hairpin: a container reaching its own
 *   published port).
 * - `forward` (filter, policy accept): established flows and DNATed
 *   traffic (published ports) pass; an internal bridge exchanges nothing
 *   with other interfaces; traffic between two bridges is dropped (networks
 *   are isolated from each other, as Docker's isolation chains do). (A drop
 *   elsewhere, in another table, still wins: nftables evaluates every table.)
 */
export function planNftScript(input: NatPlanInput): string {
  const t = input.table;
  const seen = new Set<string>();
  const byMap = new Map<MapName, PortMapping[]>(MAPS.map((n) => [n, []]));
  for (const m of input.mappings) {
    const k = mappingKey(m);
    if (seen.has(k)) continue;
    seen.add(k);
    byMap.get(mapOf(m))?.push(m);
  }
  const mapLines = (name: MapName, type: string): string[] => {
    const els = [...(byMap.get(name) ?? [])].sort(mappingOrder).map(elementOf);
    return [
      `  map ${name} {`,
      `    type ${type} : ipv4_addr . inet_service`,
      ...(els.length > 0 ? [`    elements = { ${els.join(', ')} }`] : []),
      '  }',
    ];
  };
  const bridges = [...input.bridges].sort((x, y) => x.name.localeCompare(y.name));
  const q = (name: string): string => JSON.stringify(name);
  const postrouting = bridges.flatMap((b) => [
    ...(b.internal ? [] : [`    ip saddr ${b.subnet} oifname != ${q(b.name)} masquerade`]),
    `    oifname ${q(b.name)} ip saddr 127.0.0.0/8 masquerade`,
    `    oifname ${q(b.name)} ip saddr ${b.subnet} ct status dnat masquerade`,
  ]);
  // The policy accepts: only the drops matter, and the accepts before them.
  const forward = [
    ...(bridges.length > 0 ? ['    ct state established,related accept', '    ct status dnat accept'] : []),
    ...bridges.flatMap((b) => {
      if (b.internal) return [`    iifname ${q(b.name)} oifname != ${q(b.name)} drop`, `    oifname ${q(b.name)} iifname != ${q(b.name)} drop`];
      const others = bridges.filter((o) => o.name !== b.name).map((o) => q(o.name));
      return others.length > 0 ? [`    iifname ${q(b.name)} oifname { ${others.join(', ')} } drop`] : [];
    }),
  ];
  const lines = [
    `table ip ${t}`,
    `delete table ip ${t}`,
    `table ip ${t} {`,
    ...mapLines('pub_tcp_ip', 'ipv4_addr . inet_service'),
    ...mapLines('pub_udp_ip', 'ipv4_addr . inet_service'),
    ...mapLines('pub_tcp_any', 'inet_service'),
    ...mapLines('pub_udp_any', 'inet_service'),
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain published {',
    '    dnat ip to ip daddr . tcp dport map @pub_tcp_ip',
    '    dnat ip to ip daddr . udp dport map @pub_udp_ip',
    '    dnat ip to tcp dport map @pub_tcp_any',
    '    dnat ip to udp dport map @pub_udp_any',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...postrouting,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...forward,
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * One transaction that unpublishes `remove` and publishes `add` in the
 * table made by {@link planNftScript}. It fails as a whole (nothing changes)
 * if an element to delete is missing or one to add exists with other data;
 * the caller then rebuilds the full table. Empty when there is nothing to do.
 */
export function planNftDelta(table: string, add: readonly PortMapping[], remove: readonly PortMapping[]): string {
  const lines = [
    ...[...remove].sort(mappingOrder).map((m) => `delete element ip ${table} ${mapOf(m)} { ${keyOf(m)} }`),
    ...[...add].sort(mappingOrder).map((m) => `add element ip ${table} ${mapOf(m)} { ${elementOf(m)} }`),
  ];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Script that removes our table (no error when it is absent). */
export function planNftTeardown(table: string): string {
  return `table ip ${table}\ndelete table ip ${table}\n`;
}
