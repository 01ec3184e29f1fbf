import { commonErrors } from '../errors/common-errors.js';

/** Nanoseconds per unit of Go's time.ParseDuration. */
const UNIT_NS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/**
 * Parse a Go duration as time.ParseDuration does (`10m`, `1h30m`, `1.5s`,
 * `300ms`, `-2h`, `0`) into whole nanoseconds (Go's unit; a fraction below
 * one nanosecond is dropped, as Go does). The one parser of the project:
 * the CLI's flags, Dockerfile/`--change` HEALTHCHECK options and the API's
 * `until` filters all use it. Throws COMMON_INVALID_ARGUMENT with Go's
 * wording ("time: invalid duration ...", "time: missing unit in duration ...").
 */
export function parseGoDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw commonErrors.make('INVALID_ARGUMENT', `time: invalid duration "${input}"`);
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (m === null) {
      if (/^(\d+(?:\.\d*)?|\.\d+)$/.test(s)) throw commonErrors.make('INVALID_ARGUMENT', `time: missing unit in duration "${input}"`);
      throw commonErrors.make('INVALID_ARGUMENT', `time: invalid duration "${input}"`);
    }
    total += Number(m[1]) * (UNIT_NS[m[2] ?? ''] ?? 0);
    s = s.slice(m[0].length);
  }
  return sign * Math.trunc(total);
}
