import type { Filters } from '@shoal/common';
import { apiErrors } from './api-errors.js';

/**
 * Decode Docker's `filters` query parameter. Accepts the current form
 * `{"status":["running"]}` and the legacy map form the docker CLI still
 * sends, `{"status":{"running":true}}`. Empty or absent gives `{}`.
 * Throws API_BAD_FILTERS (400) on anything else.
 */
export function parseFilters(raw: string | undefined): Filters {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw apiErrors.make('BAD_FILTERS', `invalid filters parameter: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw apiErrors.make('BAD_FILTERS', 'invalid filters parameter: expected a JSON object like {"status":["running"]}');
  }
  // fromEntries defines own properties: a key like "__proto__" stays a key, not a prototype.
  return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([key, value]) => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [key, [...(value as string[])]];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'boolean')) {
      return [key, Object.entries(value as Record<string, boolean>).filter(([, on]) => on).map(([k]) => k)];
    }
    throw apiErrors.make('BAD_FILTERS', `invalid filters parameter: the value of "${key}" must be a list of strings`);
  })) as Filters;
}
