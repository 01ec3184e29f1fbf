import { formatG } from './go-value.js';

/**
 * A duration as the docker CLI words it (go-units HumanDuration): "Less
 * than a second", "3 seconds", "About a minute", "5 minutes", "About an
 * hour", "3 hours", "2 days", "3 weeks", "4 months", "2 years".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "3 minutes ago" from a unix time in seconds and now in milliseconds. */
export function humanAgo(unixSeconds: number, nowMs: number): string {
  return `${humanDuration(nowMs - unixSeconds * 1000)} ago`;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scale(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  let s = size;
  while (s >= base && i < units.length - 1) {
    s /= base;
    i++;
  }
  return [s, units[i] ?? ''];
}

/** Decimal size with `precision` significant digits, as docker prints image sizes: "4.26MB", "0B". */
export function humanSize(bytes: number, precision = 3): string {
  const [s, u] = scale(bytes, 1000, DECIMAL);
  return `${formatG(s, precision)}${u}`;
}

/** Binary size as docker stats prints memory: "1.5MiB", "1.944GiB". */
export function binarySize(bytes: number): string {
  const [s, u] = scale(bytes, 1024, BINARY);
  return `${formatG(s, 4)}${u}`;
}

/** Cut `s` to `max` characters, the last one an ellipsis, as docker's table columns. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 1) return chars.slice(0, max).join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** `sha256:abcdef...` -> `abcdef123456` (12 hex digits), as docker shows ids. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  return (i === -1 ? id : id.slice(i + 1)).slice(0, 12);
}
