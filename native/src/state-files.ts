import { readFile, open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shimErrors } from './errors.js';
import type { ExitStatus } from './types.js';

/** Names of the files the shim keeps in its state dir. */
export const STATE_FILES = {
  pid: 'shim.pid',
  control: 'control.sock',
  exit: 'exit.json',
  log: 'shim.log',
  initPid: 'init.pid',
} as const;

/**
 * The exit status the shim recorded in `stateDir/exit.json`, or undefined
 * when there is none (the process has not exited, or the shim was killed).
 * Throws SHIM_PROTOCOL when the file is not the documented JSON.
 */
export async function readExitFile(stateDir: string): Promise<ExitStatus | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, STATE_FILES.exit), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseExitStatus(text);
}

/** Parse the JSON of frame 9 / exit.json; throws SHIM_PROTOCOL if malformed. */
export function parseExitStatus(text: string): ExitStatus {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw shimErrors.make('PROTOCOL', `exit status is not JSON: ${text.slice(0, 200)}`, { cause: e });
  }
  const o = v as Partial<ExitStatus> | null;
  if (o === null || typeof o !== 'object' || typeof o.exitCode !== 'number' || typeof o.finishedAt !== 'string'
    || !(o.signal === null || typeof o.signal === 'string')) {
    throw shimErrors.make('PROTOCOL', `exit status has the wrong shape: ${text.slice(0, 200)}`);
  }
  return { exitCode: o.exitCode, signal: o.signal, finishedAt: o.finishedAt };
}

/** The shim's pid from `stateDir/shim.pid`, or undefined when the file is missing or empty. */
export async function readShimPid(stateDir: string): Promise<number | undefined> {
  let text: string;
  try {
    const fh = await open(join(stateDir, STATE_FILES.pid), 'r');
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const n = Number.parseInt(text.trim(), 10);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * True when a process with this pid exists and is not a zombie. With
 * `expectShim`, also checks that it is a shoal-shim (guards against pid
 * reuse after a reboot or a long downtime).
 */
export function isAlive(pid: number, opts: { expectShim?: boolean } = {}): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    if (opts.expectShim === true) {
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      return comm === 'shoal-shim';
    }
  } catch {
    return false;
  }
  return true;
}
