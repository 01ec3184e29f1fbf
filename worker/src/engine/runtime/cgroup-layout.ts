/**
 * Cgroup layout detection: a pure function of /proc/self/mountinfo and the
 * unified hierarchy's cgroup.controllers. No I/O here; see cgroup-host.ts.
 */

/** How cgroups are mounted on this host. */
export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** What the host looks like, and what must be done before crun can run. */
export interface CgroupLayout {
  mode: CgroupMode;
  /** v1 controller name -> mount point (e.g. memory -> /sys/fs/cgroup/memory). */
  v1: Record<string, string>;
  /** Mount point of the cgroup2 hierarchy, if any. */
  unified: string | null;
  /** Controllers listed by the unified hierarchy's cgroup.controllers. */
  unifiedControllers: string[];
  /**
   * v1 controllers that the unified hierarchy lists but no v1 hierarchy
   * binds: crun 1.8 refuses such a hybrid host ("cgroups in hybrid mode not
   * supported, drop all controllers from cgroupv2") until each is mounted as
   * a v1 hierarchy.
   */
  missingV1: string[];
}

/** Parse mountinfo lines and find cgroup mounts. */
export function parseCgroupMounts(mountinfo: string): { v1: Record<string, string>; unified: string | null } {
  const v1: Record<string, string> = {};
  let unified: string | null = null;
  for (const line of mountinfo.split('\n')) {
    if (line.trim() === '') continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountPoint = unescapeMount(left[4] ?? '');
    const fsType = right[0];
    const superOpts = (right[2] ?? '').split(',');
    if (fsType === 'cgroup2') {
      unified ??= mountPoint;
    } else if (fsType === 'cgroup') {
      for (const opt of superOpts) {
        if (opt === 'rw' || opt === 'ro' || opt.includes('=') || opt === 'noprefix' || opt === 'clone_children' || opt === 'xattr') {
          if (opt.startsWith('name=')) v1[opt] ??= mountPoint;
          continue;
        }
        v1[opt] ??= mountPoint;
      }
    }
  }
  return { v1, unified };
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Decide the layout. `unifiedControllers` is the content of
 * `<unified>/cgroup.controllers` ('' or null when absent).
 */
export function detectCgroupLayout(mountinfo: string, unifiedControllers: string | null): CgroupLayout {
  const { v1, unified } = parseCgroupMounts(mountinfo);
  const ctrls = (unifiedControllers ?? '').split(/\s+/).filter((c) => c !== '');
  const v1Names = Object.keys(v1).filter((k) => !k.startsWith('name='));
  let mode: CgroupMode;
  if (v1Names.length === 0 && unified !== null) mode = 'v2';
  else if (unified !== null) mode = 'hybrid';
  else mode = 'v1';
  const missingV1 = mode === 'hybrid' ? ctrls.filter((c) => v1[c] === undefined) : [];
  return { mode, v1, unified, unifiedControllers: ctrls, missingV1 };
}

/** Where a v1 hierarchy for `controller` should be mounted, next to the others. */
export function v1MountPointFor(layout: CgroupLayout, controller: string): string {
  const any = Object.values(layout.v1)[0] ?? '/sys/fs/cgroup/memory';
  const base = any.slice(0, any.lastIndexOf('/')) || '/sys/fs/cgroup';
  return `${base}/${controller}`;
}

/**
 * The cgroup directories of a container, one per hierarchy (v1) or one
 * (v2). `cgroupPath` is relative, e.g. `shoal/<id>`.
 */
export function containerCgroupDirs(layout: CgroupLayout, cgroupPath: string): Record<string, string> {
  const rel = cgroupPath.replace(/^\/+/, '');
  if (layout.mode === 'v2') return { unified: `${layout.unified ?? '/sys/fs/cgroup'}/${rel}` };
  const out: Record<string, string> = {};
  for (const [ctrl, mp] of Object.entries(layout.v1)) {
    if (ctrl.startsWith('name=')) continue;
    out[ctrl] = `${mp}/${rel}`;
  }
  return out;
}

/**
 * Every directory a runtime creates for `cgroupPath`: the controller
 * hierarchies plus named ones (name=systemd) and, in hybrid mode, the
 * unified one. For cleanup and leak checks.
 */
export function allCgroupDirs(layout: CgroupLayout, cgroupPath: string): string[] {
  const rel = cgroupPath.replace(/^\/+/, '');
  const mps = new Set<string>(Object.values(layout.v1));
  if (layout.unified !== null) mps.add(layout.unified);
  return [...mps].map((mp) => `${mp}/${rel}`);
}
