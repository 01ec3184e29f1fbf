/**
 * Facts about the host and daemon that /info and /version report. Gathered
 * once by the daemon (daemon/system-facts) so that the API plugins stay free
 * of host I/O and tests can pass fixed values.
 */
export interface SystemFacts {
  /** Daemon id (stable across restarts, stored under the data root). */
  id: string;
  /** Host name. */
  name: string;
  /** shoal's version, e.g. "0.1.0". */
  version: string;
  gitCommit: string;
  /** RFC 3339 build time, or "" when unknown. */
  buildTime: string;
  /** `uname -r`. */
  kernelVersion: string;
  /** PRETTY_NAME of /etc/os-release. */
  operatingSystem: string;
  /** VERSION_ID of /etc/os-release. */
  osVersion: string;
  /** `uname -m`, e.g. x86_64 (what /info reports). */
  architecture: string;
  /** GOARCH-style name, e.g. amd64 (what /version reports). */
  arch: string;
  /** The runtime's version string, reported where Docker reports its Go version (e.g. "node v20.20.2"). */
  runtimeVersion: string;
  ncpu: number;
  /** Bytes. */
  memTotal: number;
  dockerRootDir: string;
  /** /info DriverStatus of the overlay2 driver, as measured: `[["Backing Filesystem", "extfs"], ...]`. */
  driverStatus: Array<[string, string]>;
  cgroupDriver: 'cgroupfs' | 'systemd';
  cgroupVersion: '1' | '2';
  /** OCI runtimes by name, e.g. `{ crun: { path: "/usr/bin/crun" } }`. */
  runtimes: Record<string, { path: string; runtimeArgs?: string[] }>;
  defaultRuntime: string;
  liveRestore: boolean;
  /** Docker's form: `["name=seccomp,profile=builtin", "name=cgroupns"]`. */
  securityOptions: string[];
  loggingDriver: string;
  labels: string[];
  experimental: boolean;
  debug: boolean;
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
  insecureRegistries: string[];
  /** daemon.json default-address-pools. */
  defaultAddressPools: Array<{ Base: string; Size: number }>;
  /** Kernel capabilities as measured by the daemon. */
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
  oomKillDisable: boolean;
  ipv4Forwarding: boolean;
  bridgeNfIptables: boolean;
  bridgeNfIp6tables: boolean;
  /** Lines Docker prints under "WARNING:" in `docker info`. */
  warnings: string[];
}

/** What the system plugin reads besides the static facts. */
export interface SystemInfo {
  readonly facts: SystemFacts;
  /** Open file descriptors of the daemon (/info NFd). */
  openFds(): number;
}
