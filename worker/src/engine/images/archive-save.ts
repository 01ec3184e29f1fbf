import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { addEntry, addFileEntry } from './tar-write.js';
import { familiarName, familiarString, formatImageRef, type ImageRef } from '@shoal/common';
import type { ImageRecord } from './image-db.js';
import type { ImageLayout } from './image-layout.js';
import { digestHex, sha256Digest } from './content-digest.js';

/** One image to save and the references to record for it. */
export interface SaveItem {
  image: ImageRecord;
  refs: ImageRef[];
}

const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MT_LAYER = 'application/vnd.oci.image.layer.v1.tar';

function addBuffer(p: Pack, name: string, data: Buffer | string, mtime: Date): Promise<void> {
  return addEntry(p, { name, mode: 0o644, mtime, type: 'file' }, data);
}

async function addFile(p: Pack, name: string, path: string, mtime: Date): Promise<void> {
  const { size } = await stat(path);
  await addFileEntry(p, { name, mode: 0o644, mtime, size }, path);
}

/**
 * Write a docker-archive as `docker save` of Docker 25+ does, which is also
 * an OCI image layout: `blobs/sha256/<hex>` (uncompressed layer tars named
 * by diff id, configs, OCI manifests), `index.json`, `oci-layout`,
 * `manifest.json` (Config, RepoTags, Layers per image) and `repositories`.
 */
export async function writeArchive(items: readonly SaveItem[], layout: ImageLayout, out: Writable): Promise<void> {
  const p = pack();
  const piped = pipeline(p as unknown as NodeJS.ReadableStream, out);
  try {
    const epoch = new Date(0);
    await addEntry(p, { name: 'blobs/', type: 'directory', mode: 0o755, mtime: epoch });
    await addEntry(p, { name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: epoch });
    const written = new Set<string>();
    const manifestJson: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
    const index: Array<Record<string, unknown>> = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, refs } of items) {
      const created = image.config.created === undefined ? epoch : new Date(image.config.created);
      const mtime = Number.isNaN(created.getTime()) ? epoch : created;
      const layers: Array<{ digest: string; size: number }> = [];
      for (const diffId of image.config.rootfs.diff_ids) {
        const path = layout.blob(diffId);
        const { size } = await stat(path);
        layers.push({ digest: diffId, size });
        if (written.has(diffId)) continue;
        await addFile(p, `blobs/sha256/${digestHex(diffId)}`, path, mtime);
        written.add(diffId);
      }
      const configPath = layout.blob(image.id);
      const configSize = (await stat(configPath)).size;
      if (!written.has(image.id)) {
        await addFile(p, `blobs/sha256/${digestHex(image.id)}`, configPath, mtime);
        written.add(image.id);
      }
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: MT_MANIFEST,
        config: { mediaType: MT_CONFIG, digest: image.id, size: configSize },
        layers: layers.map((l) => ({ mediaType: MT_LAYER, digest: l.digest, size: l.size })),
      });
      const manifestDigest = sha256Digest(manifest);
      if (!written.has(manifestDigest)) {
        await addBuffer(p, `blobs/sha256/${digestHex(manifestDigest)}`, manifest, mtime);
        written.add(manifestDigest);
      }
      const desc = { mediaType: MT_MANIFEST, digest: manifestDigest, size: Buffer.byteLength(manifest) };
      const tagged = refs.filter((r) => r.tag !== undefined);
      if (tagged.length === 0) index.push(desc);
      for (const r of tagged) {
        index.push({ ...desc, annotations: { 'io.containerd.image.name': formatImageRef(r), 'org.opencontainers.image.ref.name': r.tag } });
        const top = image.config.rootfs.diff_ids[image.config.rootfs.diff_ids.length - 1];
        if (top !== undefined) (repositories[familiarName(r)] ??= {})[r.tag as string] = digestHex(top);
      }
      manifestJson.push({
        Config: `blobs/sha256/${digestHex(image.id)}`,
        RepoTags: tagged.length === 0 ? null : tagged.map(familiarString),
        Layers: layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
      });
    }
    const now = epoch;
    await addBuffer(p, 'index.json', `${JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: index })}\n`, now);
    await addBuffer(p, 'manifest.json', `${JSON.stringify(manifestJson)}\n`, now);
    await addBuffer(p, 'oci-layout', '{"imageLayoutVersion":"1.0.0"}', now);
    if (Object.keys(repositories).length > 0) await addBuffer(p, 'repositories', `${JSON.stringify(repositories)}\n`, now);
    p.finalize();
  } catch (e) {
    p.destroy(e as Error);
    await piped.catch(() => undefined);
    throw e;
  }
  await piped;
}
