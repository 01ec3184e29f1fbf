import type { ImageDeleteItem, ImageRef } from '@shoal/common';
import { familiarString, withDefaultTag } from '@shoal/common';
import type { ImageDb, ImageRecord } from './image-db.js';
import { imageErrors } from './image-errors.js';

/** Who uses an image, as the containers engine answers. */
export interface ImageUser {
  /** Full container id. */
  containerId: string;
  running: boolean;
}

/** What image removal needs from the store. */
export interface RemoveContext {
  readonly db: ImageDb;
  user(id: string): ImageUser | undefined;
  image(id: string): ImageRecord;
  emit(action: string, id: string, name: string): void;
}

const CONFLICT_CHILD = 1;
const CONFLICT_RUNNING = 2;
const CONFLICT_REFERENCE = 4;
const CONFLICT_STOPPED = 8;
const CONFLICT_HARD = CONFLICT_CHILD | CONFLICT_RUNNING;
const CONFLICT_SOFT = CONFLICT_REFERENCE | CONFLICT_STOPPED;

interface Conflict { message: string; hard: boolean; used: boolean }

/**
 * Docker's image deletion (moby daemon/images/image_delete.go) on the
 * in-memory db: untag first, delete when no reference is left, conflicts as
 * 409 with Docker's wording, parents pruned unless noprune. Changes memory
 * only; the store persists and then removes the files of released layers.
 */
export class ImageRemover {
  readonly #ctx: RemoveContext;

  constructor(ctx: RemoveContext) {
    this.#ctx = ctx;
  }

  #conflict(id: string, mask: number): Conflict | undefined {
    if ((mask & CONFLICT_CHILD) !== 0 && this.#ctx.db.childrenOf(id).length > 0) {
      return { hard: true, used: false, message: 'image has dependent child images' };
    }
    const user = this.#ctx.user(id);
    if ((mask & CONFLICT_RUNNING) !== 0 && user?.running === true) {
      return { hard: true, used: true, message: `image is being used by running container ${user.containerId.slice(0, 12)}` };
    }
    if ((mask & CONFLICT_REFERENCE) !== 0 && this.#ctx.db.refsOf(id).length > 0) {
      return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
    }
    if ((mask & CONFLICT_STOPPED) !== 0 && user !== undefined && !user.running) {
      return { hard: false, used: true, message: `image is being used by stopped container ${user.containerId.slice(0, 12)}` };
    }
    return undefined;
  }

  #conflictError(id: string, c: Conflict): Error {
    const short = id.replace(/^sha256:/, '').slice(0, 12);
    return imageErrors.make('CONFLICT', `conflict: unable to delete ${short} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
  }

  #untag(ref: ImageRef, id: string, records: ImageDeleteItem[]): void {
    this.#ctx.db.deleteRef(ref);
    records.push({ Untagged: familiarString(ref) });
    this.#ctx.emit('untag', id, id);
  }

  /**
   * Docker's ImageDelete: untag first, delete when no reference remains.
   * Returns chain ids of released layers (files removed by the caller
   * after persisting).
   */
  delete(refOrId: string, force: boolean, prune: boolean, records: ImageDeleteItem[]): string[] {
    const { id, ref } = this.#ctx.db.lookup(refOrId);
    let refs = this.#ctx.db.refsOf(id);
    let quiet = false;
    if (ref !== undefined) {
      const user = this.#ctx.user(id);
      if (!force && isSingleReference(refs) && user !== undefined) {
        const short = id.replace(/^sha256:/, '').slice(0, 12);
        throw imageErrors.make('CONFLICT', `conflict: unable to remove repository reference "${familiarString(withDefaultTag(ref))}" (must force) - container ${user.containerId.slice(0, 12)} is using its referenced image ${short}`);
      }
      this.#untag(ref, id, records);
      refs = this.#ctx.db.refsOf(id);
      // A removed tag takes the digest references of its repository with it.
      if (ref.digest === undefined && !refs.some((r) => r.digest === undefined && sameRepo(r, ref))) {
        for (const r of refs.filter((x) => x.digest !== undefined && sameRepo(x, ref))) this.#untag(r, id, records);
        refs = this.#ctx.db.refsOf(id);
      }
      if (refs.length > 0) return [];
      quiet = true;
    } else if (isSingleReference(refs)) {
      const mask = CONFLICT_HARD | (force ? 0 : CONFLICT_STOPPED);
      const c = this.#conflict(id, mask);
      if (c !== undefined) throw this.#conflictError(id, c);
      for (const r of refs) this.#untag(r, id, records);
    }
    return this.#deleteHelper(id, records, force, prune, quiet);
  }

  #deleteHelper(id: string, records: ImageDeleteItem[], force: boolean, prune: boolean, quiet: boolean): string[] {
    const c = this.#conflict(id, CONFLICT_HARD | (force ? 0 : CONFLICT_SOFT));
    if (c !== undefined) {
      if (quiet && (this.#ctx.db.refsOf(id).length > 0 || this.#ctx.db.childrenOf(id).length > 0 || c.used)) return [];
      throw this.#conflictError(id, c);
    }
    const img = this.#ctx.image(id);
    for (const r of this.#ctx.db.refsOf(id)) this.#untag(r, id, records);
    this.#ctx.db.images.delete(id);
    if (this.#ctx.user(id) !== undefined) this.#ctx.db.ghosts.set(id, img.chainIds);
    this.#ctx.emit('delete', id, id);
    records.push({ Deleted: id });
    const released = this.releasable();
    for (const c2 of [...released].reverse()) records.push({ Deleted: c2 });
    const out = [...released];
    if (prune && img.parent !== '' && this.#ctx.db.images.has(img.parent)) {
      out.push(...this.#deleteHelper(img.parent, records, false, true, true));
    }
    return out;
  }

  /** Chain ids no image or ghost references any more; dropped from the db (lowest first). */
  releasable(): string[] {
    const used = new Set<string>();
    for (const img of this.#ctx.db.images.values()) for (const c of img.chainIds) used.add(c);
    for (const chain of this.#ctx.db.ghosts.values()) for (const c of chain) used.add(c);
    const out: string[] = [];
    for (const c of this.#ctx.db.layers.keys()) if (!used.has(c)) out.push(c);
    for (const c of out) this.#ctx.db.layers.delete(c);
    return out;
  }

  collectGhosts(): string[] {
    for (const id of [...this.#ctx.db.ghosts.keys()]) if (this.#ctx.user(id) === undefined) this.#ctx.db.ghosts.delete(id);
    return this.releasable();
  }
}

function sameRepo(a: ImageRef, b: ImageRef): boolean {
  return a.domain === b.domain && a.path === b.path;
}

/** Docker's isSingleReference: at most one tag, and all references in one repository. */
function isSingleReference(refs: readonly ImageRef[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: ImageRef | undefined;
  const repos = new Set<string>();
  for (const r of refs) {
    if (r.digest !== undefined && r.tag === undefined) repos.add(`${r.domain}/${r.path}`);
    else if (single === undefined) {
      repos.add(`${r.domain}/${r.path}`);
      single = r;
    } else return false;
  }
  const s = single ?? refs[0] as ImageRef;
  return repos.size === 1 && repos.has(`${s.domain}/${s.path}`);
}

