/**
 * The table of settings: each daemon.json key, its dockerd flag, how a flag
 * value becomes daemon.json's shape, and how that shape is checked and put
 * into a DaemonConfig. Flags and file are read through this one table, so a
 * setting cannot behave differently depending on where it was given.
 */
import type { Ulimit } from '../docker-api/index.js';
import type { DaemonConfig } from './daemon-config.js';
import {
  checkCidr, checkHost, checkPool, checkString, checkStringList, invalid, parseBool, parseLogLevel, parsePoolFlag, parseSize, parseUlimitFlag,
} from './config-values.js';

/** One setting. */
export interface DaemonSetting {
  /** daemon.json key. */
  key: string;
  /** commander flag spec, e.g. `-H, --host <addr>`. */
  flag: string;
  description: string;
  /** The flag may be repeated; values are collected in a list. */
  repeatable?: boolean;
  /** A boolean flag with an optional value (`--live-restore`, `--live-restore=false`). */
  boolean?: boolean;
  /** Convert the flag's value(s) into daemon.json's shape. Default: as is. */
  fromFlag?: (value: string | string[] | boolean) => unknown;
  /** Check a daemon.json-shaped value and set it in the config. */
  apply: (cfg: DaemonConfig, raw: unknown) => void;
}

function kvList(key: string, values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw invalid(key, `"${v}" is not KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function applyLogOpts(cfg: DaemonConfig, raw: unknown): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('log-opts', 'expected an object of strings');
  const opts = { ...cfg.logOpts };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw invalid('log-opts', `the value of ${k} must be a string`);
    if (k === 'max-size') opts.maxSize = v === '-1' ? 0 : parseSize('log-opts max-size', v);
    else if (k === 'max-file') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw invalid('log-opts max-file', `"${v}" must be a number >= 1`);
      opts.maxFile = Number(v);
    } else {
      throw invalid('log-opts', `unknown log option "${k}" for json-file (supported: max-size, max-file)`);
    }
  }
  if (opts.maxFile > 1 && opts.maxSize === 0) throw invalid('log-opts', 'max-file needs max-size: without a size there is no rotation');
  cfg.logOpts = opts;
}

function applyUlimits(cfg: DaemonConfig, raw: unknown): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('default-ulimits', 'expected an object {"nofile": {"Name": "nofile", "Soft": N, "Hard": N}}');
  const out: Record<string, Ulimit> = {};
  for (const [name, u] of Object.entries(raw as Record<string, unknown>)) {
    const x = u as Partial<Ulimit>;
    if (u === null || typeof u !== 'object' || typeof x.Soft !== 'number' || typeof x.Hard !== 'number') {
      throw invalid('default-ulimits', `${name} needs numeric Soft and Hard`);
    }
    if (x.Hard !== -1 && x.Soft > x.Hard) throw invalid('default-ulimits', `${name}: soft limit ${x.Soft} is above hard limit ${x.Hard}`);
    out[name] = { Name: name, Soft: x.Soft, Hard: x.Hard };
  }
  cfg.defaultUlimits = out;
}

const str = (field: keyof DaemonConfig, key: string) => (cfg: DaemonConfig, raw: unknown): void => {
  (cfg as unknown as Record<string, unknown>)[field] = checkString(key, raw);
};
const bool = (field: keyof DaemonConfig, key: string) => (cfg: DaemonConfig, raw: unknown): void => {
  (cfg as unknown as Record<string, unknown>)[field] = parseBool(key, raw);
};

/** Every setting shoald understands. */
export const DAEMON_SETTINGS: readonly DaemonSetting[] = [
  { key: 'data-root', flag: '--data-root <dir>', description: 'root of persistent state (images, containers)', apply: str('dataRoot', 'data-root') },
  { key: 'exec-root', flag: '--exec-root <dir>', description: 'root of runtime state (sockets, shims)', apply: str('execRoot', 'exec-root') },
  {
    key: 'hosts', flag: '-H, --host <addr>', description: 'listen address: unix:///path or tcp://host:port (repeatable)', repeatable: true,
    apply: (cfg, raw) => {
      const hosts = checkStringList('hosts', raw);
      if (hosts.length === 0) throw invalid('hosts', 'at least one listen address is needed');
      cfg.hosts = hosts.map((h) => checkHost('hosts', h));
    },
  },
  { key: 'pidfile', flag: '-p, --pidfile <path>', description: 'path of the pid file', apply: str('pidfile', 'pidfile') },
  {
    key: 'bip', flag: '--bip <cidr>', description: 'address and prefix of the default bridge',
    apply: (cfg, raw) => { checkCidr('bip', checkString('bip', raw)); cfg.bip = raw as string; },
  },
  {
    key: 'bridge', flag: '-b, --bridge <name>', description: 'name of the default bridge device',
    apply: (cfg, raw) => {
      const name = checkString('bridge', raw);
      if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(name)) throw invalid('bridge', `"${name}" is not a Linux interface name (1-15 of [a-zA-Z0-9_.-])`);
      cfg.bridge = name;
    },
  },
  {
    key: 'log-level', flag: '-l, --log-level <level>', description: 'debug, info, warn, error or fatal',
    apply: (cfg, raw) => { cfg.logLevel = parseLogLevel('log-level', raw); },
  },
  { key: 'debug', flag: '-D, --debug [bool]', description: 'debug mode (log level debug)', boolean: true, apply: bool('debug', 'debug') },
  {
    key: 'log-driver', flag: '--log-driver <name>', description: 'container log driver (json-file)',
    apply: (cfg, raw) => {
      if (raw !== 'json-file') throw invalid('log-driver', `${JSON.stringify(raw)} is not supported; shoal implements json-file`);
      cfg.logDriver = 'json-file';
    },
  },
  {
    key: 'log-opts', flag: '--log-opt <key=value>', description: 'log driver option: max-size=10m, max-file=3 (repeatable)', repeatable: true,
    fromFlag: (v) => kvList('log-opt', v as string[]), apply: applyLogOpts,
  },
  { key: 'cgroup-parent', flag: '--cgroup-parent <name>', description: 'parent cgroup of containers', apply: str('cgroupParent', 'cgroup-parent') },
  {
    key: 'default-ulimits', flag: '--default-ulimit <name=soft:hard>', description: 'default ulimit of containers (repeatable)', repeatable: true,
    fromFlag: (v) => Object.fromEntries((v as string[]).map((s) => { const u = parseUlimitFlag('default-ulimit', s); return [u.Name, u]; })),
    apply: applyUlimits,
  },
  { key: 'live-restore', flag: '--live-restore [bool]', description: 'keep containers running while shoald is down', boolean: true, apply: bool('liveRestore', 'live-restore') },
  {
    key: 'nft-table', flag: '--nft-table <name>', description: 'name of shoal\'s nftables table',
    apply: (cfg, raw) => {
      const name = checkString('nft-table', raw);
      if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/.test(name)) throw invalid('nft-table', `"${name}" is not a valid nftables table name`);
      cfg.nftTable = name;
    },
  },
  {
    key: 'userland-proxy', flag: '--userland-proxy [bool]', description: 'accepted for compatibility; shoal publishes ports with nftables only', boolean: true,
    apply: (cfg, raw) => {
      if (parseBool('userland-proxy', raw)) throw invalid('userland-proxy', 'shoal has no userland proxy (ports are published with nftables); use --userland-proxy=false');
      cfg.userlandProxy = false;
    },
  },
  {
    key: 'insecure-registries', flag: '--insecure-registry <host>', description: 'registry reached over plain HTTP (repeatable)', repeatable: true,
    apply: (cfg, raw) => { cfg.insecureRegistries = checkStringList('insecure-registries', raw); },
  },
  {
    key: 'default-address-pools', flag: '--default-address-pool <base=cidr,size=n>', description: 'address pool for new networks (repeatable)', repeatable: true,
    fromFlag: (v) => (v as string[]).map((s) => parsePoolFlag('default-address-pool', s)),
    apply: (cfg, raw) => {
      if (!Array.isArray(raw)) throw invalid('default-address-pools', 'expected a list of {"base": CIDR, "size": N}');
      cfg.defaultAddressPools = raw.map((p) => checkPool('default-address-pools', p));
    },
  },
  {
    key: 'labels', flag: '--label <key=value>', description: 'daemon label (repeatable)', repeatable: true,
    apply: (cfg, raw) => { cfg.labels = checkStringList('labels', raw); },
  },
  { key: 'tlsverify', flag: '--tlsverify [bool]', description: 'require mutual TLS on tcp:// listeners', boolean: true, apply: bool('tlsverify', 'tlsverify') },
  { key: 'tlscacert', flag: '--tlscacert <path>', description: 'CA that client certificates must chain to', apply: str('tlscacert', 'tlscacert') },
  { key: 'tlscert', flag: '--tlscert <path>', description: 'server certificate', apply: str('tlscert', 'tlscert') },
  { key: 'tlskey', flag: '--tlskey <path>', description: 'server key', apply: str('tlskey', 'tlskey') },
];
