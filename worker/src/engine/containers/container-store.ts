import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@shoal/common';
import type { ContainerRecord } from './container-record.js';

/**
 * Per-container state on disk: `<data-root>/containers/<id>/config.v2.json`,
 * written atomically and durably (@shoal/common writeFileAtomic). Writes of one container are
 * serialised so the last save wins.
 */
export class ContainerStore {
  readonly #root: string;
  readonly #chains = new Map<string, Promise<void>>();

  constructor(dataRoot: string) {
    this.#root = join(dataRoot, 'containers');
  }

  /** The container's directory (generated /etc files, logs live here too). */
  dir(id: string): string {
    return join(this.#root, id);
  }

  /** Create the container's directory. */
  async init(id: string): Promise<void> {
    await mkdir(this.dir(id), { recursive: true });
  }

  /** Save a snapshot of `rec` (a copy is taken now). */
  save(rec: ContainerRecord): Promise<void> {
    const text = JSON.stringify(rec);
    const prev = this.#chains.get(rec.Id) ?? Promise.resolve();
    const next = prev.then(async () => {
      await writeFileAtomic(join(this.dir(rec.Id), 'config.v2.json'), text);
    });
    const chained = next.catch(() => undefined);
    this.#chains.set(rec.Id, chained);
    void chained.then(() => { if (this.#chains.get(rec.Id) === chained) this.#chains.delete(rec.Id); });
    return next;
  }

  /** Delete the container's directory (after pending saves). */
  async remove(id: string): Promise<void> {
    await (this.#chains.get(id) ?? Promise.resolve());
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Load every saved container; unreadable ones are returned in `bad`. */
  async loadAll(): Promise<{ records: ContainerRecord[]; bad: string[] }> {
    let ids: string[];
    try {
      ids = await readdir(this.#root);
    } catch {
      return { records: [], bad: [] };
    }
    const records: ContainerRecord[] = [];
    const bad: string[] = [];
    await Promise.all(ids.map(async (id) => {
      try {
        records.push(JSON.parse(await readFile(join(this.#root, id, 'config.v2.json'), 'utf8')) as ContainerRecord);
      } catch {
        bad.push(id);
      }
    }));
    return { records, bad };
  }
}
