import { cliErrors } from '../cli-errors.js';
import { parseGoDuration } from '../../go-duration/index.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

/**
 * Turn a `--since`/`--until` value into what the Engine API takes, as the
 * docker CLI does: a Go duration is relative to `nowMs` (`10m` -> unix
 * seconds ten minutes ago), an RFC 3339 date or date-time (zone optional,
 * then local with `localOffsetMin` minutes east of UTC) becomes
 * `seconds.nanoseconds`, a unix timestamp (`1700000000` or
 * `1700000000.5`) passes through. Pure: time and zone are inputs.
 */
export function parseTimestamp(value: string, nowMs: number, localOffsetMin = 0): string {
  if (value !== '0') {
    let d: number | undefined;
    try {
      d = parseGoDuration(value) / 1e6;
    } catch {
      d = undefined;
    }
    if (d !== undefined) return String(Math.floor((nowMs - d) / 1000));
  }
  const m = DATE.exec(value);
  if (m !== null) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se));
    let offsetMin = localOffsetMin;
    if (zone !== undefined) {
      if (zone === 'Z' || zone === 'z') offsetMin = 0;
      else offsetMin = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    }
    const secs = Math.floor(ms / 1000) - offsetMin * 60;
    const nanos = frac === '' ? '000000000' : frac.slice(1).padEnd(9, '0');
    return `${secs}.${nanos}`;
  }
  if (value.includes('-')) throw cliErrors.make('INVALID_FLAG', `parsing time "${value}": not an RFC 3339 date-time`);
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  throw cliErrors.make('INVALID_FLAG', `failed to parse value as time or duration: "${value}"`);
}
