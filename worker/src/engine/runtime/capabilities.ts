/** Linux capabilities as Docker grants them. Pure data and functions. */
import { runtimeErrors } from './errors.js';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability the kernel knows (as of Linux 6.x). */
export const ALL_CAPS: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** `chown`, `cap_chown`, `CAP_CHOWN` -> `CAP_CHOWN`; `all` -> `ALL`. Throws on unknown names. */
export function normalizeCap(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!ALL_CAPS.includes(full)) throw runtimeErrors.make('INVALID_SPEC', `unknown capability: "${name}"`);
  return full;
}

/**
 * The effective capability list, as Docker computes it: privileged gets all;
 * otherwise defaults, minus drops (ALL drops everything not re-added), plus
 * adds (ALL adds everything). Adds win over drops for the same cap.
 */
export function computeCaps(opts: { privileged?: boolean; add?: readonly string[] | null; drop?: readonly string[] | null; available?: readonly string[] }): string[] {
  // "All" means all the daemon itself has (its bounding set), as Docker.
  const all = opts.available ?? ALL_CAPS;
  if (opts.privileged === true) return [...all];
  const add = (opts.add ?? []).map(normalizeCap);
  const drop = (opts.drop ?? []).map(normalizeCap);
  if (add.includes('ALL')) return all.filter((c) => !drop.includes(c) || add.includes(c));
  let caps = drop.includes('ALL') ? [] : DEFAULT_CAPS.filter((c) => !drop.includes(c));
  for (const c of add) if (!caps.includes(c)) caps = [...caps, c];
  return caps;
}

/** Capability names of a /proc/<pid>/status Cap* hex mask (bit n = ALL_CAPS[n]). Pure. */
export function capsFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return ALL_CAPS.filter((_c, i) => ((mask >> BigInt(i)) & 1n) === 1n);
}
