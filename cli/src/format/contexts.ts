/**
 * The formatting contexts of list commands: one flat record of display
 * strings per row, with the docker CLI's field names (so `--format
 * '{{.ID}} {{.Names}}'` and `--format json` work as with docker). Keys are
 * in alphabetical order, as docker's JSON output. Pure: now is an input.
 */
import type { ContainerSummary, ImageHistoryItem, ImageSummary, NetworkResource, Volume } from '@shoal/common';
import { ellipsis, humanAgo, humanSize, shortId } from './human.js';

/** Headers of container columns. */
export const CONTAINER_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

/** `docker ps` default table. */
export const PS_TABLE = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** Go's time.Time.String() of a unix time in the given zone: `2024-01-02 12:00:00 +0000 UTC`. */
export function goTimeString(unixSeconds: number, offsetMin = 0): string {
  const d = new Date((unixSeconds + offsetMin * 60) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 ? 'UTC' : `${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`;
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${sign}${p(Math.floor(abs / 60))}${p(abs % 60)} ${zone}`;
}

type Port = ContainerSummary['Ports'][number];

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Docker's compact PORTS column: `0.0.0.0:8080->80/tcp, 53/udp, 7000-7001/tcp`. */
export function displayablePorts(ports: readonly Port[]): string {
  const sorted = [...ports].sort((a, b) => a.PrivatePort - b.PrivatePort || ((a.IP ?? '') < (b.IP ?? '') ? -1 : (a.IP ?? '') > (b.IP ?? '') ? 1 : 0)
    || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || (a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number): string => {
    const parts = key.split('/');
    const type = parts.length > 1 ? parts[parts.length - 1] : parts[0];
    const ip = parts.length > 1 ? parts.slice(0, -1).join('/') : '';
    let g = first === last ? `${first}` : `${first}-${last}`;
    if (ip !== '') g = `${ip}:${g}->${g}`;
    return `${g}/${type}`;
  };
  for (const p of sorted) {
    const cur = p.PrivatePort;
    let key = p.Type;
    if (p.IP !== undefined && p.IP !== '') {
      if (p.PublicPort !== cur) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (g === undefined) { groups.set(key, { first: cur, last: cur }); continue; }
    if (cur === g.last + 1) { g.last = cur; continue; }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: cur, last: cur });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function labelsString(labels: Record<string, string> | null | undefined): string {
  return Object.keys(labels ?? {}).sort().map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

/** Options of the container and image contexts. */
export interface ContextOptions {
  trunc: boolean;
  nowMs: number;
  offsetMin?: number;
}

/**
 * A formatting context: display strings, plus `Label` as a method for
 * `{{.Label "key"}}` (not enumerable, so `--format json` leaves it out).
 */
export type FormatContext = Record<string, string>;

function withLabelMethod(ctx: Record<string, string>, labels: Record<string, string> | null | undefined): FormatContext {
  Object.defineProperty(ctx, 'Label', { value: (name: unknown) => labels?.[String(name)] ?? '', enumerable: false });
  return ctx;
}

/** One `docker ps` row. */
export function containerContext(c: ContainerSummary, o: ContextOptions): FormatContext {
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, '')).filter((n) => !n.includes('/'));
  let image = c.Image ?? '';
  if (o.trunc && image.startsWith('sha256:')) image = shortId(image);
  else if (o.trunc && image.includes('@sha256:')) image = image.slice(0, image.indexOf('@'));
  const cmd = o.trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '');
  const mounts = (c.Mounts ?? []).map((m) => {
    const n = m.Name ?? m.Source ?? '';
    return o.trunc ? ellipsis(n, 15) : n;
  });
  const srw = humanSize(c.SizeRw ?? 0);
  return withLabelMethod({
    Command: JSON.stringify(cmd),
    CreatedAt: goTimeString(c.Created, o.offsetMin),
    ID: o.trunc ? shortId(c.Id) : c.Id,
    Image: image,
    Labels: labelsString(c.Labels),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume' && (m.Driver ?? 'local') === 'local').length),
    Mounts: mounts.join(','),
    Names: names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: humanAgo(c.Created, o.nowMs),
    Size: (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : srw,
    State: c.State,
    Status: c.Status,
  }, c.Labels);
}

/** Headers of image columns. */
export const IMAGE_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

/** `docker images` default tables. */
export const IMAGES_TABLE = '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
/** `docker images --digests` default table. */
export const IMAGES_DIGEST_TABLE = '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** `repo:tag` -> [repo, tag], the tag after the last colon that follows the last slash. */
export function splitRepoTag(ref: string): [string, string] {
  const at = ref.indexOf('@');
  const r = at === -1 ? ref : ref.slice(0, at);
  const colon = r.lastIndexOf(':');
  if (colon > r.lastIndexOf('/')) return [r.slice(0, colon), r.slice(colon + 1)];
  return [r, ''];
}

/** The rows of one image for `docker images`: one per tag, `<none>` when untagged. */
export function imageContexts(img: ImageSummary, o: ContextOptions): Array<Record<string, string>> {
  const digests = new Map<string, string>();
  for (const d of img.RepoDigests ?? []) {
    const at = d.indexOf('@');
    if (at !== -1) digests.set(d.slice(0, at), d.slice(at + 1));
  }
  const row = (repo: string, tag: string, digest: string): Record<string, string> => ({
    Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
    CreatedAt: goTimeString(img.Created, o.offsetMin),
    CreatedSince: humanAgo(img.Created, o.nowMs),
    Digest: digest,
    ID: o.trunc ? shortId(img.Id) : img.Id,
    Repository: repo,
    SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.SharedSize),
    Size: humanSize(img.Size),
    Tag: tag,
    UniqueSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.Size - img.SharedSize),
    VirtualSize: humanSize(img.VirtualSize ?? img.Size),
  });
  const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  if (tags.length === 0) {
    if (digests.size > 0) return [...digests].map(([repo, dg]) => row(repo, '<none>', dg));
    return [row('<none>', '<none>', '<none>')];
  }
  return tags.map((t) => {
    const [repo, tag] = splitRepoTag(t);
    return row(repo, tag === '' ? '<none>' : tag, digests.get(repo) ?? '<none>');
  });
}

/** Headers of `docker history`. */
export const HISTORY_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};
/** `docker history` default table. */
export const HISTORY_TABLE = '{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

/** RFC 3339 with the zone offset, as Go's time.RFC3339. */
export function rfc3339(unixSeconds: number, offsetMin = 0): string {
  const d = new Date((unixSeconds + offsetMin * 60) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${zone}`;
}

/** One `docker history` row. `human` as -H (default true). */
export function historyContext(h: ImageHistoryItem, o: ContextOptions & { human: boolean }): Record<string, string> {
  const createdBy = h.CreatedBy.replace(/\t/g, ' ');
  return {
    Comment: h.Comment,
    CreatedAt: rfc3339(h.Created, o.offsetMin),
    CreatedBy: o.trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: o.human ? humanAgo(h.Created, o.nowMs) : rfc3339(h.Created, o.offsetMin),
    ID: h.Id === '<missing>' || h.Id === '' ? '<missing>' : o.trunc ? shortId(h.Id) : h.Id,
    Size: o.human ? humanSize(h.Size) : String(h.Size),
  };
}

/** Headers of `docker network ls`. */
export const NETWORK_HEADERS: Readonly<Record<string, string>> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};
/** `docker network ls` default table. */
export const NETWORK_TABLE = '{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** One `docker network ls` row. */
export function networkContext(n: NetworkResource, o: { trunc: boolean }): FormatContext {
  return withLabelMethod({
    CreatedAt: n.Created,
    Driver: n.Driver,
    ID: o.trunc ? shortId(n.Id) : n.Id,
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: labelsString(n.Labels),
    Name: n.Name,
    Scope: n.Scope,
  }, n.Labels);
}

/** Headers of `docker volume ls`. */
export const VOLUME_HEADERS: Readonly<Record<string, string>> = {
  Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE',
};
/** `docker volume ls` default table. */
export const VOLUME_TABLE = '{{.Driver}}\t{{.Name}}';

/** One `docker volume ls` row (Links and Size as Docker without `system df` data: N/A). */
export function volumeContext(v: Volume): FormatContext {
  return withLabelMethod({
    Driver: v.Driver,
    Labels: labelsString(v.Labels),
    Links: 'N/A',
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: 'N/A',
  }, v.Labels);
}
