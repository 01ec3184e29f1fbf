/**
 * The restore step at daemon start: what became of each recorded container
 * while shoald was down, and what to do about it. `probeRun` is the I/O
 * edge (is the shim alive, can we reach it, what exit did it record);
 * `restoreAction` is the decision, pure.
 */
import { ShimClient, isAlive, readExitFile, readShimPid, type ExitStatus } from '@shoal/native';
import type { Logger } from '@shoal/common';
import { startOnDaemonStart } from './backoff.js';
import type { ContainerRecord } from './container-record.js';

/** What was found of a container's last run. */
export interface RunProbe {
  /** A live shim we reconnected to (its monitor connection). */
  monitor?: ShimClient;
  /** The exit the shim recorded (exit.json), if the run ended. */
  exit?: ExitStatus;
}

/** What the manager does with one restored container. */
export type RestoreAction =
  | { kind: 'adopt'; monitor: ShimClient }
  | { kind: 'exited'; status: ExitStatus; error: string }
  | { kind: 'start' }
  | { kind: 'none' };

/** Reconnect to the shim of a container recorded as running, else read its exit file. Never throws. */
export async function probeRun(rec: ContainerRecord, stateDir: string, log: Logger): Promise<RunProbe> {
  if (!(rec.State.Running || rec.State.Paused)) return {};
  const shimPid = await readShimPid(stateDir);
  if (shimPid !== undefined && isAlive(shimPid, { expectShim: true })) {
    try {
      const monitor = await ShimClient.connect(stateDir);
      monitor.hello({ stdin: false, stdout: false, stderr: false });
      return { monitor };
    } catch (err) {
      log.warn({ err, id: rec.Id }, 'shim alive but unreachable; reading exit.json');
    }
  }
  const exit = await readExitFile(stateDir).catch(() => undefined);
  return exit === undefined ? {} : { exit };
}

/**
 * A container recorded as running is adopted when its shim answers; else
 * its run ended while we were away (with the shim's exit status, or 255
 * "shim died" when none was written), and the exit path applies the
 * restart policy. A stopped one starts again when it was restarting or its
 * policy starts it with the daemon (always, unless-stopped not stopped by
 * hand), as Docker.
 */
export function restoreAction(rec: ContainerRecord, probe: RunProbe, nowRfc3339: string): RestoreAction {
  if (rec.State.Running || rec.State.Paused) {
    if (probe.monitor !== undefined) return { kind: 'adopt', monitor: probe.monitor };
    if (probe.exit !== undefined) return { kind: 'exited', status: probe.exit, error: '' };
    return { kind: 'exited', status: { exitCode: 255, signal: null, finishedAt: nowRfc3339 }, error: 'shim died without an exit status' };
  }
  const wanted = rec.State.Restarting || startOnDaemonStart(rec.HostConfig.RestartPolicy, rec.ManuallyStopped);
  return wanted && (rec.State.Restarting || rec.State.Status === 'exited') ? { kind: 'start' } : { kind: 'none' };
}

/** What {@link restoreAll} needs of the manager. */
export interface RestoreAllDeps {
  load(): Promise<{ records: ContainerRecord[]; bad: string[] }>;
  log: Logger;
  /** Index a record (before any is restored, so that `container:` references resolve). */
  add(rec: ContainerRecord): void;
  /** Apply {@link restoreAction} to one. */
  restoreOne(rec: ContainerRecord): Promise<void>;
}

/**
 * Daemon start: every saved container indexed in creation order, then each
 * restored at once (a failure is logged and leaves the others alone).
 */
export async function restoreAll(d: RestoreAllDeps): Promise<void> {
  const { records, bad } = await d.load();
  for (const b of bad) d.log.warn({ id: b }, 'unreadable container state skipped');
  records.sort((a, b) => (a.Created < b.Created ? -1 : a.Created > b.Created ? 1 : 0));
  for (const rec of records) d.add(rec);
  await Promise.all(records.map(async (rec) => {
    try {
      await d.restoreOne(rec);
    } catch (err) {
      d.log.error({ err, id: rec.Id }, 'restore failed');
    }
  }));
}
