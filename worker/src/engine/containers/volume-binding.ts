/**
 * A container's planned mounts (mount-plan.ts) against the volume store:
 * references at create and removal, mounts around each run, and the copy
 * of the image's content into an empty volume on the first start.
 */
import { access, mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, type Logger } from '@shoal/common';
import type { UserMount } from '../runtime/index.js';
import type { ContainerVolumes } from './deps.js';
import type { PlannedMount } from './mount-plan.js';
import { containerErrors } from './errors.js';

/**
 * At create: make or find every volume of `plan` and reference it from
 * `containerId`; anonymous ones get their names here. All or nothing: a
 * failure releases what was taken (and removes the anonymous volumes made).
 */
export async function bindVolumes(vols: ContainerVolumes, containerId: string, plan: readonly PlannedMount[], defaultDriver?: string): Promise<PlannedMount[]> {
  const out: PlannedMount[] = [];
  const taken: PlannedMount[] = [];
  try {
    for (const m of plan) {
      if (m.type !== 'volume') { out.push(m); continue; }
      const driver = m.driver ?? (defaultDriver === '' ? undefined : defaultDriver);
      const v = await vols.acquire(containerId, {
        ...(m.source === '' ? {} : { name: m.source }), ...(driver !== undefined ? { driver } : {}),
        ...(m.driverOpts !== undefined ? { driverOpts: m.driverOpts } : {}), ...(m.labels !== undefined ? { labels: m.labels } : {}),
      });
      const bound: PlannedMount = { ...m, source: v.name };
      taken.push(bound);
      out.push(bound);
    }
  } catch (e) {
    await releaseVolumes(vols, containerId, taken, true);
    throw e;
  }
  return out;
}

/** At removal: drop the references; with `removeAnonymous` (rm -v, --rm) the container's anonymous volumes go too. */
export async function releaseVolumes(vols: ContainerVolumes, containerId: string, plan: readonly PlannedMount[], removeAnonymous: boolean, log?: Logger): Promise<void> {
  for (const m of plan) {
    if (m.type !== 'volume') continue;
    await vols.release(m.source, containerId, removeAnonymous && m.anonymous === true).catch((err: unknown) => {
      log?.warn({ err, volume: m.source, id: containerId }, 'could not remove an anonymous volume');
    });
  }
}

/**
 * Before a run: bind sources checked (or made, for -v), volumes mounted
 * and, on the first start, an empty volume filled with what the image has
 * at its destination (unless nocopy). Returns the runtime's mounts; on
 * failure the volumes mounted here are unmounted again.
 */
export async function prepareMounts(vols: ContainerVolumes, containerId: string, plan: readonly PlannedMount[], rootfs: string, firstStart: boolean): Promise<UserMount[]> {
  const out: UserMount[] = [];
  const mounted: string[] = [];
  try {
    for (const m of plan) {
      if (m.type === 'tmpfs') {
        out.push({ type: 'tmpfs', source: '', destination: m.destination, readOnly: m.readOnly, options: m.tmpfsOptions });
        continue;
      }
      if (m.type === 'bind') {
        if (m.createSource === true) await mkdir(m.source, { recursive: true });
        else {
          try { await access(m.source); } catch {
            throw containerErrors.make('INVALID_CONFIG', `invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
          }
        }
        out.push({ type: 'bind', source: m.source, destination: m.destination, readOnly: m.readOnly, propagation: m.propagation });
        continue;
      }
      const dir = await vols.mount(m.source, containerId, { destination: m.destination, 'read/write': String(!m.readOnly), propagation: '' });
      mounted.push(m.source);
      if (firstStart && m.noCopy !== true && await vols.isEmpty(m.source)) await copyImageContent(rootfs, m.destination, dir);
      out.push({ type: 'bind', source: dir, destination: m.destination, readOnly: m.readOnly, propagation: 'rprivate' });
    }
  } catch (e) {
    await Promise.allSettled(mounted.map((name) => vols.unmount(name, containerId)));
    throw e;
  }
  return out;
}

/** After a run: unmount the container's volumes (the last user of a device-backed volume unmounts it). */
export async function releaseMounts(vols: ContainerVolumes, containerId: string, plan: readonly PlannedMount[]): Promise<void> {
  await Promise.all(plan.filter((m) => m.type === 'volume').map((m) => vols.unmount(m.source, containerId)));
}

/**
 * Copy the image's directory at `destination` into the volume directory
 * `dir` (owners, modes, links kept; the volume root takes the image
 * directory's owner and mode). A path that resolves outside the rootfs
 * (an absolute symlink in the image) is not followed; nothing is copied.
 */
async function copyImageContent(rootfs: string, destination: string, dir: string): Promise<void> {
  let src: string;
  try {
    src = await realpath(join(rootfs, destination));
  } catch {
    return; // the image has nothing there
  }
  const root = await realpath(rootfs);
  if (src !== root && !src.startsWith(`${root}/`)) return;
  if (!(await stat(src)).isDirectory()) return;
  try {
    await runTool(['cp', '-a', `${src}/.`, `${dir}/`]);
  } catch (e) {
    throw containerErrors.make('START_FAILED', `failed to copy image content of ${destination} into its volume: ${(e as Error).message}`, { cause: e });
  }
}
