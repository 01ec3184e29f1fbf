/**
 * The container's /etc/hosts, /etc/resolv.conf and /etc/hostname, in
 * Docker's layout. Pure: the host's files come in as text.
 */

/** Docker's default hosts lines. */
const DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** Docker's fallback nameservers when the host has only local ones. */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/** `name:ip` extra hosts as hosts lines; `host-gateway` becomes `gatewayIp`. */
function extraHostLines(extraHosts: readonly string[], gatewayIp: string | undefined): string[] {
  const out: string[] = [];
  for (const eh of extraHosts) {
    // name:ip, where ip may be IPv6 (contains colons): split at the first colon.
    const i = eh.indexOf(':');
    if (i <= 0) continue;
    const name = eh.slice(0, i);
    let ip = eh.slice(i + 1);
    if (ip === 'host-gateway') {
      if (gatewayIp === undefined) continue;
      ip = gatewayIp;
    }
    out.push(`${ip}\t${name}`);
  }
  return out;
}

/** Inputs of {@link buildHosts}. */
export interface HostsInput {
  /** The container's IP (bridge mode); absent for none. */
  ip?: string;
  hostname: string;
  domainname?: string;
  extraHosts: readonly string[];
  /** For `host-gateway` in extra hosts. */
  gatewayIp?: string;
  /** host mode: the host's /etc/hosts is the base instead of Docker's defaults. */
  hostHosts?: string;
}

/** The container's /etc/hosts. */
export function buildHosts(input: HostsInput): string {
  const base = input.hostHosts !== undefined ? input.hostHosts.replace(/\n+$/, '').split('\n') : [...DEFAULT_HOSTS];
  const lines = [...base, ...extraHostLines(input.extraHosts, input.gatewayIp)];
  if (input.ip !== undefined) {
    const names = input.domainname ? `${input.hostname}.${input.domainname} ${input.hostname}` : input.hostname;
    lines.push(`${input.ip}\t${names}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Overrides from HostConfig.Dns / DnsSearch / DnsOptions. */
export interface DnsOverrides {
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
}

function isLocalNameserver(ns: string): boolean {
  return ns.startsWith('127.') || ns === '::1' || ns.startsWith('fe80:');
}

/**
 * The container's /etc/resolv.conf from the host's. In host mode the host's
 * nameservers are kept as they are; otherwise local ones (127.x, ::1) are
 * dropped, since they are unreachable from the container, and Docker's
 * fallback (8.8.8.8, 8.8.4.4) is used when none is left. Overrides replace
 * the corresponding lines.
 */
export function buildResolvConf(hostResolvConf: string, overrides: DnsOverrides, hostMode: boolean): string {
  const nameservers: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  for (const raw of hostResolvConf.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const [kw, ...rest] = line.split(/\s+/);
    if (kw === 'nameserver' && rest[0] !== undefined) nameservers.push(rest[0]);
    else if (kw === 'search' || kw === 'domain') search.splice(0, search.length, ...rest);
    else if (kw === 'options') options.push(...rest);
  }
  const override = overrides.dns !== undefined && overrides.dns.length > 0;
  let ns = override ? [...(overrides.dns ?? [])] : nameservers;
  if (!hostMode && !override) ns = ns.filter((n) => !isLocalNameserver(n));
  if (!hostMode && ns.length === 0) ns = [...DEFAULT_NAMESERVERS];
  const srch = overrides.dnsSearch !== undefined && overrides.dnsSearch.length > 0 ? overrides.dnsSearch : search;
  const opts = overrides.dnsOptions !== undefined && overrides.dnsOptions.length > 0 ? overrides.dnsOptions : options;
  const out = ns.map((n) => `nameserver ${n}`);
  if (srch.length > 0 && !(srch.length === 1 && srch[0] === '.')) out.push(`search ${srch.join(' ')}`);
  if (opts.length > 0) out.push(`options ${opts.join(' ')}`);
  return `${out.join('\n')}\n`;
}
