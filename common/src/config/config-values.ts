/**
 * Parsing and checking of single settings, shared by the flag and the file
 * readers. Every function throws COMMON_CONFIG_INVALID naming the setting.
 */
import type { Ulimit } from '../docker-api/index.js';
import { commonErrors } from '../errors/index.js';
import type { AddressPool, DaemonLogLevel } from './daemon-config.js';

/** An invalid setting: message names it. */
export function invalid(key: string, why: string): Error {
  return commonErrors.make('CONFIG_INVALID', `invalid ${key}: ${why}`, { details: { key } });
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Docker's RAM sizes: `10m`, `1g`, `512k`, `100` (bytes). */
export function parseSize(key: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  const unit = m === null ? undefined : UNITS[(m[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined) throw invalid(key, `"${raw}" is not a size (e.g. 10m, 1g)`);
  return Math.floor(Number(m[1]) * unit);
}

/** Docker's flag booleans: true/false/1/0 (case-insensitive). */
export function parseBool(key: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
  }
  throw invalid(key, `${JSON.stringify(raw)} is not a boolean (true or false)`);
}

const LEVELS: readonly DaemonLogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal'];

export function parseLogLevel(key: string, raw: unknown): DaemonLogLevel {
  if (typeof raw === 'string' && (LEVELS as readonly string[]).includes(raw)) return raw as DaemonLogLevel;
  throw invalid(key, `${JSON.stringify(raw)} is not one of ${LEVELS.join(', ')}`);
}

/** `nofile=1024:2048` or `nproc=512` (soft = hard). */
export function parseUlimitFlag(key: string, raw: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(raw.trim());
  if (m === null) throw invalid(key, `"${raw}" is not NAME=SOFT[:HARD]`);
  const soft = Number(m[2]);
  const hard = m[3] === undefined ? soft : Number(m[3]);
  if (hard !== -1 && soft > hard) throw invalid(key, `soft limit ${soft} is above hard limit ${hard} in "${raw}"`);
  return { Name: m[1] ?? '', Soft: soft, Hard: hard };
}

/** `base=10.10.0.0/16,size=24` */
export function parsePoolFlag(key: string, raw: string): AddressPool {
  const fields = Object.fromEntries(raw.split(',').map((kv) => {
    const eq = kv.indexOf('=');
    return eq < 0 ? [kv.trim(), ''] : [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
  }));
  return checkPool(key, { base: fields.base, size: fields.size === undefined ? undefined : Number(fields.size) });
}

export function checkPool(key: string, raw: unknown): AddressPool {
  const p = raw as { base?: unknown; size?: unknown };
  if (raw === null || typeof raw !== 'object' || typeof p.base !== 'string' || typeof p.size !== 'number') {
    throw invalid(key, 'each pool needs base (a CIDR) and size (a prefix length)');
  }
  const prefix = checkCidr(key, p.base);
  if (!Number.isInteger(p.size) || p.size < prefix || p.size > 32) {
    throw invalid(key, `size ${String(p.size)} must be a prefix length between ${prefix} and 32`);
  }
  return { base: p.base, size: p.size };
}

/** Check `a.b.c.d/n` and return n. */
export function checkCidr(key: string, raw: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(raw);
  if (m === null || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw invalid(key, `"${raw}" is not an IPv4 CIDR like 172.29.0.1/16`);
  }
  return Number(m[5]);
}

/** A listen address: unix:///abs/path, fd:// is not supported, tcp://host:port. */
export function checkHost(key: string, raw: string): string {
  if (raw.startsWith('unix://')) {
    const path = raw.slice('unix://'.length);
    if (!path.startsWith('/')) throw invalid(key, `"${raw}" needs an absolute socket path (unix:///run/shoal/shoal.sock)`);
    return raw;
  }
  if (raw.startsWith('tcp://')) {
    const m = /^tcp:\/\/([^:/]*|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(raw);
    if (m === null || Number(m[2]) > 65535) throw invalid(key, `"${raw}" is not tcp://HOST:PORT`);
    return raw;
  }
  throw invalid(key, `"${raw}" is not a unix:// or tcp:// address`);
}

/** A non-empty string. */
export function checkString(key: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw invalid(key, 'expected a non-empty string');
  return raw;
}

/** A list of strings. */
export function checkStringList(key: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string')) throw invalid(key, 'expected a list of strings');
  return [...raw as string[]];
}
