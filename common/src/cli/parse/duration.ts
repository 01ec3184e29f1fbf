import { cliErrors } from '../cli-errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/**
 * Parse a Go duration (`10m`, `1h30m`, `1.5s`, `300ms`, `-2h`, `0`) into
 * milliseconds (fractional for sub-millisecond units). Throws
 * CLI_INVALID_FLAG with Go's wording.
 */
export function parseGoDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw cliErrors.make('INVALID_FLAG', `time: invalid duration "${input}"`);
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (m === null) {
      if (/^(\d+(?:\.\d*)?|\.\d+)$/.test(s)) throw cliErrors.make('INVALID_FLAG', `time: missing unit in duration "${input}"`);
      throw cliErrors.make('INVALID_FLAG', `time: invalid duration "${input}"`);
    }
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Go's Duration.String() of a whole number of milliseconds or more, e.g. `1h30m0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = rest / 1000;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${Number(sec.toFixed(9))}s`;
  return (neg ? '-' : '') + out;
}
