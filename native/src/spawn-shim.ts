import { spawn } from 'node:child_process';
import { shimErrors } from './errors.js';
import { shimPath } from './shim-path.js';
import type { SpawnShimOptions, SpawnShimResult } from './types.js';

/** The shim's argv for these options (without the binary). Exported for tests and logs. */
export function shimArgs(opts: SpawnShimOptions): string[] {
  const a = [
    '--id', opts.id,
    '--runtime', opts.runtime ?? '/usr/bin/crun',
    '--runtime-root', opts.runtimeRoot,
    '--state-dir', opts.stateDir,
  ];
  if (opts.bundle !== undefined) a.push('--bundle', opts.bundle);
  if (opts.logPath !== undefined) {
    a.push('--log-path', opts.logPath,
      '--log-max-size', String(opts.logMaxSize ?? 0),
      '--log-max-files', String(opts.logMaxFiles ?? 1));
  }
  if (opts.tty === true) a.push('--tty');
  if (opts.stdin === true) a.push('--stdin');
  if (opts.stdinOnce === true) a.push('--stdin-once');
  if (opts.execProcess !== undefined) a.push('--exec', opts.execProcess);
  return a;
}

interface Handshake {
  ok: boolean;
  pid?: number;
  shimPid?: number;
  error?: string;
}

/**
 * Start a shim and wait for its handshake. Container mode: resolves once
 * `crun create` succeeded (the container is created, not started: run
 * `crun start` after attaching clients). Exec mode (`execProcess`):
 * resolves once control.sock listens; pid is 0 until ShimClient.start().
 *
 * Rejects with SHIM_CREATE_FAILED carrying crun's message (e.g. executable
 * not found), SHIM_HANDSHAKE_FAILED when the shim died or timed out, or
 * SHIM_BINARY_MISSING. The shim daemonises: it outlives this process.
 */
export function spawnShim(opts: SpawnShimOptions): Promise<SpawnShimResult> {
  if (opts.execProcess === undefined && opts.bundle === undefined) {
    return Promise.reject(shimErrors.make('CREATE_FAILED', 'spawnShim: bundle is required in container mode'));
  }
  const bin = shimPath();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise<SpawnShimResult>((resolve, reject) => {
    const child = spawn(bin, shimArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(shimErrors.make('HANDSHAKE_FAILED',
        `shoal-shim for ${opts.id} gave no handshake within ${timeoutMs} ms; see ${opts.stateDir}/shim.log`)));
    }, timeoutMs);
    const tryLine = (eof: boolean): void => {
      const text = Buffer.concat(out).toString('utf8');
      const nl = text.indexOf('\n');
      if (nl < 0 && !eof) return;
      const line = (nl < 0 ? text : text.slice(0, nl)).trim();
      if (line === '') {
        const why = Buffer.concat(err).toString('utf8').trim();
        finish(() => reject(shimErrors.make('HANDSHAKE_FAILED',
          `shoal-shim for ${opts.id} exited without a handshake${why === '' ? `; see ${opts.stateDir}/shim.log` : `: ${why}`}`)));
        return;
      }
      let h: Handshake;
      try {
        h = JSON.parse(line) as Handshake;
      } catch (e) {
        finish(() => reject(shimErrors.make('HANDSHAKE_FAILED', `shoal-shim for ${opts.id} printed an invalid handshake: ${line.slice(0, 200)}`, { cause: e })));
        return;
      }
      if (h.ok && typeof h.shimPid === 'number') {
        const res: SpawnShimResult = { pid: typeof h.pid === 'number' ? h.pid : 0, shimPid: h.shimPid };
        finish(() => resolve(res));
      } else {
        const msg = h.error ?? 'unknown error';
        finish(() => reject(shimErrors.make('CREATE_FAILED', `crun could not create ${opts.id}: ${msg}`, { details: { id: opts.id, crunError: msg } })));
      }
    };
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      tryLine(false);
    });
    child.stdout.on('end', () => tryLine(true));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => finish(() => reject(shimErrors.make('HANDSHAKE_FAILED', `cannot run ${bin}: ${e.message}`, { cause: e }))));
  });
}
