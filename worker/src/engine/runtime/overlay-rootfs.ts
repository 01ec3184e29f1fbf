import { mkdir, rm, readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { runTool } from '@shoal/common';
import { runtimeErrors } from './errors.js';

/** The kernel's limit on mount options (one page). */
const MAX_MOUNT_DATA = 4096 - 64;

/**
 * overlayfs mount options for `layers` (lowest first, as the image store
 * gives them): lowerdir lists them topmost first. When the absolute form is
 * longer than a page, the paths are made relative to their common parent
 * and the mount runs from that cwd.
 */
export function overlayOptions(layers: readonly string[], upper: string, work: string): { options: string; cwd?: string } {
  const lower = [...layers].reverse();
  const abs = `lowerdir=${lower.join(':')},upperdir=${upper},workdir=${work}`;
  if (abs.length <= MAX_MOUNT_DATA) return { options: abs };
  const base = commonParent([...lower, upper, work]);
  const rel = `lowerdir=${lower.map((l) => relative(base, l)).join(':')},upperdir=${relative(base, upper)},workdir=${relative(base, work)}`;
  if (rel.length > MAX_MOUNT_DATA) throw runtimeErrors.make('ROOTFS_MOUNT_FAILED', `too many image layers (${layers.length}) for one overlay mount`);
  return { options: rel, cwd: base };
}

function commonParent(paths: readonly string[]): string {
  let base = dirname(paths[0] ?? '/');
  while (!paths.every((p) => p.startsWith(`${base}/`)) && base !== '/') base = dirname(base);
  return base;
}

/** Paths of a container's writable layer under `<data-root>/overlay/<id>/`. */
export function overlayPaths(dataRoot: string, id: string): { dir: string; upper: string; work: string; merged: string } {
  const dir = `${dataRoot}/overlay/${id}`;
  return { dir, upper: `${dir}/diff`, work: `${dir}/work`, merged: `${dir}/merged` };
}

/** True when `path` is a mount point right now. */
export async function isMounted(path: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((l) => l.split(' ')[4] === path);
}

/** Mount the container's root filesystem; idempotent. Returns the merged path. */
export async function mountRootfs(dataRoot: string, id: string, layers: readonly string[]): Promise<string> {
  const p = overlayPaths(dataRoot, id);
  await Promise.all([mkdir(p.upper, { recursive: true }), mkdir(p.work, { recursive: true }), mkdir(p.merged, { recursive: true })]);
  if (await isMounted(p.merged)) return p.merged;
  if (layers.length === 0) throw runtimeErrors.make('ROOTFS_MOUNT_FAILED', 'image has no layers');
  const { options, cwd } = overlayOptions(layers, p.upper, p.work);
  try {
    await runTool(['mount', '-t', 'overlay', 'overlay', '-o', options, p.merged], cwd === undefined ? {} : { cwd });
  } catch (e) {
    throw runtimeErrors.make('ROOTFS_MOUNT_FAILED', `overlay mount of ${p.merged} failed`, { cause: e });
  }
  return p.merged;
}

/** Unmount the rootfs if mounted (lazy, so a stray open file cannot block cleanup). */
export async function unmountRootfs(dataRoot: string, id: string): Promise<void> {
  const p = overlayPaths(dataRoot, id);
  if (await isMounted(p.merged)) await runTool(['umount', '-l', p.merged]);
}

/** Unmount and delete the writable layer. */
export async function removeRootfs(dataRoot: string, id: string): Promise<void> {
  await unmountRootfs(dataRoot, id);
  await rm(overlayPaths(dataRoot, id).dir, { recursive: true, force: true });
}
