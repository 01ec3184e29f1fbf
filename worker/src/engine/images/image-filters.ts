/**
 * Filters of GET /images/json and POST /images/prune: validation, the
 * `dangling` boolean, `label`/`label!` matching and Docker's timestamps for
 * `until`. Pure: the current time comes in as an argument.
 */
import type { Filters } from '@shoal/common';
import { imageErrors } from './image-errors.js';
import { parseDockerTimestamp, timestampMs } from '@shoal/common';

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

/** An `until` filter value (Docker's GetTimestamp, daemon zone UTC) as unix ms; a bad one is INVALID_FILTER. */
export function parseTimestamp(value: string, nowMs: number): number {
  try {
    return timestampMs(parseDockerTimestamp(value, nowMs));
  } catch (e) {
    throw imageErrors.make('INVALID_FILTER', (e as Error).message, { cause: e });
  }
}
