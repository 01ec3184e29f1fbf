import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { posix, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import {
  isShoalError, normalizeImageRef, withDefaultTag, formatImageRef,
  type ImageRef, type OciImageConfig,
} from '@shoal/common';
import { imageErrors } from './image-errors.js';
import { safeEntryPath } from './layer-unpack.js';
import { spoolLayer } from './layer-spool.js';
import { chainIds, isSha256Digest, sha256Digest } from './content-digest.js';
import type { Stage } from './image-stage.js';

/** An image found in an archive, its blobs and layers staged. */
export interface LoadedImage {
  id: string;
  config: OciImageConfig;
  refs: ImageRef[];
}

const MT_INDEXES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

function bad(msg: string, cause?: unknown): never {
  throw imageErrors.make('INVALID_ARCHIVE', msg, cause === undefined ? {} : { cause });
}

/** The archive unpacked as plain files in the stage, with its symlinks resolved inside it. */
class ArchiveFiles {
  readonly root: string;
  readonly #files = new Set<string>();
  readonly #links = new Map<string, string>();

  constructor(root: string) {
    this.root = root;
  }

  static async extract(tar: Readable, root: string): Promise<ArchiveFiles> {
    const files = new ArchiveFiles(root);
    await mkdir(root, { recursive: true });
    const ex = extract();
    const done = pipeline(tar, ex as unknown as NodeJS.WritableStream);
    try {
      for await (const entry of ex) {
        const h = entry.header;
        let rel: string;
        try {
          rel = safeEntryPath(h.name);
        } catch (e) {
          entry.resume();
          bad(`archive entry ${JSON.stringify(h.name)} escapes the archive`, e);
        }
        if (h.type === 'file' || h.type === 'contiguous-file') {
          if (rel === '') bad('archive has a file entry for its root');
          await mkdir(posix.dirname(join(root, rel)), { recursive: true });
          await pipeline(entry as unknown as NodeJS.ReadableStream, createWriteStream(join(root, rel), { mode: 0o600 }));
          files.#files.add(rel);
        } else {
          if (h.type === 'symlink' && rel !== '') {
            const target = posix.normalize(posix.join(posix.dirname(rel), h.linkname ?? ''));
            if (h.linkname?.startsWith('/') === true || target.startsWith('../') || target === '..') bad(`archive symlink ${h.name} points outside the archive`);
            files.#links.set(rel, target);
          } else if (h.type === 'link' && rel !== '') {
            files.#links.set(rel, safeEntryPath(h.linkname ?? ''));
          }
          entry.resume();
        }
      }
      await done;
    } catch (e) {
      ex.destroy();
      await done.catch(() => undefined);
      if (isShoalError(e)) throw e;
      if ((e as { code?: unknown }).code === undefined) bad(`archive is not a valid tar: ${(e as Error).message}`, e);
      throw e;
    }
    return files;
  }

  /** The staged file for archive path `p` (symlinks followed), or undefined. */
  resolve(p: string): string | undefined {
    let rel = posix.normalize(p).replace(/^\.\//, '');
    for (let hops = 0; hops < 16; hops++) {
      if (this.#files.has(rel)) return join(this.root, rel);
      const next = this.#links.get(rel);
      if (next === undefined) return undefined;
      rel = next;
    }
    return undefined;
  }

  async read(p: string, what: string): Promise<Buffer> {
    const f = this.resolve(p);
    if (f === undefined) bad(`archive has no ${what} ${p}`);
    return readFile(f);
  }

  async readJson<T>(p: string, what: string): Promise<{ value: T; bytes: Buffer }> {
    const bytes = await this.read(p, what);
    try {
      return { value: JSON.parse(bytes.toString('utf8')) as T, bytes };
    } catch (e) {
      bad(`${what} ${p} is not valid JSON`, e);
    }
  }
}

async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

function parseConfig(bytes: Buffer, where: string): OciImageConfig {
  let c: OciImageConfig;
  try {
    c = JSON.parse(bytes.toString('utf8')) as OciImageConfig;
  } catch (e) {
    bad(`image config ${where} is not valid JSON`, e);
  }
  if (typeof c !== 'object' || c === null || c.rootfs?.type !== 'layers' || !Array.isArray(c.rootfs.diff_ids) || !c.rootfs.diff_ids.every(isSha256Digest)) {
    bad(`image config ${where} has no valid rootfs`);
  }
  return c;
}

function parseRef(s: string, where: string): ImageRef {
  try {
    return withDefaultTag(normalizeImageRef(s));
  } catch (e) {
    bad(`${where}: invalid reference ${JSON.stringify(s)}`, e);
  }
}

/**
 * Read a docker-archive (`manifest.json`, old and new layouts) or an OCI
 * image layout tar (`index.json`, nested indexes, gzip layers, digests
 * checked) into `stage`: configs and uncompressed layer tars as blobs,
 * layers not yet known (`hasLayer`) unpacked. Every diff id is checked
 * against the config. Nothing is committed here: a bad archive throws
 * ENGINE_IMAGE_INVALID_ARCHIVE (or INVALID_LAYER) and the caller disposes
 * the stage.
 */
export async function readArchive(tar: Readable, stage: Stage, hasLayer: (chainId: string) => boolean): Promise<LoadedImage[]> {
  const files = await ArchiveFiles.extract(tar, stage.path('archive'));
  const found: Array<{ configPath: string; layerPaths: string[]; refs: ImageRef[]; layerDigests?: string[] }> = [];
  if (files.resolve('manifest.json') !== undefined) {
    const { value } = await files.readJson<unknown>('manifest.json', 'manifest');
    if (!Array.isArray(value)) bad('manifest.json is not a list');
    for (const m of value as Array<{ Config?: unknown; RepoTags?: unknown; Layers?: unknown }>) {
      if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers) || !m.Layers.every((l) => typeof l === 'string')) {
        bad('manifest.json entry needs Config and Layers');
      }
      const tags = Array.isArray(m.RepoTags) ? m.RepoTags.filter((t): t is string => typeof t === 'string') : [];
      found.push({ configPath: m.Config, layerPaths: m.Layers as string[], refs: tags.map((t) => parseRef(t, 'manifest.json')) });
    }
  } else if (files.resolve('index.json') !== undefined) {
    const blobPath = (d: unknown): string => {
      if (typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d)) bad(`unsupported or invalid digest ${String(d)}`);
      return `blobs/sha256/${d.slice(7)}`;
    };
    const checked = async (d: unknown, what: string): Promise<Buffer> => {
      const bytes = await files.read(blobPath(d), what);
      if (sha256Digest(bytes) !== d) bad(`${what} ${String(d)} does not match its digest`);
      return bytes;
    };
    type Desc = { mediaType?: string; digest?: unknown; annotations?: Record<string, string>; platform?: { os?: string; architecture?: string } };
    const walk = async (manifests: Desc[], names: ImageRef[], depth: number): Promise<void> => {
      if (depth > 4) bad('index nesting too deep');
      for (const d of manifests) {
        const own = [...names];
        const full = d.annotations?.['io.containerd.image.name'];
        const refName = d.annotations?.['org.opencontainers.image.ref.name'];
        if (full !== undefined) own.push(parseRef(full, 'index.json'));
        else if (refName !== undefined && /[/:]/.test(refName)) own.push(parseRef(refName, 'index.json'));
        if (d.mediaType !== undefined && MT_INDEXES.has(d.mediaType)) {
          const nested = JSON.parse((await checked(d.digest, 'index')).toString('utf8')) as { manifests?: Desc[] };
          const all = nested.manifests ?? [];
          const linux = all.filter((m) => m.platform === undefined || m.platform.os === 'linux');
          await walk(linux.slice(0, 1).length > 0 ? [linux[0] as Desc] : all.slice(0, 1), own, depth + 1);
          continue;
        }
        const m = JSON.parse((await checked(d.digest, 'manifest')).toString('utf8')) as { config?: { digest?: unknown }; layers?: Array<{ digest?: unknown }> };
        if (m.config === undefined || !Array.isArray(m.layers)) bad(`manifest ${String(d.digest)} needs config and layers`);
        await checked(m.config.digest, 'config');
        found.push({
          configPath: blobPath(m.config.digest),
          layerPaths: m.layers.map((l) => blobPath(l.digest)),
          layerDigests: m.layers.map((l) => l.digest as string),
          refs: own,
        });
      }
    };
    const { value } = await files.readJson<{ manifests?: Desc[] }>('index.json', 'index');
    if (!Array.isArray(value.manifests)) bad('index.json has no manifests');
    await walk(value.manifests, [], 0);
  } else {
    bad('archive has neither manifest.json (docker save) nor index.json (OCI layout)');
  }
  if (found.length === 0) bad('archive contains no image');

  const byId = new Map<string, LoadedImage>();
  for (const f of found) {
    const bytes = await files.read(f.configPath, 'image config');
    const { id, config } = await stageImage(stage, bytes, f.layerPaths.length, async (i) => {
      const lp = f.layerPaths[i] as string;
      const src = files.resolve(lp);
      if (src === undefined) bad(`archive has no layer ${lp}`);
      const want = f.layerDigests?.[i];
      if (want !== undefined && await fileDigest(src) !== want) bad(`layer ${lp} does not match its digest ${want}`);
      return createReadStream(src);
    }, hasLayer);
    const img = byId.get(id) ?? { id, config, refs: [] };
    for (const r of f.refs) if (!img.refs.some((x) => formatImageRef(x) === formatImageRef(r))) img.refs.push(r);
    byId.set(id, img);
  }
  return [...byId.values()];
}

/**
 * Stage one image from its config bytes and its layers (lowest first, plain
 * or gzip tars, opened one at a time by `openLayer`): every layer's diff id
 * must equal the config's. Blobs and new layers go into `stage`; nothing is
 * committed. Throws ENGINE_IMAGE_INVALID_ARCHIVE on a mismatch.
 */
export async function stageImage(
  stage: Stage, configBytes: Buffer, layerCount: number, openLayer: (index: number) => Promise<Readable>,
  hasLayer: (chainId: string) => boolean,
): Promise<{ id: string; config: OciImageConfig }> {
  const config = parseConfig(configBytes, 'blob');
  const id = sha256Digest(configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layerCount) bad(`image ${id}: config lists ${diffIds.length} layers, the manifest ${layerCount}`);
  const chain = chainIds(diffIds);
  for (let i = 0; i < layerCount; i++) {
    const tarPath = stage.path('layer.tar');
    const { diffId } = await spoolLayer(await openLayer(i), tarPath);
    if (diffId !== diffIds[i]) bad(`invalid diffID for layer ${i}: expected ${diffIds[i]}, got ${diffId}`);
    stage.addBlobFile(diffId, tarPath);
    const c = chain[i] as string;
    if (!hasLayer(c) && !stage.hasLayer(c)) await stage.addLayer(tarPath, c, diffId, i === 0 ? '' : chain[i - 1] as string);
  }
  await stage.addBlob(id, configBytes);
  return { id, config };
}
