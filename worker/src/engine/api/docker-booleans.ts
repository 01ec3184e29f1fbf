/**
 * Docker's query booleans: `1`/`true`/`yes` are true, `0`/`false`/`no`/`none`
 * and the empty string are false (case-insensitive). Anything else is left as
 * is so that schema validation answers 400 naming the parameter.
 */
export function toDockerBoolean(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const s = raw.trim().toLowerCase();
  if (s === '1' || s === 'true' || s === 'yes') return true;
  if (s === '' || s === '0' || s === 'false' || s === 'no' || s === 'none') return false;
  return raw;
}

/** The names of the boolean properties of a JSON schema for a querystring. */
export function booleanKeys(schema: unknown): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (props === undefined) return [];
  return Object.entries(props).filter(([, p]) => p.type === 'boolean').map(([k]) => k);
}

/** Rewrite the boolean-typed keys of `query` in place with {@link toDockerBoolean}. */
export function normalizeDockerBooleans(query: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of keys) {
    if (k in query) query[k] = toDockerBoolean(query[k]);
  }
}
