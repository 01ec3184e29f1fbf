/** `docker ps` filters over container records. Pure. */
import { parseDockerTimestamp, timestampMs } from '@shoal/common';
import type { Filters } from '@shoal/common';
import type { ContainerRecord } from './container-record.js';
import { containerErrors } from './errors.js';

const KNOWN = new Set(['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'network', 'publish', 'expose', 'health', 'is-task', 'volume']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

/** Facts a filter may need beyond the record. */
export interface FilterContext {
  /** Resolve a container reference (for before/since); undefined when unknown. */
  lookup(ref: string): ContainerRecord | undefined;
  /** Image ids an `ancestor` value stands for (the ref resolved, if it resolves). */
  imageIdsFor(ref: string): string[];
}

/** Throws ENGINE_CONTAINER_INVALID_FILTER on unknown keys or values. */
export function validateFilters(f: Filters): void {
  for (const [k, vals] of Object.entries(f)) {
    if (!KNOWN.has(k)) throw containerErrors.make('INVALID_FILTER', `invalid filter '${k}'`);
    if (k === 'status') for (const v of vals) if (!STATUSES.has(v)) throw containerErrors.make('INVALID_FILTER', `invalid filter 'status=${v}'`);
    if (k === 'exited') for (const v of vals) if (!/^-?[0-9]+$/.test(v)) throw containerErrors.make('INVALID_FILTER', `invalid filter 'exited=${v}'`);
    if (k === 'is-task') for (const v of vals) if (v !== 'true' && v !== 'false') throw containerErrors.make('INVALID_FILTER', `invalid filter 'is-task=${v}'`);
  }
}

function matchPort(spec: string, ports: string[]): boolean {
  const [p, proto = 'tcp'] = spec.split('/');
  if (p === undefined) return false;
  const [lo, hi = lo] = p.split('-').map(Number);
  return ports.some((key) => {
    const [kp, kproto = 'tcp'] = key.split('/');
    const n = Number(kp);
    return kproto === proto && lo !== undefined && hi !== undefined && n >= lo && n <= hi;
  });
}

/**
 * True when `rec` passes every filter (values of one key are OR-ed, keys
 * AND-ed, as Docker).
 */
export function matchesFilters(rec: ContainerRecord, f: Filters, ctx: FilterContext): boolean {
  const any = (key: string, pred: (v: string) => boolean): boolean => {
    const vals = f[key];
    return vals === undefined || vals.length === 0 || vals.some(pred);
  };
  const labels = rec.Config.Labels ?? {};
  const publishedKeys = Object.entries(rec.NetworkSettings.Ports ?? {}).flatMap(([k, b]) => (b ?? []).map((x) => `${x.HostPort ?? ''}/${k.split('/')[1] ?? 'tcp'}`));
  return any('id', (v) => rec.Id.startsWith(v))
    && any('name', (v) => { try { return new RegExp(v).test(rec.Name); } catch { return rec.Name.includes(v); } })
    && any('label', (v) => {
      const i = v.indexOf('=');
      return i < 0 ? labels[v] !== undefined : labels[v.slice(0, i)] === v.slice(i + 1);
    })
    && any('status', (v) => rec.State.Status === v)
    && any('exited', (v) => rec.State.Status === 'exited' && rec.State.ExitCode === Number(v))
    && any('ancestor', (v) => ctx.imageIdsFor(v).includes(rec.Image) || rec.Config.Image === v)
    && any('before', (v) => { const o = ctx.lookup(v); return o !== undefined && rec.Created < o.Created; })
    && any('since', (v) => { const o = ctx.lookup(v); return o !== undefined && rec.Created > o.Created; })
    && any('network', (v) => Object.entries(rec.NetworkSettings.Networks ?? {}).some(([n, e]) => n === v || e.NetworkID === v) || rec.HostConfig.NetworkMode === v)
    && any('publish', (v) => matchPort(v, publishedKeys))
    && any('expose', (v) => matchPort(v, rec.ExposedPorts))
    && any('health', (v) => (rec.State.Health?.Status ?? 'none') === v)
    && any('is-task', (v) => (labels['com.docker.swarm.task'] !== undefined || labels['com.docker.swarm.task.id'] !== undefined) === (v === 'true'));
}

/** Docker's `until` filter value (duration like 10m, unix seconds or a date) as epoch ms. */
export function parseUntil(u: string, nowMs: number): number {
  try {
    return timestampMs(parseDockerTimestamp(u, nowMs));
  } catch (e) {
    throw containerErrors.make('INVALID_FILTER', `invalid filter 'until=${u}': ${(e as Error).message}`, { cause: e });
  }
}

/** A record with its creation order (ties of Created within a millisecond). */
export interface Ordered {
  rec: ContainerRecord;
  seq: number;
}

/**
 * `docker ps`: newest first; only running (and restarting) ones unless
 * `all`, a limit, or a status filter; then the filters; then the limit.
 */
export function selectForList(items: Iterable<Ordered>, opts: { all?: boolean; limit?: number; filters?: Filters }, ctx: FilterContext): ContainerRecord[] {
  const f = opts.filters ?? {};
  validateFilters(f);
  let recs = [...items]
    .sort((a, b) => (a.rec.Created < b.rec.Created ? 1 : a.rec.Created > b.rec.Created ? -1 : b.seq - a.seq))
    .map((l) => l.rec);
  const showAll = opts.all === true || (opts.limit !== undefined && opts.limit > 0) || f.status !== undefined || f.exited !== undefined;
  if (!showAll) recs = recs.filter((r) => r.State.Running || r.State.Restarting);
  recs = recs.filter((r) => matchesFilters(r, f, ctx));
  return opts.limit !== undefined && opts.limit > 0 ? recs.slice(0, opts.limit) : recs;
}

/** `docker container prune`: stopped containers matching `label`, `label!` and `until`. Throws INVALID_FILTER for other keys. */
export function selectForPrune(recs: Iterable<ContainerRecord>, filters: Filters | undefined, nowMs: number): ContainerRecord[] {
  const f = filters ?? {};
  for (const k of Object.keys(f)) if (k !== 'label' && k !== 'label!' && k !== 'until') throw containerErrors.make('INVALID_FILTER', `invalid filter '${k}'`);
  const none: FilterContext = { lookup: () => undefined, imageIdsFor: () => [] };
  return [...recs].filter((r) => !(r.State.Running || r.State.Restarting || r.State.Paused)
    && (f.label === undefined || matchesFilters(r, { label: f.label }, none))
    && (f['label!'] === undefined || !f['label!'].some((v) => matchesFilters(r, { label: [v] }, none)))
    && (f.until === undefined || !f.until.some((u) => Date.parse(r.Created) >= parseUntil(u, nowMs))));
}

/** Counts for `docker info`. */
export function countStates(recs: Iterable<ContainerRecord>): { total: number; running: number; paused: number; stopped: number } {
  const c = { total: 0, running: 0, paused: 0, stopped: 0 };
  for (const r of recs) {
    c.total++;
    if (r.State.Paused) c.paused++;
    else if (r.State.Running) c.running++;
    else c.stopped++;
  }
  return c;
}
