import { commonErrors } from '../errors/common-errors.js';
import { parseGoDuration } from '../go-duration/index.js';

/** A point in time as Docker's GetTimestamp reads one, and which form it was given in. */
export interface DockerTimestamp {
  /** `duration`: a Go duration before now; `unix`: seconds[.fraction]; `date`: an RFC 3339 date or date-time. */
  readonly kind: 'duration' | 'unix' | 'date';
  /** Unix seconds (whole). */
  readonly seconds: number;
  /** Nanoseconds past `seconds`, 0..999999999. */
  readonly nanos: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

/**
 * The one parser of `since`/`until` values (the CLI's flags, the API's
 * `until` filters, /events), as Docker's GetTimestamp: a Go duration is that
 * long before `nowMs`; an RFC 3339 date or date-time (zone optional, then
 * `localOffsetMin` minutes east of UTC: the CLI's zone, 0 in the daemon);
 * unix seconds with up to 9 fraction digits. Pure: time and zone are
 * inputs. Throws COMMON_INVALID_ARGUMENT with Docker's wording.
 */
export function parseDockerTimestamp(value: string, nowMs: number, localOffsetMin = 0): DockerTimestamp {
  if (value !== '0' && /^[-+]?(\d|\.\d)/.test(value) && /[a-zµμ]$/.test(value)) {
    let ns: number | undefined;
    try {
      ns = parseGoDuration(value);
    } catch {
      ns = undefined;
    }
    if (ns !== undefined) {
      const ms = nowMs - ns / 1e6;
      const seconds = Math.floor(ms / 1000);
      return { kind: 'duration', seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
    }
  }
  const m = DATE.exec(value);
  if (m !== null) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const utcMs = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se));
    let offsetMin = localOffsetMin;
    if (zone !== undefined) {
      if (zone === 'Z' || zone === 'z') offsetMin = 0;
      else offsetMin = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    }
    return { kind: 'date', seconds: Math.floor(utcMs / 1000) - offsetMin * 60, nanos: frac === '' ? 0 : Number(frac.slice(1).padEnd(9, '0')) };
  }
  if (value.includes('-')) throw commonErrors.make('INVALID_ARGUMENT', `parsing time "${value}": not an RFC 3339 date-time`);
  const u = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (u !== null) return { kind: 'unix', seconds: Number(u[1]), nanos: u[2] === undefined ? 0 : Number(u[2].padEnd(9, '0')) };
  throw commonErrors.make('INVALID_ARGUMENT', `failed to parse value as time or duration: "${value}"`);
}

/** A {@link DockerTimestamp} as unix milliseconds. */
export function timestampMs(t: DockerTimestamp): number {
  return t.seconds * 1000 + t.nanos / 1e6;
}
