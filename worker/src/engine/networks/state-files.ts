/**
 * Persistence of the networks subsystem under `<dataRoot>/network/`:
 * `networks.json` (stable ids of bridge/host/none), `ipam.json` (the
 * allocator's state) and `endpoints/<containerId>.json` (one record per
 * attached container). Writes are atomic and durable (@shoal/common's
 * writeJsonAtomic: unique temp file, fsync, rename, fsync of the directory).
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTempFile, writeJsonAtomic } from '@shoal/common';
import type { EndpointRecord } from './endpoint-record.js';

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
  readonly endpointsDir: string;

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'network');
    this.endpointsDir = join(this.dir, 'endpoints');
  }

  async init(): Promise<void> {
    await mkdir(this.endpointsDir, { recursive: true });
  }

  get networksPath(): string {
    return join(this.dir, 'networks.json');
  }

  get ipamPath(): string {
    return join(this.dir, 'ipam.json');
  }

  endpointPath(containerId: string): string {
    return join(this.endpointsDir, `${containerId}.json`);
  }

  async writeEndpoint(rec: EndpointRecord): Promise<void> {
    await writeJsonAtomic(this.endpointPath(rec.containerId), rec);
  }

  async readEndpoint(containerId: string): Promise<EndpointRecord | null> {
    return readJsonOrNull<EndpointRecord>(this.endpointPath(containerId));
  }

  async removeEndpoint(containerId: string): Promise<void> {
    await rm(this.endpointPath(containerId), { force: true });
  }

  /** Every record; temp files of interrupted writes are removed, unreadable records are reported by `onBad`. */
  async readAllEndpoints(onBad: (file: string, err: unknown) => void = () => undefined): Promise<EndpointRecord[]> {
    const out: EndpointRecord[] = [];
    for (const f of await readdir(this.endpointsDir)) {
      const path = join(this.endpointsDir, f);
      if (isAtomicTempFile(f) || f.includes('.json.tmp-')) {
        await rm(path, { force: true });
        continue;
      }
      if (!f.endsWith('.json')) continue;
      try {
        const rec = await readJsonOrNull<EndpointRecord>(path);
        if (rec !== null) out.push(rec);
      } catch (e) {
        onBad(path, e);
      }
    }
    return out;
  }
}
