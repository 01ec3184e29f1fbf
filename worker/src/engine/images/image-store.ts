import { rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import {
  systemClock, familiarString, formatImageRef, parseImageRef, withTag, withDefaultTag,
  familiarMatch, isImageIdPrefix, type Clock, type Logger, type EngineEventInput, type Filters, type ImageConfig,
  type ImageDeleteItem, type ImageHistoryItem, type ImageInspect, type ImagePruneResponse, type ImageSummary,
  type ImageRef, type OciImageConfig, type ImageHistoryEntry,
} from '@shoal/common';
import { ImageDb, listDir, type ImageRecord } from './image-db.js';
import { ImageLayout } from './image-layout.js';
import { imageErrors } from './image-errors.js';
import { inspectView, summaryView, historyView, createdSeconds, rfc3339Nano } from './image-views.js';
import { applyChanges } from './image-changes.js';
import { boolFilter, checkFilterKeys, labelsMatch, parseTimestamp } from './image-filters.js';
import { Stage } from './image-stage.js';
import { ImageRemover, type ImageUser } from './image-remove.js';
import { spoolLayer } from './layer-spool.js';
import { sha256Digest, chainIds as chainIdsOf } from './content-digest.js';
import { writeArchive, type SaveItem } from './archive-save.js';
import { readArchive, stageImage } from './archive-load.js';

/**
 * The containers engine's answer for an image id: a user (prefer a running
 * one), `true` (used, details unknown: treated as a stopped container) or
 * false/undefined (unused).
 */
export type { ImageUser };

export type InUseCheck = (imageId: string) => ImageUser | boolean | undefined;

/** What a container needs from its image. */
export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  /** Familiar `name:tag` when resolved through a tag. */
  repoTag?: string;
}

/** Options of {@link ImageStore.commit}. */
export interface CommitOptions {
  /** Parent image (reference or id); its layers and history are inherited. */
  parent?: string;
  /** The new layer as a tar (plain or gzip); none makes an empty-layer history entry. */
  layer?: Readable;
  /** The new image's complete runtime config. */
  config: ImageConfig;
  /** History `created_by`, e.g. `/bin/sh -c #(nop)  CMD ["sh"]`. */
  createdBy?: string;
  author?: string;
  comment?: string;
  repo?: string;
  tag?: string;
}

/** Options of {@link ImageStore.open}. */
export interface ImageStoreOptions {
  /** `<data-root>/image`. */
  root: string;
  log: Logger;
  /** Docker image events (import, load, tag, untag, delete, save, prune). */
  /** The event bus (it stamps the time and Docker's old fields). */
  events?: (e: EngineEventInput) => void;
  clock?: Clock;
  /** Platform written into imported images; default this host's. */
  platform?: { architecture: string; os: string; variant?: string };
}

/** Go's GOARCH name of this host's architecture. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

/**
 * The image store: content-addressed blobs, layers unpacked once and shared
 * (refcounted by the images that use them), tags, and the Docker image
 * operations. Metadata is loaded once at open and answered from memory
 * (`resolveImage`, `layerPaths` touch no disk). Mutations are serialised.
 */
export class ImageStore {
  readonly #layout: ImageLayout;
  readonly #db: ImageDb;
  readonly #log: Logger;
  readonly #events: ((e: EngineEventInput) => void) | undefined;
  readonly #clock: Clock;
  readonly #platform: { architecture: string; os: string; variant?: string };
  #inUse: InUseCheck = () => undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #remover: ImageRemover;
  /** Blobs a running save is reading: not removed until it is done (a later collection takes them). */
  readonly #pinned = new Map<string, number>();

  private constructor(layout: ImageLayout, db: ImageDb, opts: ImageStoreOptions) {
    this.#layout = layout;
    this.#db = db;
    this.#log = opts.log;
    this.#events = opts.events;
    this.#clock = opts.clock ?? systemClock;
    this.#platform = opts.platform ?? { architecture: hostArchitecture(), os: 'linux' };
    this.#remover = new ImageRemover({
      db, user: (id) => this.#user(id), image: (id) => this.#image(id), emit: (a, id, name) => this.#emit(a, id, name),
    });
  }

  /** Open (or create) the store under `root` and load its metadata. */
  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    const layout = new ImageLayout(opts.root);
    const db = await ImageDb.load(layout, opts.log);
    const store = new ImageStore(layout, db, opts);
    await store.#exclusive(() => store.#collect());
    return store;
  }
  /** The daemon's lifecycle shape: the store holds nothing open between calls (its writes are atomic), so there is nothing to release. */
  async close(): Promise<void> { /* nothing held open */ }


  /** The containers engine says which images its containers use. */
  setInUseCheck(fn: InUseCheck): void {
    this.#inUse = fn;
  }

  /** Image id and config for a reference or id. Throws ENGINE_IMAGE_NOT_FOUND. */
  async resolveImage(ref: string): Promise<ResolvedImage> {
    const { id, ref: named } = this.#db.lookup(ref);
    const img = this.#image(id);
    const out: ResolvedImage = { id, config: structuredClone(img.config.config ?? {}) };
    if (named?.tag !== undefined) out.repoTag = familiarString(named);
    return out;
  }

  /**
   * Unpacked layer directories of an image (full id; a reference also
   * works), lowest first, for overlay lowerdirs. Also answers for an image
   * removed with force while a container still used it.
   */
  async layerPaths(imageId: string): Promise<string[]> {
    const chain = this.#db.images.get(imageId)?.chainIds ?? this.#db.ghosts.get(imageId) ?? this.#image(this.#db.lookup(imageId).id).chainIds;
    return chain.map((c) => this.#layout.layerDiff(c));
  }

  counts(): { images: number } {
    return { images: this.#db.images.size };
  }

  /**
   * `docker system df`: the bytes of every unpacked layer, each counted once
   * however many images share it, and per image id the bytes of its layers
   * that another image uses too (Docker's SharedSize).
   */
  diskUsage(): { layersSize: number; sharedSize: Record<string, number> } {
    let layersSize = 0;
    for (const l of this.#db.layers.values()) layersSize += l.size;
    const users = new Map<string, number>();
    for (const img of this.#db.images.values()) for (const c of new Set(img.chainIds)) users.set(c, (users.get(c) ?? 0) + 1);
    const sharedSize: Record<string, number> = {};
    for (const [id, img] of this.#db.images) {
      sharedSize[id] = [...new Set(img.chainIds)].filter((c) => (users.get(c) ?? 0) > 1).reduce((n, c) => n + (this.#db.layers.get(c)?.size ?? 0), 0);
    }
    return { layersSize, sharedSize };
  }

  async inspect(ref: string): Promise<ImageInspect> {
    return inspectView(this.#db, this.#layout, this.#image(this.#db.lookup(ref).id));
  }

  async history(ref: string): Promise<ImageHistoryItem[]> {
    return historyView(this.#db, this.#image(this.#db.lookup(ref).id));
  }

  async list(opts: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]> {
    const f = opts.filters ?? {};
    checkFilterKeys(f, ['dangling', 'label', 'before', 'since', 'reference', 'until']);
    const dangling = boolFilter(f, 'dangling');
    const createdOf = (key: string): number | undefined => {
      const v = f[key];
      if (v === undefined || v.length === 0) return undefined;
      return Math.min(...v.map((r) => createdSeconds(this.#image(this.#db.lookup(r).id))));
    };
    const before = createdOf('before');
    const since = createdOf('since');
    const untilMs = f.until?.[0] === undefined ? undefined : parseTimestamp(f.until[0], this.#clock.now());
    const patterns = f.reference;
    const out: ImageSummary[] = [];
    for (const img of this.#db.images.values()) {
      const created = createdSeconds(img);
      if (before !== undefined && created >= before) continue;
      if (since !== undefined && created <= since) continue;
      if (untilMs !== undefined && created * 1000 > untilMs) continue;
      if (!labelsMatch(f.label, img.config.config?.Labels)) continue;
      const s = summaryView(this.#db, img);
      if (patterns !== undefined) {
        const keep = (r: string): boolean => patterns.some((p) => familiarMatch(p, parseImageRef(r)));
        s.RepoTags = s.RepoTags.filter(keep);
        s.RepoDigests = s.RepoDigests.filter(keep);
      }
      if (s.RepoTags.length === 0 && s.RepoDigests.length === 0) {
        if (!(opts.all === true || this.#db.childrenOf(img.id).length === 0)) continue;
        if (dangling === false) continue;
        if (patterns !== undefined) continue;
      } else if (dangling === true && s.RepoTags.length > 0) continue;
      out.push(s);
    }
    return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
  }

  async tag(ref: string, repo: string, tag?: string): Promise<void> {
    await this.#exclusive(async () => {
      const { id } = this.#db.lookup(ref);
      let target = parseImageRef(repo);
      if (tag !== undefined && tag !== '') target = withTag(target, tag);
      if (target.digest !== undefined) throw imageErrors.make('INVALID_PARAMETER', 'refusing to create a tag with a digest reference');
      target = withDefaultTag(target);
      this.#addTag(target, id);
      await this.#db.persist();
      this.#emit('tag', id, familiarString(target));
    });
  }

  async remove(ref: string, opts: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]> {
    return this.#exclusive(async () => {
      const records: ImageDeleteItem[] = [];
      let released: string[] = [];
      try {
        released = this.#remover.delete(ref, opts.force === true, opts.noprune !== true, records);
        released.push(...this.#remover.collectGhosts());
      } finally {
        // An untag done before a conflict stays done, as in Docker: persist either way.
        await this.#db.persist();
      }
      await this.#removeFiles(released);
      return records;
    });
  }

  async prune(filters?: Filters): Promise<ImagePruneResponse> {
    return this.#exclusive(async () => {
      const f = filters ?? {};
      checkFilterKeys(f, ['dangling', 'label', 'label!', 'until']);
      const danglingOnly = boolFilter(f, 'dangling') ?? true;
      const untilMs = f.until?.[0] === undefined ? undefined : parseTimestamp(f.until[0], this.#clock.now());
      const candidates = [...this.#db.images.values()].filter((img) => {
        if (danglingOnly && this.#db.childrenOf(img.id).length > 0) return false;
        if (untilMs !== undefined && createdSeconds(img) * 1000 > untilMs) return false;
        const labels = img.config.config?.Labels;
        if (!labelsMatch(f.label, labels)) return false;
        if (f['label!'] !== undefined && f['label!'].some((l) => labelsMatch([l], labels))) return false;
        return true;
      });
      const deleted: ImageDeleteItem[] = [];
      const released: string[] = [];
      const sizes = new Map([...this.#db.layers].map(([k, v]) => [k, v.size]));
      for (const img of candidates) {
        if (!this.#db.images.has(img.id) || this.#user(img.id) !== undefined) continue;
        const refs = this.#db.refsOf(img.id);
        const targets = refs.length === 0 ? [img.id] : (!danglingOnly || refs.every((r) => r.tag === undefined)) ? refs.map(formatImageRef) : [];
        for (const t of targets) {
          try {
            released.push(...this.#remover.delete(t, false, true, deleted));
          } catch (e) {
            this.#log.debug({ err: e, image: t }, 'prune skipped an image');
          }
        }
      }
      released.push(...this.#remover.collectGhosts());
      await this.#db.persist();
      await this.#removeFiles(released);
      let reclaimed = 0;
      for (const d of deleted) if (d.Deleted !== undefined) reclaimed += sizes.get(d.Deleted) ?? 0;
      this.#emitRaw('prune', '', { reclaimed: String(reclaimed) });
      return { ImagesDeleted: deleted.length === 0 ? null : deleted, SpaceReclaimed: reclaimed };
    });
  }

  async importRootfs(tar: Readable, opts: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: string }): Promise<string> {
    const target = this.#targetRef(opts.repo, opts.tag);
    const runtime = applyChanges({}, opts.changes ?? []);
    const platform = this.#parsePlatform(opts.platform);
    return this.#exclusive(async () => {
      const stage = await Stage.create(this.#layout);
      try {
        const tarPath = stage.path('layer.tar');
        const { diffId } = await spoolLayer(tar, tarPath);
        stage.addBlobFile(diffId, tarPath);
        if (!this.#db.layers.has(diffId)) await stage.addLayer(tarPath, diffId, diffId, '');
        const created = rfc3339Nano(this.#clock.now());
        const comment = opts.message !== undefined && opts.message !== '' ? opts.message : 'Imported from -';
        const config: OciImageConfig = {
          architecture: platform.architecture,
          comment,
          config: runtime,
          created,
          docker_version: '',
          history: [{ created, comment }],
          os: platform.os,
          rootfs: { type: 'layers', diff_ids: [diffId] },
          ...(platform.variant === undefined ? {} : { variant: platform.variant }),
        };
        const bytes = JSON.stringify(config);
        const id = sha256Digest(bytes);
        await stage.addBlob(id, bytes);
        await stage.commit();
        for (const l of stage.layers()) this.#db.layers.set(l.chainId, l);
        if (!this.#db.images.has(id)) this.#db.images.set(id, { id, config, chainIds: [diffId], parent: '' });
        if (target !== undefined) this.#addTag(target, id);
        await this.#db.persist();
        if (target !== undefined) this.#emit('tag', id, familiarString(target));
        this.#emit('import', id, id);
        return id;
      } finally {
        await stage.dispose();
      }
    });
  }

  /**
   * Create an image from a parent image (or none) plus an optional new
   * layer tar (e.g. {@link packLayer} of a container's upper dir): what
   * `docker commit` and a builder step need. `config` is the new image's
   * complete runtime config; history gets one entry (an empty layer when
   * there is no `layer`). Returns the new image id.
   */
  async commit(opts: CommitOptions): Promise<string> {
    const target = this.#targetRef(opts.repo, opts.tag);
    return this.#exclusive(async () => {
      const base = opts.parent === undefined ? undefined : this.#image(this.#db.lookup(opts.parent).id);
      const diffIds = [...(base?.config.rootfs.diff_ids ?? [])];
      const stage = await Stage.create(this.#layout);
      try {
        if (opts.layer !== undefined) {
          const tarPath = stage.path('layer.tar');
          const { diffId } = await spoolLayer(opts.layer, tarPath);
          diffIds.push(diffId);
          stage.addBlobFile(diffId, tarPath);
          const chain = chainIdsOf(diffIds);
          const top = chain[chain.length - 1] as string;
          if (!this.#db.layers.has(top)) await stage.addLayer(tarPath, top, diffId, chain[chain.length - 2] ?? '');
        }
        const created = rfc3339Nano(this.#clock.now());
        const entry: ImageHistoryEntry = { created };
        if (opts.createdBy !== undefined) entry.created_by = opts.createdBy;
        if (opts.author !== undefined && opts.author !== '') entry.author = opts.author;
        if (opts.comment !== undefined && opts.comment !== '') entry.comment = opts.comment;
        if (opts.layer === undefined) entry.empty_layer = true;
        const platform = base === undefined ? this.#platform : { architecture: base.config.architecture, os: base.config.os, ...(base.config.variant === undefined ? {} : { variant: base.config.variant }) };
        const config: OciImageConfig = {
          architecture: platform.architecture,
          ...(entry.author === undefined ? {} : { author: entry.author }),
          ...(entry.comment === undefined ? {} : { comment: entry.comment }),
          config: structuredClone(opts.config),
          created,
          docker_version: '',
          history: [...(base?.config.history ?? []), entry],
          os: platform.os,
          rootfs: { type: 'layers', diff_ids: diffIds },
          ...(platform.variant === undefined ? {} : { variant: platform.variant }),
        };
        const bytes = JSON.stringify(config);
        const id = sha256Digest(bytes);
        await stage.addBlob(id, bytes);
        await stage.commit();
        for (const l of stage.layers()) this.#db.layers.set(l.chainId, l);
        if (!this.#db.images.has(id)) this.#db.images.set(id, { id, config, chainIds: chainIdsOf(diffIds), parent: base?.id ?? '' });
        if (target !== undefined) this.#addTag(target, id);
        await this.#db.persist();
        if (target !== undefined) this.#emit('tag', id, familiarString(target));
        return id;
      } finally {
        await stage.dispose();
      }
    });
  }

  /**
   * Add an image from its config bytes and layer tars (lowest first, plain
   * or gzip; each diff id checked against the config), then add `refs`
   * (tags or `name@sha256:...` digest references): what a registry pull
   * needs. Nothing is visible unless everything checks out. Returns the id.
   */
  async putImage(opts: { config: Buffer; layers: Array<() => Promise<Readable>>; refs?: string[] }): Promise<string> {
    const refs = (opts.refs ?? []).map((r) => withDefaultTag(parseImageRef(r)));
    return this.#exclusive(async () => {
      const stage = await Stage.create(this.#layout);
      try {
        const { id, config } = await stageImage(stage, opts.config, opts.layers.length, (i) => (opts.layers[i] as () => Promise<Readable>)(), (c) => this.#db.layers.has(c));
        await stage.commit();
        for (const l of stage.layers()) this.#db.layers.set(l.chainId, l);
        if (!this.#db.images.has(id)) this.#db.images.set(id, { id, config, chainIds: chainIdsOf(config.rootfs.diff_ids), parent: '' });
        // As a pull's reference store update in Docker: no LastTagTime, no tag event.
        for (const r of refs) this.#addTag(r, id, false);
        await this.#db.persist();
        return id;
      } finally {
        await stage.dispose();
      }
    });
  }

  async load(tar: Readable): Promise<Array<{ stream?: string; error?: string }>> {
    return this.#exclusive(async () => {
      const stage = await Stage.create(this.#layout);
      try {
        const loaded = await readArchive(tar, stage, (chainId) => this.#db.layers.has(chainId));
        await stage.commit();
        for (const l of stage.layers()) this.#db.layers.set(l.chainId, l);
        const messages: Array<{ stream?: string }> = [];
        for (const img of loaded) {
          if (!this.#db.images.has(img.id)) {
            this.#db.images.set(img.id, { id: img.id, config: img.config, chainIds: chainIdsOf(img.config.rootfs.diff_ids), parent: '' });
          }
          if (img.refs.length === 0) messages.push({ stream: `Loaded image ID: ${img.id}\n` });
          for (const r of img.refs) {
            const old = this.#db.refs.get(formatImageRef(r));
            if (old !== undefined && old !== img.id) {
              messages.push({ stream: `The image ${familiarString(r)} already exists, renaming the old one with ID ${old} to empty string\n` });
            }
            // Docker's load sets tags in the reference store directly: no LastTagTime, no tag event.
            this.#addTag(r, img.id, false);
            messages.push({ stream: `Loaded image: ${familiarString(r)}\n` });
          }
        }
        await this.#db.persist();
        for (const img of loaded) this.#emit('load', img.id, img.id);
        return messages;
      } finally {
        await stage.dispose();
      }
    });
  }

  async save(refs: string[], out: Writable): Promise<void> {
    const items = new Map<string, SaveItem>();
    const add = (id: string, ref: ImageRef | undefined): void => {
      const item = items.get(id) ?? { image: this.#image(id), refs: [] };
      if (ref !== undefined && !item.refs.some((r) => formatImageRef(r) === formatImageRef(ref))) item.refs.push(ref);
      items.set(id, item);
    };
    for (const name of refs) {
      // A repository name without tag saves all its tags, as docker save does.
      let repoOnly: ImageRef | undefined;
      try {
        const r = parseImageRef(name);
        if (r.tag === undefined && r.digest === undefined) repoOnly = r;
      } catch {
        repoOnly = undefined;
      }
      if (repoOnly !== undefined) {
        const repo = `${repoOnly.domain}/${repoOnly.path}`;
        const hits = [...this.#db.refs].filter(([k]) => parseImageRef(k).tag !== undefined && `${parseImageRef(k).domain}/${parseImageRef(k).path}` === repo);
        if (hits.length > 0) {
          for (const [k, id] of hits) add(id, parseImageRef(k));
          continue;
        }
      }
      const { id, ref } = this.#db.lookup(name);
      add(id, ref?.tag !== undefined && !isImageIdPrefix(name) ? ref : undefined);
    }
    // Saving does not hold the mutation queue (a slow client would stall it); it pins its blobs instead.
    const pins = [...items.values()].flatMap(({ image }) => [image.id, ...image.config.rootfs.diff_ids]);
    for (const d of pins) this.#pinned.set(d, (this.#pinned.get(d) ?? 0) + 1);
    try {
      await writeArchive([...items.values()], this.#layout, out);
    } finally {
      for (const d of pins) {
        const n = (this.#pinned.get(d) ?? 1) - 1;
        if (n <= 0) this.#pinned.delete(d);
        else this.#pinned.set(d, n);
      }
    }
    for (const id of items.keys()) this.#emit('save', id, id);
  }

  /** Release layers of force-removed images whose containers are gone. */
  async collectGhosts(): Promise<void> {
    await this.#exclusive(async () => {
      const released = this.#remover.collectGhosts();
      if (released.length === 0) return;
      await this.#db.persist();
      await this.#removeFiles(released);
    });
  }

  // ---- internals ----

  #image(id: string): ImageRecord {
    const img = this.#db.images.get(id);
    if (img === undefined) throw imageErrors.make('NOT_FOUND', `No such image: ${id}`);
    return img;
  }

  #user(id: string): ImageUser | undefined {
    const u = this.#inUse(id);
    if (u === undefined || u === false) return undefined;
    if (u === true) return { containerId: '', running: false };
    return u;
  }

  #addTag(ref: ImageRef, id: string, stamp = true): void {
    this.#db.setRef(ref, id);
    const img = this.#db.images.get(id);
    if (img !== undefined && stamp) img.lastTagTime = rfc3339Nano(this.#clock.now());
  }

  /** The tag to create from `repo` and `tag` query parameters, or undefined without repo. */
  #targetRef(repo: string | undefined, tag: string | undefined): ImageRef | undefined {
    if (repo === undefined || repo === '') return undefined;
    let target = parseImageRef(repo);
    if (tag !== undefined && tag !== '') target = withTag(target, tag);
    if (target.digest !== undefined) throw imageErrors.make('INVALID_PARAMETER', 'refusing to create a tag with a digest reference');
    return withDefaultTag(target);
  }

  #parsePlatform(p: string | undefined): { architecture: string; os: string; variant?: string } {
    if (p === undefined || p === '') return this.#platform;
    const [os, architecture, variant] = p.split('/');
    if (os === undefined || os === '' || (architecture !== undefined && architecture === '')) {
      throw imageErrors.make('INVALID_PARAMETER', `invalid platform: ${p}`);
    }
    return { os, architecture: architecture ?? this.#platform.architecture, ...(variant === undefined ? {} : { variant }) };
  }

  /** Remove layer dirs, their tar blobs and config blobs nothing references any more. */
  async #removeFiles(released: readonly string[]): Promise<void> {
    const liveDiffs = new Set([...this.#db.layers.values()].map((l) => l.diffId));
    for (const c of released) {
      await rm(this.#layout.layerDir(c), { recursive: true, force: true });
    }
    await this.#collectBlobs(liveDiffs);
  }

  async #collectBlobs(liveDiffs?: Set<string>): Promise<void> {
    const live = new Set<string>(liveDiffs ?? [...this.#db.layers.values()].map((l) => l.diffId));
    for (const id of this.#db.images.keys()) live.add(id);
    for (const hex of await listDir(this.#layout.blobsDir)) {
      const d = `sha256:${hex}`;
      if (!live.has(d) && !this.#pinned.has(d)) await rm(this.#layout.blob(d), { force: true });
    }
  }

  /** At open: drop layers and blobs left by a crash between persist and file removal. */
  async #collect(): Promise<void> {
    const released = this.#remover.releasable();
    for (const c of released) await rm(this.#layout.layerDir(c), { recursive: true, force: true });
    const known = new Set([...this.#db.layers.keys()].map((c) => c.slice(7)));
    for (const hex of await listDir(this.#layout.layersDir)) {
      if (!known.has(hex)) await rm(`${this.#layout.layersDir}/${hex}`, { recursive: true, force: true });
    }
    await this.#collectBlobs();
  }

  #emit(action: string, id: string, name: string): void {
    const labels = this.#db.images.get(id)?.config.config?.Labels ?? {};
    this.#emitRaw(action, id, { ...labels, name });
  }

  #emitRaw(action: string, id: string, attributes: Record<string, string>): void {
    if (this.#events === undefined) return;
    this.#events({ Type: 'image', Action: action, Actor: { ID: id, Attributes: attributes } });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
