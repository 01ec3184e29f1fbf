import { writeFile, rm } from 'node:fs/promises';
import { runTool, runToolJson, hasCode, commonErrors } from '@shoal/common';
import { runtimeErrors } from './errors.js';
import type { OciResources } from './oci-spec.js';

/** `crun state` output. */
export interface CrunState { id: string; pid: number; status: 'created' | 'running' | 'stopped' | 'paused'; bundle: string }

/**
 * crun driven through runTool (create and exec go through the shim).
 * Every command runs with `--root <runtimeRoot>` so several daemons on one
 * host never see each other's containers.
 */
export class CrunRuntime {
  readonly #bin: string;
  readonly #root: string;

  constructor(opts: { runtimeRoot: string; bin?: string }) {
    this.#root = opts.runtimeRoot;
    this.#bin = opts.bin ?? '/usr/bin/crun';
  }

  /** Path of crun. */
  get bin(): string { return this.#bin; }
  /** crun --root directory. */
  get root(): string { return this.#root; }

  async #run(args: string[], timeoutMs = 30_000): Promise<string> {
    try {
      const r = await runTool([this.#bin, '--root', this.#root, ...args], { timeoutMs });
      return r.stdout;
    } catch (e) {
      if (hasCode(e, commonErrors.codes.TOOL_FAILED)) {
        const stderr = String(e.details.stderr ?? '').trim();
        throw runtimeErrors.make('CRUN_FAILED', `crun ${args[0] ?? ''}: ${stderr || e.message}`, { cause: e, details: { stderr } });
      }
      throw e;
    }
  }

  /** Start a created container (runs its process). */
  async start(id: string): Promise<void> { await this.#run(['start', id]); }

  /** Send a signal to the init process (or all processes with `all`). */
  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.#run(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  /** Freeze (cgroup freezer). */
  async pause(id: string): Promise<void> { await this.#run(['pause', id]); }
  /** Thaw. */
  async resume(id: string): Promise<void> { await this.#run(['resume', id]); }

  /** Delete the container (and its cgroup); idempotent. */
  async delete(id: string): Promise<void> {
    try {
      await this.#run(['delete', '--force', id]);
    } catch (e) {
      const stderr = String((e as { details?: Record<string, unknown> }).details?.stderr ?? '');
      if (/does not exist|No such file|not found/i.test(stderr)) return;
      throw e;
    }
  }

  /** The container's state, or null when crun does not know it. */
  async state(id: string): Promise<CrunState | null> {
    try {
      return await runToolJson<CrunState>([this.#bin, '--root', this.#root, 'state', id]);
    } catch {
      return null;
    }
  }

  /** Ids crun knows under our root. */
  async list(): Promise<string[]> {
    const out = await this.#run(['list', '-q']);
    return out.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  }

  /** Apply new resources to a running container (`crun update --resources`). */
  async update(id: string, resources: Omit<OciResources, 'devices'>, scratchFile: string): Promise<void> {
    await writeFile(scratchFile, JSON.stringify(resources));
    try {
      await this.#run(['update', '--resources', scratchFile, id]);
    } finally {
      await rm(scratchFile, { force: true });
    }
  }
}
