import { readFile, readdir, rm, mkdir } from 'node:fs/promises';
import type { OciImageConfig } from '@shoal/common';
import {
  familiarString, familiarName, isFullImageId, isImageIdPrefix, normalizeImageRef, parseImageRef,
  formatImageRef, type ImageRef,
} from '@shoal/common';
import type { Logger } from '@shoal/common';
import { chainIds, digestHex } from './content-digest.js';
import { imageErrors } from './image-errors.js';
import type { ImageLayout } from './image-layout.js';
import { writeJsonAtomic } from '@shoal/common';

/** One image in memory. */
export interface ImageRecord {
  /** `sha256:<hex>` of the config bytes. */
  readonly id: string;
  readonly config: OciImageConfig;
  /** Chain ids of its layers, lowest first. */
  readonly chainIds: readonly string[];
  /** Parent image id or ''. */
  parent: string;
  /** RFC 3339, set when a tag was last added. */
  lastTagTime?: string;
}

/** One unpacked layer. */
export interface LayerRecord {
  readonly chainId: string;
  readonly diffId: string;
  readonly parent: string;
  /** Bytes as Docker counts a layer's size. */
  readonly size: number;
}

interface ImagesFile {
  images: Record<string, { parent: string; lastTagTime?: string }>;
  /** Images deleted while a container still used them: their layers stay until it is gone. */
  ghosts: Record<string, string[]>;
}

/**
 * The metadata of the store, all in memory (loaded once at open): images,
 * layers, references (tags and digests) and ghosts. Lookups are
 * synchronous; `persist` writes images.json and repositories.json
 * atomically. Not safe for concurrent mutation: the store serialises.
 */
export class ImageDb {
  readonly images = new Map<string, ImageRecord>();
  readonly layers = new Map<string, LayerRecord>();
  /** Full reference string (`docker.io/library/busybox:latest`) -> image id. Change it with setRef/deleteRef only. */
  readonly refs: ReadonlyMap<string, string> = new Map<string, string>();
  /** Image id -> its parsed references (sorted), kept in step with `refs`. */
  readonly #byImage = new Map<string, ImageRef[]>();
  readonly ghosts = new Map<string, readonly string[]>();
  readonly #layout: ImageLayout;

  private constructor(layout: ImageLayout) {
    this.#layout = layout;
  }

  /** Load the metadata; missing files mean an empty store. */
  static async load(layout: ImageLayout, log: Logger): Promise<ImageDb> {
    const db = new ImageDb(layout);
    await mkdir(layout.blobsDir, { recursive: true });
    await mkdir(layout.layersDir, { recursive: true });
    await rm(layout.tmpDir, { recursive: true, force: true });
    await mkdir(layout.tmpDir, { recursive: true });
    const file = await readJson<ImagesFile>(layout.imagesFile) ?? { images: {}, ghosts: {} };
    for (const [id, meta] of Object.entries(file.images)) {
      let config: OciImageConfig;
      try {
        config = JSON.parse(await readFile(layout.blob(id), 'utf8')) as OciImageConfig;
      } catch (e) {
        log.error({ err: e, id }, 'image config blob unreadable; image dropped');
        continue;
      }
      const chain = chainIds(config.rootfs.diff_ids);
      if (!(await db.#loadLayers(chain, config.rootfs.diff_ids, log))) continue;
      db.images.set(id, { id, config, chainIds: chain, parent: meta.parent, ...(meta.lastTagTime === undefined ? {} : { lastTagTime: meta.lastTagTime }) });
    }
    for (const [id, chain] of Object.entries(file.ghosts ?? {})) {
      if (await db.#loadLayers(chain, undefined, log)) db.ghosts.set(id, chain);
    }
    const repos = await readJson<{ Repositories: Record<string, Record<string, string>> }>(layout.repositoriesFile);
    for (const byRef of Object.values(repos?.Repositories ?? {})) {
      for (const [ref, id] of Object.entries(byRef)) {
        if (db.images.has(id)) db.setRef(parseImageRef(ref), id);
      }
    }
    return db;
  }

  async #loadLayers(chain: readonly string[], diffIds: readonly string[] | undefined, log: Logger): Promise<boolean> {
    for (const [i, c] of chain.entries()) {
      if (this.layers.has(c)) continue;
      const meta = await readJson<LayerRecord>(this.#layout.layerMeta(c));
      if (meta === undefined || (diffIds !== undefined && meta.diffId !== diffIds[i])) {
        log.error({ chainId: c }, 'layer metadata missing; image dropped');
        return false;
      }
      this.layers.set(c, meta);
    }
    return true;
  }

  /** Write images.json then repositories.json (each atomically). */
  async persist(): Promise<void> {
    const file: ImagesFile = { images: {}, ghosts: {} };
    for (const img of this.images.values()) {
      file.images[img.id] = { parent: img.parent, ...(img.lastTagTime === undefined ? {} : { lastTagTime: img.lastTagTime }) };
    }
    for (const [id, chain] of this.ghosts) file.ghosts[id] = [...chain];
    await writeJsonAtomic(this.#layout.imagesFile, file);
    const repos: Record<string, Record<string, string>> = {};
    for (const [ref, id] of this.refs) {
      const r = parseImageRef(ref);
      (repos[familiarName(r)] ??= {})[familiarString(r)] = id;
    }
    await writeJsonAtomic(this.#layout.repositoriesFile, { Repositories: repos });
  }

  /** Point `ref` at image `id` (moving it from another image if needed). */
  setRef(ref: ImageRef, id: string): void {
    const key = formatImageRef(ref);
    const old = this.refs.get(key);
    if (old === id) return;
    if (old !== undefined) this.deleteRef(ref);
    (this.refs as Map<string, string>).set(key, id);
    const list = [...(this.#byImage.get(id) ?? []), parseImageRef(key)];
    this.#byImage.set(id, list.sort((a, b) => formatImageRef(a).localeCompare(formatImageRef(b))));
  }

  /** Remove `ref`; returns the image id it pointed at. */
  deleteRef(ref: ImageRef): string | undefined {
    const key = formatImageRef(ref);
    const id = this.refs.get(key);
    if (id === undefined) return undefined;
    (this.refs as Map<string, string>).delete(key);
    const rest = (this.#byImage.get(id) ?? []).filter((r) => formatImageRef(r) !== key);
    if (rest.length === 0) this.#byImage.delete(id);
    else this.#byImage.set(id, rest);
    return id;
  }

  /** References of an image, sorted, as parsed refs (a copy). */
  refsOf(id: string): ImageRef[] {
    return [...(this.#byImage.get(id) ?? [])];
  }

  /** Familiar `name:tag` strings of an image. */
  tagsOf(id: string): string[] {
    return this.refsOf(id).filter((r) => r.tag !== undefined).map(familiarString);
  }

  /** Familiar `name@digest` strings of an image. */
  digestsOf(id: string): string[] {
    return this.refsOf(id).filter((r) => r.digest !== undefined && r.tag === undefined).map(familiarString);
  }

  /** Ids of images whose parent is `id`. */
  childrenOf(id: string): string[] {
    return [...this.images.values()].filter((i) => i.parent === id).map((i) => i.id);
  }

  /** Size of an image: the sum of its layers'. */
  sizeOf(img: ImageRecord): number {
    return img.chainIds.reduce((n, c) => n + (this.layers.get(c)?.size ?? 0), 0);
  }

  /**
   * Docker's GetImage: a name[:tag|@digest] known as a reference, else a
   * full id, else a unique id prefix. Returns the id and, when found by
   * reference, the parsed reference. Throws ENGINE_IMAGE_NOT_FOUND (404,
   * "No such image: REF") or ENGINE_IMAGE_AMBIGUOUS.
   */
  lookup(refOrId: string): { id: string; ref?: ImageRef } {
    let named: ImageRef | undefined;
    if (!isFullImageId(refOrId)) {
      try {
        named = normalizeImageRef(refOrId);
      } catch (e) {
        // Neither a reference nor an id: Docker answers with the parse error (400).
        if (!isImageIdPrefix(refOrId)) throw e;
        named = undefined;
      }
    }
    if (named !== undefined) {
      const id = this.refs.get(formatImageRef(named));
      if (id !== undefined) return { id, ref: named };
    }
    if (isImageIdPrefix(refOrId)) {
      const hex = digestHex(refOrId);
      const hits = [...this.images.keys()].filter((id) => digestHex(id).startsWith(hex));
      if (hits.length === 1) return { id: hits[0] as string };
      if (hits.length > 1) throw imageErrors.make('AMBIGUOUS', `multiple IDs found with provided prefix: ${refOrId}`);
    }
    const shown = named === undefined ? refOrId : familiarString(named);
    throw imageErrors.make('NOT_FOUND', `No such image: ${shown}`, { details: { ref: refOrId } });
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw imageErrors.make('STORE_CORRUPT', `${path} is not valid JSON`, { cause: e });
  }
}

/** Names of entries of a directory, [] when it is missing. */
export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
