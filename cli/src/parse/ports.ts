import type { PortMap } from '@shoal/common';
import { cliErrors } from '../cli-errors.js';

/** One container port and the host binding asked for it. */
export interface PortMapping {
  /** `80/tcp` */
  port: string;
  binding: { HostIp: string; HostPort: string };
}

const bad = (msg: string) => cliErrors.make('INVALID_FLAG', msg);

function parseUint16(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** `8000-8010` -> [8000, 8010]; `80` -> [80, 80]. Throws on anything else. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw bad('empty string specified for ports');
  if (!ports.includes('-')) {
    const n = parseUint16(ports);
    if (n === undefined) throw bad(`invalid port: ${ports}`);
    return [n, n];
  }
  const parts = ports.split('-');
  const start = parseUint16(parts[0] ?? '');
  const end = parseUint16(parts[1] ?? '');
  if (parts.length !== 2 || start === undefined || end === undefined) throw bad(`invalid port range: ${ports}`);
  if (end < start) throw bad(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** `80/udp` -> ['udp', '80']; `80` -> ['tcp', '80']; `` -> ['', '']. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0] ?? ''];
  return [parts[1] ?? '', parts[0] ?? ''];
}

function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  let groups = 0;
  for (const half of dbl) {
    if (half === '') continue;
    const gs = half.split(':');
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i] ?? '';
      if (i === gs.length - 1 && g.includes('.')) {
        if (!isIPv4(g)) return false;
        groups += 2;
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) groups += 1;
      else return false;
    }
  }
  return dbl.length === 2 ? groups < 8 : groups === 8;
}

/** True for an IPv4 or IPv6 literal as Go's net.ParseIP accepts it. */
export function isIpLiteral(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

/**
 * Parse one `-p` value exactly like Docker's nat.ParsePortSpec:
 * `[ip:][hostPort:]containerPort[/proto]`, with ranges on either side
 * (equal lengths, or a host range for a single container port), IPv6 in
 * brackets, proto tcp/udp/sctp.
 */
export function parsePortSpec(raw: string): PortMapping[] {
  const parts = raw.split(':');
  const n = parts.length;
  let containerPort = parts[n - 1] ?? '';
  let ip = '';
  let hostPort = '';
  if (n === 2) hostPort = parts[0] ?? '';
  else if (n === 3) { ip = parts[0] ?? ''; hostPort = parts[1] ?? ''; }
  else if (n > 3) { ip = parts.slice(0, n - 2).join(':'); hostPort = parts[n - 2] ?? ''; }
  const [proto, cport] = splitProtoPort(containerPort);
  containerPort = cport;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw bad(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIpLiteral(ip)) throw bad(`invalid IP address: ${ip}`);
  if (containerPort === '') throw bad(`no port specified: ${raw}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw bad(`invalid containerPort: ${containerPort}`);
  }
  let hStart = 0;
  let hEnd = 0;
  if (hostPort !== '') {
    try {
      [hStart, hEnd] = parsePortRange(hostPort);
    } catch {
      throw bad(`invalid hostPort: ${hostPort}`);
    }
    if (end - start !== hEnd - hStart && end !== start) {
      throw bad(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const p = proto.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw bad(`invalid proto: ${proto}`);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort === '' ? '' : String(hStart + i);
    if (start === end && hStart !== hEnd) hp = `${hp}-${hEnd}`;
    out.push({ port: `${start + i}/${p}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** The Engine API fields for a list of `-p` values (nat.ParsePortSpecs). */
export function parsePortSpecs(specs: readonly string[]): { exposedPorts: Record<string, Record<string, never>>; portBindings: PortMap } {
  const exposedPorts: Record<string, Record<string, never>> = {};
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const spec of specs) {
    for (const m of parsePortSpec(spec)) {
      exposedPorts[m.port] = {};
      (portBindings[m.port] ??= []).push(m.binding);
    }
  }
  return { exposedPorts, portBindings };
}

/** `--expose 80`, `--expose 8000-8010/udp`: the ports, no bindings. */
export function parseExpose(spec: string): string[] {
  const [proto, port] = splitProtoPort(spec);
  if (port === '') throw bad(`invalid expose: ${spec}`);
  const [start, end] = parsePortRange(port);
  const out: string[] = [];
  for (let i = start; i <= end; i++) out.push(`${i}/${proto}`);
  return out;
}
