/**
 * The containers of one engine by id and by name, and the creates in
 * progress: lookups by full id, name (`web` or `/web`) or unique id
 * prefix, name reservation (Docker's conflict message), and "who uses this
 * image", answered synchronously. Pure: no I/O.
 */
import type { ContainerRecord } from './container-record.js';
import { containerErrors } from './errors.js';

/** Docker's sentence for a taken container name (`full` with its slash). */
export function nameConflict(full: string, owner: string): Error {
  return containerErrors.make('NAME_CONFLICT', `Conflict. The container name "${full}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
}

/** The index; `T` is what the engine keeps per container (its record at `.rec`). */
export class ContainerIndex<T extends { rec: ContainerRecord }> {
  readonly #byId = new Map<string, T>();
  /** `/name` -> id, for indexed containers and names reserved by creates in progress. */
  readonly #names = new Map<string, string>();
  /** Creates between image resolution and indexing: container id -> image id. */
  readonly #creating = new Map<string, string>();

  /** By full id only. */
  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  /** By full id, name or unique id prefix; 404 ENGINE_CONTAINER_NOT_FOUND, 400 AMBIGUOUS. */
  find(ref: string): T {
    const byName = this.#names.get(ref.startsWith('/') ? ref : `/${ref}`);
    const exact = this.#byId.get(ref) ?? (byName !== undefined ? this.#byId.get(byName) : undefined);
    if (exact !== undefined) return exact;
    if (/^[0-9a-f]+$/.test(ref)) {
      const hits = [...this.#byId.values()].filter((e) => e.rec.Id.startsWith(ref));
      if (hits.length > 1) throw containerErrors.make('AMBIGUOUS', `multiple IDs found with provided prefix: ${ref}`);
      if (hits[0] !== undefined) return hits[0];
    }
    throw containerErrors.make('NOT_FOUND', `No such container: ${ref}`);
  }

  values(): IterableIterator<T> {
    return this.#byId.values();
  }

  get size(): number {
    return this.#byId.size;
  }

  /** True when `full` (`/name`) is taken or reserved. */
  hasName(full: string): boolean {
    return this.#names.has(full);
  }

  /** Refuse (409) a name that is taken; does not reserve it. */
  checkName(full: string): void {
    const owner = this.#names.get(full);
    if (owner !== undefined) throw nameConflict(full, owner);
  }

  /** Take `full` for container `id` (409 when taken). */
  reserveName(full: string, id: string): void {
    this.checkName(full);
    this.#names.set(full, id);
  }

  releaseName(full: string): void {
    this.#names.delete(full);
  }

  /** Index a container (its name reserved already, or taken now: a restore). */
  add(entry: T): void {
    this.#byId.set(entry.rec.Id, entry);
    this.#names.set(entry.rec.Name, entry.rec.Id);
  }

  /** Drop a container and its name. */
  delete(id: string): void {
    const e = this.#byId.get(id);
    if (e === undefined) return;
    this.#byId.delete(id);
    if (this.#names.get(e.rec.Name) === id) this.#names.delete(e.rec.Name);
  }

  /** Move container `id` from its name to `full` (409 when taken); the caller sets rec.Name. */
  rename(id: string, full: string): void {
    const e = this.#byId.get(id);
    if (e === undefined) return;
    this.reserveName(full, id);
    this.#names.delete(e.rec.Name);
  }

  /** A create of container `id` uses image `imageId` until `endCreate(id)`. */
  beginCreate(id: string, imageId: string): void {
    this.#creating.set(id, imageId);
  }

  endCreate(id: string): void {
    this.#creating.delete(id);
  }

  /**
   * Who uses image `imageId` (a full id), for `rmi`: a running (or paused,
   * restarting) container first, else a stopped one, else a create in
   * progress.
   */
  imageUser(imageId: string): { containerId: string; running: boolean } | undefined {
    let stopped: string | undefined;
    for (const e of this.#byId.values()) {
      if (e.rec.Image !== imageId) continue;
      const st = e.rec.State;
      if (st.Running || st.Paused || st.Restarting) return { containerId: e.rec.Id, running: true };
      stopped ??= e.rec.Id;
    }
    if (stopped !== undefined) return { containerId: stopped, running: false };
    for (const [id, img] of this.#creating) if (img === imageId) return { containerId: id, running: false };
    return undefined;
  }
}
