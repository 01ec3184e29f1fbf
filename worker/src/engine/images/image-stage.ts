import { mkdir, rename, rm, lstat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ImageLayout } from './image-layout.js';
import type { LayerRecord } from './image-db.js';
import { unpackLayer } from './layer-unpack.js';
import { digestHex } from './content-digest.js';

/**
 * A staging area under `<root>/tmp/` for one import or load: blobs and
 * unpacked layers are written here first and only renamed into place by
 * {@link Stage.commit}, so a failed operation leaves nothing visible.
 * `dispose` removes whatever was not committed.
 */
export class Stage {
  readonly dir: string;
  readonly #layout: ImageLayout;
  readonly #blobs = new Map<string, string>();
  readonly #layers = new Map<string, { dir: string; record: LayerRecord }>();
  #seq = 0;

  private constructor(layout: ImageLayout, dir: string) {
    this.#layout = layout;
    this.dir = dir;
  }

  static async create(layout: ImageLayout): Promise<Stage> {
    const dir = join(layout.tmpDir, `stage-${randomBytes(8).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return new Stage(layout, dir);
  }

  /** A fresh path inside the stage. */
  path(hint: string): string {
    return join(this.dir, `${++this.#seq}-${hint}`);
  }

  /** Stage the file at `path` (inside the stage) as blob `digest`. */
  addBlobFile(digest: string, path: string): void {
    this.#blobs.set(digest, path);
  }

  /** Stage `data` as blob `digest`. */
  async addBlob(digest: string, data: Buffer | string): Promise<void> {
    const p = this.path('blob');
    await writeFile(p, data, { mode: 0o600 });
    this.#blobs.set(digest, p);
  }

  /** True when `chainId` is already staged here. */
  hasLayer(chainId: string): boolean {
    return this.#layers.has(chainId);
  }

  /** Unpack the uncompressed tar at `tarPath` as layer `chainId`; returns its record. */
  async addLayer(tarPath: string, chainId: string, diffId: string, parent: string): Promise<LayerRecord> {
    const dir = this.path(`layer-${digestHex(chainId).slice(0, 12)}`);
    const { size } = await unpackLayer(tarPath, join(dir, 'diff'));
    const record: LayerRecord = { chainId, diffId, parent, size };
    await writeFile(join(dir, 'layer.json'), `${JSON.stringify(record)}\n`);
    this.#layers.set(chainId, { dir, record });
    return record;
  }

  /** Layers staged here. */
  layers(): LayerRecord[] {
    return [...this.#layers.values()].map((l) => l.record);
  }

  /** Rename blobs and layers into place (skipping those already there). */
  async commit(): Promise<void> {
    for (const [digest, p] of this.#blobs) {
      const dest = this.#layout.blob(digest);
      if (await exists(dest)) continue;
      await rename(p, dest);
    }
    for (const [chainId, l] of this.#layers) {
      const dest = this.#layout.layerDir(chainId);
      if (await exists(dest)) continue;
      await rename(l.dir, dest);
    }
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}
