/**
 * Docker's /events filters (daemon/events/filter.go), as a pure function.
 * Every key present must match (AND); values of one key are alternatives
 * (OR). `container`, `network`, `daemon`, `volume`, `plugin`, `node`,
 * `service`, `secret`, `config` match the actor's ID or name by prefix,
 * exactly as Docker does, so they also exclude events of other types.
 */
import type { EngineEvent, Filters } from '@shoal/common';
import { eventsErrors } from './events-errors.js';

/** The filter keys Docker accepts on /events (`action` is our alias of `event`). */
export const EVENT_FILTER_KEYS: readonly string[] = [
  'config', 'container', 'daemon', 'event', 'action', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume',
];

/** Throw EVENTS_INVALID_FILTER (400) for a key Docker does not know. */
export function validateEventFilters(filters: Filters): void {
  for (const key of Object.keys(filters)) {
    if (!EVENT_FILTER_KEYS.includes(key)) throw eventsErrors.make('INVALID_FILTER', `invalid filter '${key}'`);
  }
}

function values(filters: Filters, key: string): string[] | undefined {
  const v = filters[key];
  return v === undefined || v.length === 0 ? undefined : v;
}

function exact(filters: Filters, key: string, source: string | undefined): boolean {
  const v = values(filters, key);
  return v === undefined || (source !== undefined && v.includes(source));
}

function fuzzy(filters: Filters, key: string, source: string | undefined): boolean {
  const v = values(filters, key);
  return v === undefined || (source !== undefined && source !== '' && v.some((x) => source === x || source.startsWith(x)));
}

function fuzzyName(filters: Filters, key: string, ev: EngineEvent): boolean {
  return fuzzy(filters, key, ev.Actor.ID) || fuzzy(filters, key, ev.Actor.Attributes.name);
}

/** `busybox:latest` -> `busybox`; `host:5000/a:v1` -> `host:5000/a`; digests are kept. */
export function stripTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

function matchEventName(filters: Filters, action: string): boolean {
  const v = [...(values(filters, 'event') ?? []), ...(values(filters, 'action') ?? [])];
  if (v.length === 0) return true;
  // Docker: health_status, exec_create and exec_start carry ": detail" and match by prefix.
  const prefixKeys = ['health_status', 'exec_create', 'exec_start'];
  if (v.some((x) => prefixKeys.includes(x))) return v.some((x) => action === x || action.startsWith(x));
  return v.includes(action);
}

function matchImage(filters: Filters, ev: EngineEvent): boolean {
  if (values(filters, 'image') === undefined) return true;
  const name = ev.Actor.Attributes[ev.Type === 'image' ? 'name' : 'image'];
  return exact(filters, 'image', ev.Actor.ID) || exact(filters, 'image', name)
    || exact(filters, 'image', stripTag(ev.Actor.ID)) || (name !== undefined && exact(filters, 'image', stripTag(name)));
}

function matchLabels(filters: Filters, attrs: Record<string, string>): boolean {
  const v = values(filters, 'label');
  if (v === undefined) return true;
  return v.every((kv) => {
    const eq = kv.indexOf('=');
    if (eq < 0) return kv in attrs;
    return attrs[kv.slice(0, eq)] === kv.slice(eq + 1);
  });
}

/** True when `ev` passes all of `filters`. */
export function eventMatches(filters: Filters, ev: EngineEvent): boolean {
  return matchEventName(filters, ev.Action)
    && exact(filters, 'type', ev.Type)
    && exact(filters, 'scope', ev.scope)
    && fuzzyName(filters, 'daemon', ev)
    && fuzzyName(filters, 'container', ev)
    && fuzzyName(filters, 'plugin', ev)
    && fuzzyName(filters, 'volume', ev)
    && fuzzyName(filters, 'network', ev)
    && matchImage(filters, ev)
    && fuzzyName(filters, 'node', ev)
    && fuzzyName(filters, 'service', ev)
    && fuzzyName(filters, 'secret', ev)
    && fuzzyName(filters, 'config', ev)
    && matchLabels(filters, ev.Actor.Attributes);
}
