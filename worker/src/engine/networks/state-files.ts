/**
 * Persistence of the networks subsystem under `<dataRoot>/network/`:
 * `networks.json` (every network, built-ins with stable ids), `ipam.json`
 * (the allocators' state per network id) and `sandboxes/<containerId>.json`
 * (one record per attached container, with its endpoints). Writes are atomic and durable (@shoal/common's
 * writeJsonAtomic: unique temp file, fsync, rename, fsync of the directory).
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTempFile, writeJsonAtomic } from '@shoal/common';
import type { SandboxRecord } from './network-record.js';

/** Read JSON, or null when the file does not exist. */
export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The files of one data root. */
export class StateFiles {
  readonly dir: string;
  readonly sandboxesDir: string;

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'network');
    this.sandboxesDir = join(this.dir, 'sandboxes');
  }

  async init(): Promise<void> {
    await mkdir(this.sandboxesDir, { recursive: true });
  }

  get networksPath(): string {
    return join(this.dir, 'networks.json');
  }

  get ipamPath(): string {
    return join(this.dir, 'ipam.json');
  }

  sandboxPath(containerId: string): string {
    return join(this.sandboxesDir, `${containerId}.json`);
  }

  async writeSandbox(rec: SandboxRecord): Promise<void> {
    await writeJsonAtomic(this.sandboxPath(rec.containerId), rec);
  }

  async readSandbox(containerId: string): Promise<SandboxRecord | null> {
    return readJsonOrNull<SandboxRecord>(this.sandboxPath(containerId));
  }

  async removeSandbox(containerId: string): Promise<void> {
    await rm(this.sandboxPath(containerId), { force: true });
  }

  /** Every record; temp files of interrupted writes are removed, unreadable records are reported by `onBad`. */
  async readAllSandboxes(onBad: (file: string, err: unknown) => void = () => undefined): Promise<SandboxRecord[]> {
    const out: SandboxRecord[] = [];
    for (const f of await readdir(this.sandboxesDir)) {
      const path = join(this.sandboxesDir, f);
      if (isAtomicTempFile(f)) {
        await rm(path, { force: true });
        continue;
      }
      if (!f.endsWith('.json')) continue;
      try {
        const rec = await readJsonOrNull<SandboxRecord>(path);
        if (rec !== null) out.push(rec);
      } catch (e) {
        onBad(path, e);
      }
    }
    return out;
  }
}
