import { mkdir, readFile } from 'node:fs/promises';
import { runTool, type Logger } from '@shoal/common';
import { detectCgroupLayout, v1MountPointFor, type CgroupLayout } from './cgroup-layout.js';
import { runtimeErrors } from './errors.js';

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Read the host's cgroup layout (no changes). */
export async function readCgroupLayout(): Promise<CgroupLayout> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  let layout = detectCgroupLayout(mountinfo, null);
  if (layout.unified !== null) {
    layout = detectCgroupLayout(mountinfo, await readOrNull(`${layout.unified}/cgroup.controllers`));
  }
  return layout;
}

/**
 * Make the host's cgroups usable by crun, once at daemon start. On a hybrid
 * host whose cgroup2 mount still lists v1 controllers (hugetlb here), crun
 * 1.8 refuses to run; we bind each such controller to a v1 hierarchy, which
 * moves it off cgroup2, and log it. Idempotent.
 */
export async function prepareCgroups(log: Logger): Promise<CgroupLayout> {
  let layout = await readCgroupLayout();
  if (layout.mode !== 'hybrid' || layout.missingV1.length === 0) return layout;
  for (const ctrl of layout.missingV1) {
    const mp = v1MountPointFor(layout, ctrl);
    log.warn({ controller: ctrl, mountPoint: mp, unified: layout.unified },
      `cgroup hybrid host: ${ctrl} is attached to cgroup2 but crun supports hybrid mode only when cgroup2 has no controllers; mounting a v1 ${ctrl} hierarchy at ${mp}`);
    try {
      await mkdir(mp, { recursive: true });
      await runTool(['mount', '-t', 'cgroup', '-o', ctrl, 'cgroup', mp]);
    } catch (e) {
      throw runtimeErrors.make('CGROUP_SETUP_FAILED',
        `cannot mount the v1 ${ctrl} cgroup hierarchy at ${mp} (needed because crun refuses a hybrid host whose cgroup2 lists controllers); run as root or do it once: mkdir -p ${mp} && mount -t cgroup -o ${ctrl} cgroup ${mp}`, { cause: e });
    }
  }
  layout = await readCgroupLayout();
  if (layout.missingV1.length > 0) {
    throw runtimeErrors.make('CGROUP_UNSUPPORTED',
      `cgroup2 at ${layout.unified ?? '?'} still lists controllers ${layout.missingV1.join(',')}; crun cannot run in this hybrid mode: mount each as a v1 hierarchy or boot with systemd.unified_cgroup_hierarchy=1`);
  }
  return layout;
}
