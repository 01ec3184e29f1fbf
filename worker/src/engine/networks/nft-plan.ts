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

/** What the table is planned from. */
export interface NatPlanInput {
  /** nft table name (family ip), e.g. `shoal`. */
  table: string;
  /** Bridge interface name, e.g. `shoal0`. */
  bridge: string;
  /** Bridge subnet in CIDR, e.g. `172.29.0.0/16`. */
  subnet: string;
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
 * - `postrouting` (nat): masquerade the bridge subnet leaving by another
 *   interface; masquerade 127.0.0.0/8 sources sent to the bridge (localhost
 *   access); masquerade DNATed traffic from the subnet back into the bridge
 *   (hairpin: a container reaching its own published port).
 * - `forward` (filter, policy accept): accept traffic from the bridge, and to
 *   it when established or DNATed. (A drop elsewhere, in another table,
 *   still wins: nftables evaluates every table.)
 */
export function planNftScript(input: NatPlanInput): string {
  const t = input.table;
  const br = JSON.stringify(input.bridge);
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
    `    ip saddr ${input.subnet} oifname != ${br} masquerade`,
    `    oifname ${br} ip saddr 127.0.0.0/8 masquerade`,
    `    oifname ${br} ip saddr ${input.subnet} ct status dnat masquerade`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${br} accept`,
    `    oifname ${br} ct state established,related accept`,
    `    oifname ${br} ct status dnat accept`,
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
