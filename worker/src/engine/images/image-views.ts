/**
 * Docker API views of an image record: inspect, list summary, history.
 * Pure functions of the in-memory db.
 */
import type { ContainerConfig, ImageConfig, ImageHistoryItem, ImageInspect, ImageSummary } from '@shoal/common';
import type { ImageDb, ImageRecord } from './image-db.js';
import type { ImageLayout } from './image-layout.js';
import { imageErrors } from './image-errors.js';

/** Go's zero time as Docker prints it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's RFC3339Nano of unix milliseconds: `2024-01-01T00:00:00Z`, `...00:00:00.5Z` (fraction without trailing zeros). */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

/** Unix seconds of an image's `created`, 0 when missing. */
export function createdSeconds(img: ImageRecord): number {
  const ms = img.config.created === undefined ? NaN : Date.parse(img.config.created);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** The image config as Docker's container.Config (with the deprecated always-empty fields, as v1.44). */
export function containerConfigOf(c: ImageConfig | undefined): ContainerConfig {
  const cfg = c ?? {};
  const out: ContainerConfig = {
    Hostname: '', Domainname: '', User: cfg.User ?? '',
    AttachStdin: false, AttachStdout: false, AttachStderr: false,
  };
  if (cfg.ExposedPorts !== undefined) out.ExposedPorts = cfg.ExposedPorts;
  Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false, Env: cfg.Env ?? null, Cmd: cfg.Cmd ?? null });
  if (cfg.Healthcheck !== undefined) out.Healthcheck = cfg.Healthcheck;
  if (cfg.ArgsEscaped === true) (out as Record<string, unknown>).ArgsEscaped = true;
  Object.assign(out, {
    Image: '', Volumes: cfg.Volumes ?? null, WorkingDir: cfg.WorkingDir ?? '', Entrypoint: cfg.Entrypoint ?? null,
    OnBuild: cfg.OnBuild ?? null, Labels: cfg.Labels ?? null,
  });
  if (cfg.StopSignal !== undefined) out.StopSignal = cfg.StopSignal;
  if (cfg.Shell !== undefined) out.Shell = cfg.Shell;
  return out;
}

/** GET /images/{name}/json. */
export function inspectView(db: ImageDb, layout: ImageLayout, img: ImageRecord): ImageInspect {
  const c = img.config;
  const dirs = img.chainIds.map((id) => layout.layerDiff(id));
  const top = img.chainIds[img.chainIds.length - 1];
  const data: Record<string, string> | null = top === undefined ? null : {
    ...(dirs.length > 1 ? { LowerDir: dirs.slice(0, -1).reverse().join(':') } : {}),
    MergedDir: `${layout.layerDir(top)}/merged`,
    UpperDir: layout.layerDiff(top),
    WorkDir: `${layout.layerDir(top)}/work`,
  };
  const out: ImageInspect = {
    Id: img.id,
    RepoTags: db.tagsOf(img.id),
    RepoDigests: db.digestsOf(img.id),
    Parent: img.parent,
    Comment: c.comment ?? '',
    Created: c.created ?? ZERO_TIME,
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: containerConfigOf(c.config),
    Architecture: c.architecture,
    Os: c.os,
    Size: db.sizeOf(img),
    GraphDriver: { Name: 'overlay2', Data: data },
    RootFS: { Type: 'layers', Layers: [...c.rootfs.diff_ids] },
    Metadata: { LastTagTime: img.lastTagTime ?? ZERO_TIME },
  };
  if (c.variant !== undefined) out.Variant = c.variant;
  return out;
}

/** One item of GET /images/json. */
export function summaryView(db: ImageDb, img: ImageRecord): ImageSummary {
  return {
    Id: img.id,
    ParentId: img.parent,
    RepoTags: db.tagsOf(img.id),
    RepoDigests: db.digestsOf(img.id),
    Created: createdSeconds(img),
    Size: db.sizeOf(img),
    SharedSize: -1,
    Labels: img.config.config?.Labels ?? {},
    Containers: -1,
  };
}

/** GET /images/{name}/history: newest first, as Docker's ImageHistory. */
export function historyView(db: ImageDb, img: ImageRecord): ImageHistoryItem[] {
  const items: ImageHistoryItem[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (h.empty_layer !== true) {
      const chain = img.chainIds[layer];
      if (chain === undefined) throw imageErrors.make('STORE_CORRUPT', `image ${img.id}: too many non-empty layers in History section`);
      size = db.layers.get(chain)?.size ?? 0;
      layer++;
    }
    const created = h.created === undefined ? NaN : Date.parse(h.created);
    items.unshift({
      Id: '<missing>',
      Created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  // Fill in ids and tags down the parent chain, as far as local images go.
  let cur: ImageRecord | undefined = img;
  for (const item of items) {
    if (cur === undefined) break;
    item.Id = cur.id;
    const tags = db.tagsOf(cur.id);
    item.Tags = tags.length > 0 ? tags : null;
    cur = cur.parent === '' ? undefined : db.images.get(cur.parent);
  }
  return items;
}
