/**
 * The kernel edge of the network drivers (the engine's bridge today, the
 * overlay next): bridges, network namespaces, veth pairs, sysctls and
 * nftables scripts, through `ip`, `unshare`, `mount`/`umount`, `nft` and
 * `conntrack` (iproute2, util-linux, nftables, conntrack) via runTool.
 * Commands are batched (`ip -batch -`) to keep `docker run` fast. Every
 * failure is NET_SETUP_FAILED with the tool's message.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, runToolJson, hasCode, commonErrors } from '@shoal/common';
import { netErrors } from './net-errors.js';

const IP_TIMEOUT_MS = 15_000;

function setupFailed(what: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return netErrors.make('SETUP_FAILED', `${what}: ${msg}`, { cause: e });
}

/** Mount points of this mount namespace (field 5 of /proc/self/mountinfo, octal escapes decoded). */
async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (mp !== undefined) out.add(mp.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** True when `path` is a mount point. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).has(path);
}

/**
 * Make `dir` (our netns directory) a shared bind mount of itself, as
 * `ip netns` does for /run/netns, so that netns mounts under it are not
 * pinned by copies in containers' mount namespaces.
 */
export async function ensureNetnsDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  try {
    if (!(await isMountPoint(dir))) await runTool(['mount', '--bind', dir, dir]);
    await runTool(['mount', '--make-shared', dir]);
  } catch (e) {
    throw setupFailed(`cannot prepare netns directory ${dir}`, e);
  }
}

/** Files in our netns directory (one per endpoint with a namespace). */
export async function listNetnsFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).map((f) => join(dir, f));
}

/** Write a sysctl under /proc/sys (`net/ipv4/ip_forward`). */
export async function writeSysctl(key: string, value: string): Promise<void> {
  try {
    await writeFile(`/proc/sys/${key}`, value);
  } catch (e) {
    throw setupFailed(`cannot set sysctl ${key.replaceAll('/', '.')}=${value}`, e);
  }
}

/** True when a link with this name exists in our netns. */
export async function linkExists(name: string): Promise<boolean> {
  const r = await runTool(['ip', '-o', 'link', 'show', 'dev', name], { okCodes: [0, 1, 255], timeoutMs: IP_TIMEOUT_MS });
  return r.code === 0 && r.stdout.trim() !== '';
}

/** Create the bridge if missing, give it `cidrAddr` (e.g. 172.29.0.1/16), bring it up. Idempotent. */
export async function ensureBridge(name: string, cidrAddr: string): Promise<void> {
  const lines: string[] = [];
  if (!(await linkExists(name))) lines.push(`link add name ${name} type bridge`);
  lines.push(`addr replace ${cidrAddr} dev ${name}`, `link set dev ${name} up`);
  await ipBatch(lines, `cannot set up bridge ${name}`);
}

/** Run `ip -batch -` in our netns; throws NETWORK_SETUP_FAILED. */
export async function ipBatch(lines: readonly string[], what: string): Promise<void> {
  try {
    await runTool(['ip', '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: IP_TIMEOUT_MS });
  } catch (e) {
    throw setupFailed(what, e);
  }
}

/**
 * Create a network namespace bound at `path` (a file is created there and
 * the new namespace bind-mounted on it by `unshare --net=PATH`), and run
 * `ipLines` inside it with `ip -batch -`. On failure the namespace is
 * removed again. Throws NET_SETUP_FAILED.
 */
export async function createNetns(path: string, ipLines: readonly string[]): Promise<void> {
  try {
    await writeFile(path, '', { flag: 'wx' });
  } catch (e) {
    // A file left by a crash before its namespace was mounted is ours to reuse;
    // a mounted one belongs to a live endpoint and is never touched here.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || (await isMountPoint(path))) {
      throw setupFailed(`cannot create network namespace ${path}`, e);
    }
  }
  try {
    await runTool(['unshare', `--net=${path}`, 'ip', '-batch', '-'], { input: `${ipLines.join('\n')}\n`, timeoutMs: IP_TIMEOUT_MS });
  } catch (e) {
    await removeNetns(path).catch(() => undefined);
    throw setupFailed(`cannot create network namespace ${path}`, e);
  }
}

/** Run `ip -batch -` inside an existing network namespace (`nsenter --net=PATH`). Throws NET_SETUP_FAILED. */
export async function netnsIpBatch(path: string, lines: readonly string[], what: string): Promise<void> {
  try {
    await runTool(['nsenter', `--net=${path}`, 'ip', '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: IP_TIMEOUT_MS });
  } catch (e) {
    throw setupFailed(what, e);
  }
}

/** The IPv4 destinations of the host's main routing table (`ip -j -4 route`), e.g. `192.0.2.0/24`, `0.0.0.0/0`. */
export async function hostRouteDestinations(): Promise<string[]> {
  try {
    const routes = await runToolJson<Array<{ dst?: string }> | null>(['ip', '-j', '-4', 'route', 'show', 'table', 'main'], { timeoutMs: IP_TIMEOUT_MS });
    return (routes ?? []).map((r) => r.dst ?? '').filter((d) => d !== '' && d !== 'default').map((d) => (d.includes('/') ? d : `${d}/32`));
  } catch (e) {
    throw setupFailed('cannot list the host routes', e);
  }
}

/** Unmount and delete a netns file. Idempotent. */
export async function removeNetns(path: string): Promise<void> {
  if (await isMountPoint(path)) {
    try {
      await runTool(['umount', path], { timeoutMs: IP_TIMEOUT_MS });
    } catch (e) {
      throw setupFailed(`cannot unmount network namespace ${path}`, e);
    }
  }
  await rm(path, { force: true });
}

/** Delete a link if it exists (deleting one end of a veth deletes both). Idempotent. */
export async function deleteLink(name: string): Promise<void> {
  try {
    const r = await runTool(['ip', 'link', 'del', 'dev', name], { okCodes: [0, 1, 255], timeoutMs: IP_TIMEOUT_MS });
    if (r.code !== 0 && !/Cannot find device|does not exist/i.test(r.stderr)) {
      throw commonErrors.make('TOOL_FAILED', `ip link del dev ${name} failed: ${r.stderr.trim()}`);
    }
  } catch (e) {
    if (hasCode(e, commonErrors.codes.TOOL_NOT_FOUND)) throw e;
    throw setupFailed(`cannot delete link ${name}`, e);
  }
}

/** Names of the interfaces enslaved to `bridge`. */
export async function bridgePortNames(bridge: string): Promise<string[]> {
  try {
    const links = await runToolJson<Array<{ ifname?: string }> | null>(['ip', '-j', 'link', 'show', 'master', bridge], { timeoutMs: IP_TIMEOUT_MS });
    return (links ?? []).map((l) => l.ifname ?? '').filter((n) => n !== '');
  } catch (e) {
    throw setupFailed(`cannot list the ports of ${bridge}`, e);
  }
}

/** Apply an nft script atomically (`nft -f -`). Throws NET_SETUP_FAILED. */
export async function nftApply(script: string, what: string): Promise<void> {
  try {
    await runTool(['nft', '-f', '-'], { input: script, timeoutMs: IP_TIMEOUT_MS });
  } catch (e) {
    throw setupFailed(what, e);
  }
}

/** Counters of one interface as Docker's stats report them. */
export interface InterfaceCounters {
  rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number;
  tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number;
}

/**
 * The counters of a container's eth0 read from the host end of its veth
 * (/sys/class/net/<veth>/statistics): what the host end receives the
 * container sent, so rx and tx swap. Null when the link is gone.
 */
export async function vethPeerCounters(vethHost: string): Promise<InterfaceCounters | null> {
  const dir = `/sys/class/net/${vethHost}/statistics`;
  const names = ['rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'] as const;
  try {
    const v = await Promise.all(names.map(async (n) => Number((await readFile(`${dir}/${n}`, 'utf8')).trim())));
    const [rxB = 0, rxP = 0, rxE = 0, rxD = 0, txB = 0, txP = 0, txE = 0, txD = 0] = v;
    return { rx_bytes: txB, rx_packets: txP, rx_errors: txE, rx_dropped: txD, tx_bytes: rxB, tx_packets: rxP, tx_errors: rxE, tx_dropped: rxD };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Delete the conntrack entries whose reply comes from `ip` (flows DNATed to
 * a container that is gone), as Docker does on unpublish: otherwise a UDP
 * client that keeps sending keeps its stale mapping to the old address.
 * Returns false when the `conntrack` tool (Debian package conntrack) is not
 * installed: the flush is then skipped (the entries time out on their own).
 */
export async function flushConntrackTo(ip: string): Promise<boolean> {
  try {
    // Exit 1 when nothing matched.
    await runTool(['conntrack', '-D', '--reply-src', ip], { okCodes: [0, 1], timeoutMs: IP_TIMEOUT_MS });
    return true;
  } catch (e) {
    if (hasCode(e, commonErrors.codes.TOOL_NOT_FOUND)) return false;
    throw setupFailed(`cannot flush conntrack entries of ${ip}`, e);
  }
}
