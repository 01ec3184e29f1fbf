/**
 * From a container's PortBindings / ExposedPorts / PublishAllPorts to the
 * list of host ports to reserve and publish. Pure.
 */
import type { PortMap } from '@shoal/common';
import { networkErrors } from './network-errors.js';
import { parseIpv4 } from '@shoal/common';

/** Transport protocols we can publish. */
export type PortProto = 'tcp' | 'udp';

/** One host port to reserve: a fixed port, the first free of a range, or ephemeral (0..0). */
export interface PortRequest {
  proto: PortProto;
  containerPort: number;
  /** `0.0.0.0` or a specific IPv4 address of the host. */
  hostIp: string;
  /** Both 0: an ephemeral port; equal: that port; else the first free port in [min, max]. */
  hostPortMin: number;
  hostPortMax: number;
}

/** The planned publications plus every port key the container exposes (for NetworkSettings.Ports). */
export interface PortPlan {
  requests: PortRequest[];
  /** Sorted `80/tcp` keys: exposed ports and bound ports, ranges expanded. */
  portKeys: string[];
}

interface PortKey { from: number; to: number; proto: string }

function badSpec(msg: string): Error {
  return networkErrors.make('INVALID_PORT_SPEC', msg);
}

function parsePortNumber(s: string, what: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(s)) throw badSpec(`invalid ${what} "${s}"`);
  const n = Number(s);
  if (n > 65535 || (!allowZero && n === 0)) throw badSpec(`invalid ${what} "${s}": must be ${allowZero ? 0 : 1}-65535`);
  return n;
}

/** Parse `80`, `80/tcp`, `80-81/udp`. Protocol defaults to tcp. */
export function parsePortKey(key: string): PortKey {
  const m = /^([^/-]+)(?:-([^/]+))?(?:\/(.*))?$/.exec(key.trim());
  if (m === null || m[1] === undefined) throw badSpec(`invalid port "${key}"`);
  const from = parsePortNumber(m[1], 'port', false);
  const to = m[2] === undefined ? from : parsePortNumber(m[2], 'port', false);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw badSpec(`invalid protocol "${proto}" in port "${key}"`);
  if (to < from) throw badSpec(`invalid port range "${key}"`);
  return { from, to, proto };
}

/** Parse a HostPort: `` / `0` = ephemeral, `8080`, `8000-8010`. */
function parseHostPort(s: string | undefined): { min: number; max: number } {
  const v = (s ?? '').trim();
  if (v === '' || v === '0') return { min: 0, max: 0 };
  const dash = v.indexOf('-');
  if (dash < 0) {
    const n = parsePortNumber(v, 'host port', false);
    return { min: n, max: n };
  }
  const min = parsePortNumber(v.slice(0, dash), 'host port', false);
  const max = parsePortNumber(v.slice(dash + 1), 'host port', false);
  if (max < min) throw badSpec(`invalid host port range "${v}"`);
  return { min, max };
}

function parseHostIp(s: string | undefined): string {
  const v = (s ?? '').trim();
  if (v === '' || v === '0.0.0.0') return '0.0.0.0';
  if (parseIpv4(v) === null) throw badSpec(`invalid host IP "${v}": only IPv4 addresses can be published`);
  return v;
}

function keyOf(port: number, proto: string): string {
  return `${port}/${proto}`;
}

function compareKeys(a: string, b: string): number {
  const [pa = '', ta = ''] = a.split('/');
  const [pb = '', tb = ''] = b.split('/');
  return Number(pa) - Number(pb) || ta.localeCompare(tb);
}

/**
 * Expand bindings as Docker does. A key range with a host range of the same
 * length maps pairwise; a key range with an empty host port gets an
 * ephemeral port each; a single key with a host range takes the first free
 * port of the range. With `publishAll`, every exposed port without a
 * binding gets an ephemeral port on 0.0.0.0. Throws INVALID_PORT_SPEC.
 */
export function planPorts(bindings: PortMap | null | undefined, exposed: readonly string[], publishAll: boolean): PortPlan {
  const keys = new Set<string>();
  const bound = new Set<string>();
  const requests: PortRequest[] = [];
  for (const e of exposed) {
    const k = parsePortKey(e);
    for (let p = k.from; p <= k.to; p++) keys.add(keyOf(p, k.proto));
  }
  for (const [rawKey, list] of Object.entries(bindings ?? {})) {
    const k = parsePortKey(rawKey);
    const count = k.to - k.from + 1;
    for (let p = k.from; p <= k.to; p++) keys.add(keyOf(p, k.proto));
    for (const b of list ?? []) {
      if (k.proto === 'sctp') throw badSpec(`cannot publish ${rawKey}: sctp is not supported`);
      const proto = k.proto as PortProto;
      const hostIp = parseHostIp(b.HostIp);
      const hp = parseHostPort(b.HostPort);
      if (count === 1) {
        requests.push({ proto, containerPort: k.from, hostIp, hostPortMin: hp.min, hostPortMax: hp.max });
      } else if (hp.min === 0) {
        for (let p = k.from; p <= k.to; p++) requests.push({ proto, containerPort: p, hostIp, hostPortMin: 0, hostPortMax: 0 });
      } else if (hp.max - hp.min + 1 === count) {
        for (let i = 0; i < count; i++) {
          requests.push({ proto, containerPort: k.from + i, hostIp, hostPortMin: hp.min + i, hostPortMax: hp.min + i });
        }
      } else {
        throw badSpec(`port ranges of ${rawKey} and host port ${b.HostPort ?? ''} have different lengths`);
      }
      for (let p = k.from; p <= k.to; p++) bound.add(keyOf(p, k.proto));
    }
  }
  if (publishAll) {
    for (const key of [...keys].sort(compareKeys)) {
      if (bound.has(key)) continue;
      const [port = '', proto = ''] = key.split('/');
      if (proto === 'sctp') continue;
      requests.push({ proto: proto as PortProto, containerPort: Number(port), hostIp: '0.0.0.0', hostPortMin: 0, hostPortMax: 0 });
    }
  }
  return { requests, portKeys: [...keys].sort(compareKeys) };
}
