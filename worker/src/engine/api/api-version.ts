/** The API version range served (Docker Engine API). */
export const MAX_API_VERSION = '1.44';
/** The oldest API version accepted, as Docker 25. */
export const MIN_API_VERSION = '1.24';

/** What the version prefix of a request path said. */
export interface ApiVersionPrefix {
  /** The version given in the path (`/v1.41/...`), or MAX_API_VERSION when unversioned. */
  version: string;
  /** The path without the version prefix. */
  path: string;
  /** Set when the version is outside [MIN, MAX]. */
  outOfRange?: 'too-new' | 'too-old';
}

const PREFIX = /^\/v(\d+)\.(\d+)(?=\/|$|\?)/;

/** Compare two "major.minor" versions numerically: <0, 0, >0. */
export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/**
 * Split `/v1.41/containers/json?all=1` into the version and the path
 * (`/containers/json?all=1`). Unversioned paths get the maximum version, as
 * Docker serves them with its current version.
 */
export function splitApiVersion(url: string): ApiVersionPrefix {
  const m = PREFIX.exec(url);
  if (m === null) return { version: MAX_API_VERSION, path: url };
  const version = `${Number(m[1])}.${Number(m[2])}`;
  const rest = url.slice(m[0].length);
  const path = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
  if (compareApiVersions(version, MAX_API_VERSION) > 0) return { version, path, outOfRange: 'too-new' };
  if (compareApiVersions(version, MIN_API_VERSION) < 0) return { version, path, outOfRange: 'too-old' };
  return { version, path };
}
