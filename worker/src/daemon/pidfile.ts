import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { daemonErrors } from './daemon-errors.js';

/** True when a process with this pid exists (signal 0 reaches it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pid files held by daemons of this process (tests run several daemons in one process). */
const heldHere = new Set<string>();

/**
 * Take the pid file as dockerd does: refuse when it names another live
 * process, replace it when stale. Returns a release function that removes
 * it (only if it still holds our pid).
 */
export async function acquirePidfile(path: string, pid = process.pid): Promise<() => Promise<void>> {
  path = resolve(path);
  if (heldHere.has(path)) {
    throw daemonErrors.make('ALREADY_RUNNING', `${path} is held by another daemon in this process: give this daemon its own --pidfile, --data-root and --exec-root`);
  }
  await mkdir(dirname(path), { recursive: true });
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old !== undefined) {
    const oldPid = Number(old.trim());
    if (Number.isInteger(oldPid) && oldPid > 0 && oldPid !== pid && processAlive(oldPid)) {
      throw daemonErrors.make('ALREADY_RUNNING', `${path} names process ${oldPid}, which is still running: is another shoald using it? stop it, or give this daemon its own --pidfile, --data-root and --exec-root`);
    }
    await rm(path, { force: true });
  }
  // 'wx': if two daemons race past the check, only one creates the file.
  const fh = await open(path, 'wx').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw daemonErrors.make('ALREADY_RUNNING', `pid file ${path} was created by another process while we started`);
    throw err;
  });
  try {
    await fh.writeFile(`${pid}\n`);
  } finally {
    await fh.close();
  }
  heldHere.add(path);
  return async () => {
    heldHere.delete(path);
    const now = await readFile(path, 'utf8').catch(() => undefined);
    if (now !== undefined && Number(now.trim()) === pid) await rm(path, { force: true });
  };
}
