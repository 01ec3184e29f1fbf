/**
 * A container's /etc/hosts, /etc/resolv.conf and /etc/hostname for its
 * sandbox: the host's files read here (the I/O edge), laid out by the pure
 * builders of host-files.ts.
 */
import { readFile } from 'node:fs/promises';
import type { AttachRequest, AttachResult } from './network-attacher.js';
import type { SandboxRecord } from './network-record.js';
import { buildHosts, buildResolvConf } from './host-files.js';

/**
 * The files of a container in `sandbox` (its own, or the one it joined):
 * hosts with its primary address (the host's hosts file in host mode),
 * `host-gateway` as `gateway`; the host's resolv.conf or the overrides.
 */
export async function sandboxFiles(o: {
  sandbox: SandboxRecord;
  req: AttachRequest;
  gateway: string | undefined;
  resolvConfPath: string;
  hostsPath: string;
}): Promise<Pick<AttachResult, 'hosts' | 'resolvConf' | 'hostnameFile'>> {
  const { req } = o;
  const hostMode = o.sandbox.kind === 'host';
  const primary = o.sandbox.endpoints[0];
  const hostResolv = await readFile(o.resolvConfPath, 'utf8').catch(() => '');
  const hostHosts = hostMode ? await readFile(o.hostsPath, 'utf8').catch(() => '') : undefined;
  return {
    hosts: buildHosts({
      ip: primary?.ip,
      hostname: req.hostname,
      domainname: req.domainname,
      extraHosts: req.extraHosts ?? [],
      gatewayIp: primary?.ip !== undefined ? o.gateway : undefined,
      hostHosts,
    }),
    resolvConf: buildResolvConf(hostResolv, { dns: req.dns, dnsSearch: req.dnsSearch, dnsOptions: req.dnsOptions }, hostMode),
    hostnameFile: `${req.hostname}\n`,
  };
}
