/**
 * The nftables ruleset of our own table, planned from state. Pure: the
 * script is data, tested as data, and applied atomically with `nft -f -`
 * (it deletes and recreates only our table, in one transaction).
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
  mappings: readonly PortMapping[];
}

function mappingOrder(a: PortMapping, b: PortMapping): number {
  const wa = a.hostIp === '0.0.0.0' ? 1 : 0;
  const wb = b.hostIp === '0.0.0.0' ? 1 : 0;
  return wa - wb || a.hostPort - b.hostPort || a.proto.localeCompare(b.proto) || a.hostIp.localeCompare(b.hostIp);
}

/** The DNAT rule of one mapping (in chain `published`). */
function dnatRule(m: PortMapping): string {
  const match = m.hostIp === '0.0.0.0' ? '' : `ip daddr ${m.hostIp} `;
  return `${match}${m.proto} dport ${m.hostPort} dnat to ${m.containerIp}:${m.containerPort}`;
}

/**
 * The nft script: creates the table if missing, deletes it, and defines it
 * anew, so applying it is atomic and idempotent. Chains:
 * - `prerouting` / `output` (nat): traffic to a local address jumps to
 *   `published`, the DNAT rules (specific host IPs first). Output DNAT makes
 *   published ports reachable from the host itself, 127.0.0.1 included
 *   (with route_localnet=1 on the bridge).
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
  const rules = [...input.mappings].sort(mappingOrder).map((m) => `    ${dnatRule(m)}`);
  const lines = [
    `table ip ${t}`,
    `delete table ip ${t}`,
    `table ip ${t} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain published {',
    ...rules,
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

/** Script that removes our table (no error when it is absent). */
export function planNftTeardown(table: string): string {
  return `table ip ${table}\ndelete table ip ${table}\n`;
}
