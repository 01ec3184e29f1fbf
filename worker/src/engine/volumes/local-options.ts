/**
 * The pure rules of volumes: names, the local driver's options, list and
 * prune filters, and the API shape. No I/O.
 */
import type { Filters, Volume } from '@shoal/common';
import { volumeErrors } from './volume-errors.js';

/** Docker's rule for local volume names. */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The label Docker puts on the anonymous volumes a container creates. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** One volume as stored (`<data-root>/volumes/<name>/volume.json`). */
export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  /** RFC 3339, seconds precision (as Docker). */
  CreatedAt: string;
  Labels: Record<string, string>;
  /** The local driver's options (type, device, o). */
  Options: Record<string, string>;
}

/** GET /volumes/{name}, Docker's volume.Volume. */
export type VolumeView = Volume;

/** Refuse a name the local driver cannot store. */
export function checkVolumeName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw volumeErrors.make('INVALID_NAME', `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** True for a name a container's bind spec means as a volume (not a host path). */
export function isVolumeName(source: string): boolean {
  return source !== '' && !source.startsWith('/') && !source.startsWith('.') && !source.startsWith('~');
}

/** The driver name, defaulted and checked (only `local`). */
export function checkDriver(driver: string | undefined): 'local' {
  const d = driver === undefined || driver === '' ? 'local' : driver;
  if (d !== 'local') throw volumeErrors.make('DRIVER_NOT_FOUND', `error looking up volume plugin ${d}: plugin "${d}" not found`);
  return 'local';
}

/** How the local driver mounts a volume: nothing (a plain directory) or a mount(8) call. */
export type LocalMount = { kind: 'dir' } | { kind: 'mount'; type: string; device: string; options: string[] };

/**
 * Validate the local driver's options as Docker does (keys type, device, o;
 * `o` needs `type`? no; `device` without `type` is refused) and say how to
 * mount. `type=none` with `o=bind` is a bind of an existing host directory.
 */
export function localMount(opts: Record<string, string>): LocalMount {
  for (const k of Object.keys(opts)) {
    if (k !== 'type' && k !== 'device' && k !== 'o') throw volumeErrors.make('INVALID_OPTION', `invalid option key: "${k}"`);
  }
  const type = opts.type ?? '';
  const device = opts.device ?? '';
  const o = opts.o ?? '';
  if (type === '' && device === '' && o === '') return { kind: 'dir' };
  if (type === '') throw volumeErrors.make('INVALID_OPTION', 'missing required option: "type"');
  if (device === '') throw volumeErrors.make('INVALID_OPTION', 'missing required option: "device"');
  const options = o.split(',').filter((x) => x !== '');
  if (type === 'none' || options.includes('bind') || options.includes('rbind')) {
    if (!options.includes('bind') && !options.includes('rbind')) throw volumeErrors.make('INVALID_OPTION', 'invalid option: type "none" needs o=bind');
    if (!device.startsWith('/')) throw volumeErrors.make('INVALID_OPTION', `invalid option: a bind device must be an absolute path: "${device}"`);
  }
  for (const opt of options) {
    const m = /^size=(.*)$/.exec(opt);
    if (m !== null && type === 'tmpfs' && !/^[0-9]+[kmgKMG%]?$/.test(m[1] ?? '')) throw volumeErrors.make('INVALID_OPTION', `invalid option: bad tmpfs size "${m[1] ?? ''}"`);
  }
  return { kind: 'mount', type, device, options };
}

/** Docker's `volume ls` filter keys. */
const LIST_KEYS = new Set(['dangling', 'driver', 'label', 'name']);
/** Docker's `volume prune` filter keys. */
const PRUNE_KEYS = new Set(['label', 'label!', 'all']);

function checkKeys(filters: Filters, known: Set<string>): void {
  for (const k of Object.keys(filters)) if (!known.has(k)) throw volumeErrors.make('INVALID_FILTER', `invalid filter '${k}'`);
}

function parseBool(key: string, v: string): boolean {
  const low = v.toLowerCase();
  if (low === 'true' || low === '1') return true;
  if (low === 'false' || low === '0') return false;
  throw volumeErrors.make('INVALID_FILTER', `invalid filter '${key}=${v}'`);
}

/** `label=k` / `label=k=v` against a volume's labels. */
function labelMatches(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  if (i < 0) return Object.hasOwn(labels, f);
  return labels[f.slice(0, i)] === f.slice(i + 1);
}

/** A volume as the filters see it. */
export interface FilterSubject { rec: VolumeRecord; inUse: boolean }

/** Validate `volume ls` filters (400 on an unknown key or bad boolean). */
export function validateListFilters(filters: Filters): void {
  checkKeys(filters, LIST_KEYS);
  for (const v of filters.dangling ?? []) parseBool('dangling', v);
}

/** Whether a volume passes `volume ls` filters (each key: any of its values; all keys). */
export function listMatches(filters: Filters, s: FilterSubject): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    const ok = values.some((v) => {
      switch (key) {
        case 'dangling': return parseBool(key, v) === !s.inUse;
        case 'driver': return s.rec.Driver === v;
        case 'name': return s.rec.Name.includes(v);
        case 'label': return labelMatches(s.rec.Labels, v);
        default: return false;
      }
    });
    if (!ok) return false;
  }
  return true;
}

/**
 * The volumes `volume prune` removes: unused ones, anonymous only unless
 * `all=true` (API 1.42+; older clients prune all), matching `label` /
 * `label!` filters.
 */
export function pruneMatches(filters: Filters, s: FilterSubject, apiPrunesAll: boolean): boolean {
  checkKeys(filters, PRUNE_KEYS);
  if (s.inUse) return false;
  const all = (filters.all ?? []).some((v) => parseBool('all', v)) || apiPrunesAll;
  if (!all && !Object.hasOwn(s.rec.Labels, ANONYMOUS_LABEL)) return false;
  if ((filters.label ?? []).some((f) => !labelMatches(s.rec.Labels, f))) return false;
  if ((filters['label!'] ?? []).some((f) => labelMatches(s.rec.Labels, f))) return false;
  return true;
}

/** The API view of a record. */
export function volumeView(rec: VolumeRecord, mountpoint: string): VolumeView {
  return {
    Name: rec.Name, Driver: rec.Driver, Mountpoint: mountpoint, CreatedAt: rec.CreatedAt, Labels: rec.Labels,
    Scope: 'local', Options: { ...rec.Options },
  };
}

/** Docker's volume CreatedAt: RFC 3339 with the local offset, seconds precision; we print UTC. */
export function volumeTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Same options (for a create of an existing name). */
export function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
