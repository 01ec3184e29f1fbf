import { cliErrors } from '../cli-errors.js';

/** Looks a variable up in the caller's environment (undefined when unset). */
export type EnvLookup = (name: string) => string | undefined;

/**
 * Parse an `--env-file` the way the docker CLI does: one `KEY=VALUE` per
 * line, value taken verbatim (no quote processing); lines starting with
 * `#` and blank lines are skipped; leading whitespace is trimmed; a bare
 * `KEY` takes the caller's value when set and stays `KEY` otherwise; a key
 * with whitespace or an empty key is an error; a UTF-8 BOM is dropped.
 * `source` names the file in error messages.
 */
export function parseEnvFile(content: string, lookup: EnvLookup, source = 'env file'): string[] {
  const out: string[] = [];
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, idx) => {
    const line = rawLine.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = (eq === -1 ? line : line.slice(0, eq)).replace(/^\s+/, '');
    if (key === '') throw cliErrors.make('INVALID_FLAG', `no variable name on line '${line}' (${source}:${idx + 1})`);
    if (/\s/.test(key)) throw cliErrors.make('INVALID_FLAG', `variable '${key}' contains whitespaces (${source}:${idx + 1})`);
    if (eq !== -1) {
      out.push(`${key}=${line.slice(eq + 1)}`);
      return;
    }
    out.push(resolveEnvVar(key, lookup));
  });
  return out;
}

/** `-e KEY` without `=`: `KEY=<value>` when the caller has it, else `KEY` unchanged. */
export function resolveEnvVar(entry: string, lookup: EnvLookup): string {
  if (entry.includes('=')) {
    if (entry.startsWith('=')) throw cliErrors.make('INVALID_FLAG', `invalid environment variable: ${entry}`);
    return entry;
  }
  const v = lookup(entry);
  return v === undefined ? entry : `${entry}=${v}`;
}
