/**
 * runtime/: everything between a container record and a running process:
 * cgroup layout detection and host preparation, OCI spec generation (pure),
 * Docker's default seccomp profile and capabilities (data), user lookup,
 * ENTRYPOINT/CMD rules, the overlayfs rootfs, /etc files, crun, cgroup stats.
 */
export { runtimeErrors } from './errors.js';
export { detectCgroupLayout, parseCgroupMounts, containerCgroupDirs, allCgroupDirs, v1MountPointFor } from './cgroup-layout.js';
export type { CgroupLayout, CgroupMode } from './cgroup-layout.js';
export { prepareCgroups, readCgroupLayout } from './cgroup-host.js';
export { readCgroupSample, readOomKills, readCgroupPids, readSystemCpuUsage, readNetDev, cgroupExists, parseKeyValues } from './cgroup-stats.js';
export type { CgroupSample } from './cgroup-stats.js';
export { DEFAULT_CAPS, ALL_CAPS, computeCaps, normalizeCap, capsFromMask } from './capabilities.js';
export { readBoundingCaps } from './host-caps.js';
export { defaultSeccompProfile } from './seccomp-default.js';
export type { OciSeccomp } from './seccomp-default.js';
export { parsePasswd, parseGroup, resolveUser } from './user-lookup.js';
export type { PasswdEntry, GroupEntry, ResolvedUser } from './user-lookup.js';
export { resolveCommand } from './command.js';
export type { CommandInput } from './command.js';
export {
  generateSpec, customSeccomp, buildEnv, buildResources, rlimitType, MASKED_PATHS, READONLY_PATHS, INIT_PATH_IN_CONTAINER,
  DEFAULT_SHM_SIZE, DEFAULT_DEVICES, DEFAULT_DEVICE_RULES,
} from './oci-spec.js';
export type { OciSpec, OciMount, OciResources, OciDevice, UserMount, SpecInput } from './oci-spec.js';
export { hostsFile, resolvConf, parseExtraHost } from './etc-files.js';
export type { HostsEntry } from './etc-files.js';
export { overlayOptions, overlayPaths, mountRootfs, unmountRootfs, removeRootfs, isMounted } from './overlay-rootfs.js';
export { CrunRuntime } from './crun-runtime.js';
export { readHostDevices, splitDev } from './host-devices.js';
export type { CrunState } from './crun-runtime.js';
