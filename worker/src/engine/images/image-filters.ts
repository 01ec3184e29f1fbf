/**
 * Filters of GET /images/json and POST /images/prune: validation, the
 * `dangling` boolean, `label`/`label!` matching and Docker's timestamps for
 * `until`. Pure: the current time comes in as an argument.
 */
import type { Filters } from '@shoal/common';
import { imageErrors } from './image-errors.js';
import { parseGoDuration } from '@shoal/common';

/** Throw ENGINE_IMAGE_INVALID_FILTER for a key not in `allowed`. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const k of Object.keys(filters)) {
    if (!allowed.includes(k)) throw imageErrors.make('INVALID_FILTER', `invalid filter '${k}'`);
  }
}

/** `dangling=true|false|1|0`, or undefined when absent. */
export function boolFilter(filters: Filters, key: string): boolean | undefined {
  const vals = filters[key];
  if (vals === undefined || vals.length === 0) return undefined;
  let out: boolean | undefined;
  for (const v of vals) {
    const b = /^(true|1)$/i.test(v) ? true : /^(false|0)$/i.test(v) ? false : undefined;
    if (b === undefined) throw imageErrors.make('INVALID_FILTER', `invalid filter '${key}=${v}'`);
    if (out !== undefined && out !== b) throw imageErrors.make('INVALID_FILTER', `invalid filter '${key}': conflicting values`);
    out = b;
  }
  return out;
}

/** Every `k` / `k=v` in `wanted` holds for `labels` (Docker's MatchKVList). */
export function labelsMatch(wanted: readonly string[] | undefined, labels: Record<string, string> | undefined | null): boolean {
  if (wanted === undefined) return true;
  const l = labels ?? {};
  return wanted.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return Object.hasOwn(l, w);
    const k = w.slice(0, i);
    return Object.hasOwn(l, k) && l[k] === w.slice(i + 1);
  });
}

/**
 * Docker's GetTimestamp: a Go duration (`10m`, `1h30m`) before `nowMs`, unix
 * seconds with an optional fraction, or an RFC 3339 / date-time string
 * (without a zone it is UTC, as the daemon's zone here). Returns unix ms.
 */
export function parseTimestamp(value: string, nowMs: number): number {
  if (/^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)/.test(value) && !/^\d+(\.\d+)?$/.test(value)) {
    return nowMs - parseGoDuration(value) / 1e6;
  }
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) || !/T|\d:\d/.test(value) ? value : `${value}Z`;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(withZone) ? `${withZone}T00:00:00Z` : withZone;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw imageErrors.make('INVALID_FILTER', `failed to parse value as time or duration: "${value}"`);
  return ms;
}
