/**
 * shoald's configuration: dockerd's flag names and daemon.json keys for what
 * shoal implements. The canonical name of a setting is its daemon.json key
 * (`data-root`); the resolved config uses camelCase fields.
 */
import type { Ulimit } from '../docker-api/index.js';

/** Log levels of --log-level (dockerd's names). */
export type DaemonLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** An address pool of --default-address-pool / default-address-pools. */
export interface AddressPool { base: string; size: number }

/** The resolved daemon configuration. */
export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  /** Listen addresses: `unix:///path` or `tcp://host:port` (tcp needs tlsverify). */
  hosts: string[];
  pidfile: string;
  /** The daemon.json that was read, or undefined when none existed. */
  configFile: string | undefined;
  /** Address and prefix of the default bridge, e.g. 172.29.0.1/16. */
  bip: string;
  bridge: string;
  logLevel: DaemonLogLevel;
  debug: boolean;
  logDriver: 'json-file';
  /** json-file options: max-size in bytes (0 = unlimited), max-file >= 1. */
  logOpts: { maxSize: number; maxFile: number };
  cgroupParent: string;
  defaultUlimits: Record<string, Ulimit>;
  liveRestore: boolean;
  nftTable: string;
  userlandProxy: boolean;
  insecureRegistries: string[];
  defaultAddressPools: AddressPool[];
  labels: string[];
  tlsverify: boolean;
  tlscacert: string | undefined;
  tlscert: string | undefined;
  tlskey: string | undefined;
}

/** Defaults, chosen so that shoald never collides with a dockerd on the same host. */
export const DAEMON_DEFAULTS: Readonly<DaemonConfig> = Object.freeze({
  dataRoot: '/var/lib/shoal',
  execRoot: '/run/shoal',
  hosts: ['unix:///run/shoal/shoal.sock'],
  pidfile: '/run/shoal/shoald.pid',
  configFile: undefined,
  bip: '172.29.0.1/16',
  bridge: 'shoal0',
  logLevel: 'info',
  debug: false,
  logDriver: 'json-file',
  logOpts: { maxSize: 0, maxFile: 1 },
  cgroupParent: 'shoal',
  defaultUlimits: {},
  liveRestore: true,
  nftTable: 'shoal',
  userlandProxy: false,
  insecureRegistries: [],
  defaultAddressPools: [],
  labels: [],
  tlsverify: false,
  tlscacert: undefined,
  tlscert: undefined,
  tlskey: undefined,
});

/** The default path of daemon.json (a missing file at this path is not an error). */
export const DEFAULT_CONFIG_FILE = '/etc/shoal/daemon.json';

/**
 * A setting as given by the user, before merging: a daemon.json key and its
 * raw value in daemon.json's JSON shape (flags are converted to that shape).
 */
export type RawSettings = Record<string, unknown>;
