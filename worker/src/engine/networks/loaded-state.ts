/**
 * What the networks subsystem starts from, reconciled from its files. Pure.
 * The sandbox records are the truth: ipam.json is a cache of them, so an
 * address no record holds goes back to its pool and a recorded one missing
 * from the cache is marked taken again.
 */
import { allocateIp, newIpam, releaseIp, type IpamState } from '@shoal/common';
import type { NetworkRecord, SandboxRecord } from './network-record.js';

/** Files as read (null when missing). */
export interface SavedState {
  networks: ReadonlyArray<Partial<NetworkRecord>> | null;
  ipam: Readonly<Record<string, IpamState>> | null;
  sandboxes: readonly SandboxRecord[];
}

/** The result: every network (built-ins first) and one address state per addressed network. */
export interface LoadedState {
  networks: NetworkRecord[];
  ipam: Map<string, IpamState>;
  /** Recorded addresses that fit no subnet any more (reported, kept out of the pools). */
  misplaced: Array<{ containerId: string; ip: string }>;
}

/**
 * Built-ins keep their saved ids (the default bridge takes its addressing
 * from the daemon config every start); user-defined networks come back as
 * saved; address states are checked against the records.
 */
export function reconcileState(
  saved: SavedState,
  defaultBridge: { bridgeName: string; subnet: string; gateway: string },
  fresh: { id: () => string; created: string },
): LoadedState {
  const old = saved.networks ?? [];
  const builtin = (name: string, driver: string, extra: Partial<NetworkRecord> = {}): NetworkRecord => {
    // Records written before user-defined networks existed have no `driver`.
    const o = old.find((n) => n.name === name && (n.builtin === true || n.driver === undefined));
    return {
      id: o?.id ?? fresh.id(), name, driver, scope: 'local', created: o?.created ?? fresh.created, builtin: true, internal: false,
      attachable: false, labels: {}, options: {}, ...extra,
    };
  };
  const networks: NetworkRecord[] = [
    builtin('bridge', 'bridge', { ...defaultBridge }),
    builtin('host', 'host'),
    builtin('none', 'null'),
    ...old.filter((n): n is NetworkRecord => n.builtin === false && typeof n.id === 'string' && typeof n.driver === 'string'),
  ];
  const held = new Set(saved.sandboxes.flatMap((r) => r.endpoints.map((e) => `${e.networkId} ${e.ip ?? ''} ${r.containerId}`)));
  const ipam = new Map<string, IpamState>();
  for (const n of networks) {
    if (n.subnet === undefined || n.gateway === undefined) continue;
    const o = saved.ipam?.[n.id];
    let s = o !== undefined && o.subnet === n.subnet && o.gateway === n.gateway && typeof o.allocated === 'object' ? o : newIpam(n.subnet, n.gateway);
    for (const [ip, owner] of Object.entries(s.allocated)) if (!held.has(`${n.id} ${ip} ${owner}`)) s = releaseIp(s, ip);
    ipam.set(n.id, s);
  }
  const misplaced: LoadedState['misplaced'] = [];
  for (const r of saved.sandboxes) {
    for (const e of r.endpoints) {
      const s = ipam.get(e.networkId);
      if (e.ip === undefined || s === undefined || s.allocated[e.ip] !== undefined) continue;
      try {
        ipam.set(e.networkId, allocateIp(s, r.containerId, e.ip).state);
      } catch {
        misplaced.push({ containerId: r.containerId, ip: e.ip });
      }
    }
  }
  return { networks, ipam, misplaced };
}
