import { cliErrors } from '../cli-errors.js';

/**
 * `KEY=VALUE` pairs into a map (later wins). A bare `KEY` maps to `''`
 * unless `requireValue`, then it is an error naming `flag`.
 */
export function parseKeyValues(items: readonly string[], flag: string, requireValue = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === -1) {
      if (requireValue) throw cliErrors.make('INVALID_FLAG', `invalid argument "${item}" for "${flag}" flag: expected KEY=VALUE`);
      if (item === '') throw cliErrors.make('INVALID_FLAG', `invalid argument "" for "${flag}" flag: empty key`);
      out[item] = '';
      continue;
    }
    const key = item.slice(0, eq);
    if (key === '') throw cliErrors.make('INVALID_FLAG', `invalid argument "${item}" for "${flag}" flag: empty key`);
    out[key] = item.slice(eq + 1);
  }
  return out;
}

/**
 * Docker's `-f/--filter key=value` list, repeated keys accumulate. Encoded
 * for the query string as the docker CLI sends it: `{"key":{"value":true}}`.
 */
export function parseFilterFlags(items: readonly string[]): Record<string, Record<string, true>> {
  const out: Record<string, Record<string, true>> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw cliErrors.make('INVALID_FLAG', `bad format of filter (expected name=value): ${item}`);
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    (out[key] ??= {})[value] = true;
  }
  return out;
}
