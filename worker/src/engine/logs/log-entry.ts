/**
 * One line of Docker's json-file log and its time, as exact nanoseconds
 * (JS Dates only have milliseconds; since/until and `--timestamps` need
 * more). Pure: no I/O.
 */

/** A parsed json-file entry. */
export interface LogEntry {
  /** The text, as written (partial lines have no trailing newline). */
  log: string;
  stream: 'stdout' | 'stderr';
  /** Unix time in nanoseconds. */
  timeNs: bigint;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parse an RFC3339 time with up to 9 fraction digits into unix nanoseconds; undefined if malformed. */
export function parseRfc3339Nano(s: string): bigint | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0') || '0');
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const offMin = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * offMin * 60n * 1_000_000_000n;
  }
  return ns;
}

/** Docker's `--timestamps` format: RFC3339 UTC with exactly 9 fraction digits. */
export function formatTimestamp(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

/**
 * Unix seconds (fractional allowed, as the API's since/until) to
 * nanoseconds. A decimal string is exact; a number is as exact as a double
 * (about a microsecond today). Throws RangeError on a malformed string.
 */
export function secondsToNs(s: number | string): bigint {
  if (typeof s === 'string') {
    const m = /^(-?\d+)(?:\.(\d{1,9})\d*)?$/.exec(s.trim());
    if (m === null || m[1] === undefined) throw new RangeError(`not unix seconds: ${s}`);
    const frac = BigInt((m[2] ?? '').padEnd(9, '0'));
    const whole = BigInt(m[1]);
    return whole * 1_000_000_000n + (m[1].startsWith('-') ? -frac : frac);
  }
  const whole = Math.floor(s);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((s - whole) * 1e9));
}

/** Parse one line of a json-file log; undefined for a corrupt or foreign line. */
export function parseLogLine(line: string): LogEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as { log?: unknown; stream?: unknown; time?: unknown };
  if (typeof o.log !== 'string' || typeof o.time !== 'string') return undefined;
  const stream = o.stream === 'stderr' ? 'stderr' : 'stdout';
  const timeNs = parseRfc3339Nano(o.time);
  if (timeNs === undefined) return undefined;
  return { log: o.log, stream, timeNs };
}
