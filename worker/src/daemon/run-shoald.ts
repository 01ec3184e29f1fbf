import { readFileSync } from 'node:fs';
import { isShoalError, loadDaemonConfig } from '@shoal/common';
import { shoalVersion } from './host-facts.js';
import { startDaemon, type Daemon, type StartDaemonOptions } from './start-daemon.js';

/** Where shoald's command line writes and how it exits (tests pass their own). */
export interface ShoaldIo {
  out(text: string): void;
  err(text: string): void;
  /** Register a signal handler: SIGTERM and SIGINT stop, SIGHUP reloads the configuration. */
  onSignal(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', fn: () => void): void;
}

/** Read daemon.json, or undefined when it does not exist. */
export function readConfigFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * shoald's main: parse flags and daemon.json, start, and stop on SIGTERM or
 * SIGINT. Resolves with the exit code once the daemon has stopped (or at
 * once for --help, --version, --validate and configuration errors).
 */
export async function runShoald(argv: readonly string[], io: ShoaldIo, opts: StartDaemonOptions = {}): Promise<number> {
  let loaded: ReturnType<typeof loadDaemonConfig>;
  try {
    loaded = loadDaemonConfig(argv, readConfigFile);
  } catch (err) {
    io.err(`shoald: ${(err as Error).message}\n`);
    return 1;
  }
  if (loaded.kind === 'help') { io.out(loaded.text); return 0; }
  if (loaded.kind === 'version') { io.out(`shoald version ${await shoalVersion()}\n`); return 0; }
  if (loaded.kind === 'run') return 1; // not reached: loadDaemonConfig resolves run into config
  if (loaded.validateOnly) { io.out('configuration OK\n'); return 0; }

  let daemon: Daemon;
  try {
    daemon = await startDaemon(loaded.config, opts);
  } catch (err) {
    io.err(`shoald: ${isShoalError(err) ? err.message : (err as Error).stack ?? String(err)}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      daemon.close().then(() => { resolve(0); }, (err: unknown) => {
        io.err(`shoald: shutdown failed: ${(err as Error).message}\n`);
        resolve(1);
      });
    };
    io.onSignal('SIGTERM', stop);
    io.onSignal('SIGINT', stop);
    io.onSignal('SIGHUP', () => {
      try {
        const again = loadDaemonConfig(argv, readConfigFile);
        if (again.kind === 'config') daemon.reload(again.config);
      } catch (err) {
        io.err(`shoald: reload refused, configuration unchanged: ${(err as Error).message}\n`);
      }
    });
  });
}
