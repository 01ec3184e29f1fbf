/** /etc/hosts, /etc/hostname and /etc/resolv.conf contents for a container. Pure. */

/** An extra /etc/hosts line: `host:ip` from --add-host or the network attacher. */
export interface HostsEntry { ip: string; names: string[] }

/** /etc/hosts as Docker writes it. */
export function hostsFile(opts: { hostname: string; ip?: string; extra?: readonly HostsEntry[] }): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const e of opts.extra ?? []) lines.push(`${e.ip}\t${e.names.join(' ')}`);
  if (opts.ip !== undefined && opts.ip !== '') lines.push(`${opts.ip}\t${opts.hostname}`);
  return `${lines.join('\n')}\n`;
}

/** Parse `--add-host name:ip` (Docker also accepts `name=ip`). */
export function parseExtraHost(s: string): HostsEntry | null {
  const i = s.search(/[:=]/);
  if (i <= 0) return null;
  const name = s.slice(0, i);
  const ip = s.slice(i + 1).replace(/^\[|\]$/g, '');
  if (ip === '') return null;
  return { ip, names: [name] };
}

/**
 * resolv.conf for a container, from the host's: loopback (127.x, ::1)
 * nameservers are removed (they are unreachable from the container's
 * netns); if none remain, `fallback` nameservers are used (e.g. the
 * network's gateway/embedded DNS), else there is no nameserver line.
 * `dns`, `search`, `options` (the container's --dns*) override.
 */
export function resolvConf(hostText: string, opts: { dns?: readonly string[] | null; search?: readonly string[] | null; options?: readonly string[] | null; fallback?: readonly string[] }): string {
  const ns: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  for (const raw of hostText.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith(';')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined) {
      const ip = rest[0];
      if (ip.startsWith('127.') || ip === '::1') continue;
      ns.push(ip);
    } else if (key === 'search' || key === 'domain') search = rest;
    else if (key === 'options') options = rest;
  }
  const servers = opts.dns != null && opts.dns.length > 0 ? [...opts.dns] : ns.length > 0 ? ns : [...(opts.fallback ?? [])];
  if (opts.search != null && opts.search.length > 0) search = [...opts.search];
  if (opts.options != null && opts.options.length > 0) options = [...opts.options];
  const out: string[] = [];
  for (const s of servers) out.push(`nameserver ${s}`);
  if (search.length > 0) out.push(`search ${search.join(' ')}`);
  if (options.length > 0) out.push(`options ${options.join(' ')}`);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
