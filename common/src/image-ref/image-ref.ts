/**
 * Image references parsed the way Docker's distribution/reference does:
 * `[registry[:port]/][namespace/]name[:tag][@algorithm:hex]`, normalised to
 * `docker.io/library/name` for official images, displayed in the familiar
 * form (`busybox:latest`). Pure: no I/O.
 */
import { imageRefErrors } from './image-ref-errors.js';

/** The registry implied when a reference names none. */
export const DEFAULT_DOMAIN = 'docker.io';
/** The tag implied when a reference has neither tag nor digest. */
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;

const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const tagRe = new RegExp(`^${tagPat}$`);
const digestRe = new RegExp(`^${digestPat}$`);
const anchoredIdRe = /^[a-f0-9]{64}$/;
const shortIdRe = /^[a-f0-9]{1,64}$/;

/** Hex lengths of the digest algorithms Docker accepts. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** A parsed, normalised image reference. */
export interface ImageRef {
  /** Registry host[:port], `docker.io` when none was given. */
  readonly domain: string;
  /** Repository path inside the registry, `library/busybox` for official images. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

function invalid(reason?: string): never {
  const msg = reason === undefined ? 'invalid reference format' : `invalid reference format: ${reason}`;
  throw imageRefErrors.make('INVALID', msg);
}

/** Check a digest `algorithm:hex` (throws COMMON_REFERENCE_INVALID). */
export function validateDigest(digest: string): void {
  if (!digestRe.test(digest)) invalid('invalid digest format');
  const i = digest.indexOf(':');
  const algo = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  const want = DIGEST_HEX_LENGTH[algo];
  if (want === undefined) invalid(`unsupported digest algorithm ${algo}`);
  if (hex.length !== want) invalid('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) invalid('invalid checksum digest format');
}

/** Check a tag (throws COMMON_REFERENCE_INVALID "invalid tag format"). */
export function validateTag(tag: string): void {
  if (!tagRe.test(tag)) invalid('invalid tag format');
}

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  let domain: string;
  let path: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

/**
 * Parse a reference as given by a user (Docker's ParseNormalizedNamed): no
 * default tag is added. Throws COMMON_REFERENCE_INVALID (400) with Docker's
 * message ("invalid reference format: repository name must be lowercase").
 */
export function parseImageRef(input: string): ImageRef {
  if (anchoredIdRe.test(input)) {
    throw imageRefErrors.make('INVALID', `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  if (input === '') invalid('repository name must have at least one component');
  const m = referenceRe.exec(input);
  if (m === null) {
    if (referenceRe.test(input.toLowerCase())) invalid('repository name must be lowercase');
    invalid();
  }
  const name = m[1] ?? '';
  const tag = m[2];
  const digest = m[3];
  const { domain, path } = splitDomain(name);
  if (path.toLowerCase() !== path) invalid('repository name must be lowercase');
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (digest !== undefined) validateDigest(digest);
  return { domain, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** Parse and add the `latest` tag when there is neither tag nor digest (Docker's TagNameOnly). */
export function normalizeImageRef(input: string): ImageRef {
  return withDefaultTag(parseImageRef(input));
}

/** `ref` with tag `latest` when it has neither tag nor digest. */
export function withDefaultTag(ref: ImageRef): ImageRef {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** `ref` with `tag` (validated), digest dropped. */
export function withTag(ref: ImageRef, tag: string): ImageRef {
  validateTag(tag);
  return { domain: ref.domain, path: ref.path, tag };
}

/** Full repository name: `docker.io/library/busybox`. */
export function repositoryName(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}`;
}

/** Familiar repository name: `busybox`, `user/app`, `localhost:5000/app`. */
export function familiarName(ref: ImageRef): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX) && ref.path.indexOf('/', OFFICIAL_REPO_PREFIX.length) === -1) {
    return ref.path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return ref.path;
}

function suffix(ref: ImageRef): string {
  return `${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** Full form: `docker.io/library/busybox:latest`. */
export function formatImageRef(ref: ImageRef): string {
  return repositoryName(ref) + suffix(ref);
}

/** Familiar form for display: `busybox:latest`. */
export function familiarString(ref: ImageRef): string {
  return familiarName(ref) + suffix(ref);
}

/**
 * Docker's FamiliarMatch: does the glob `pattern` (path.Match syntax) match
 * the familiar string of `ref`, or its familiar name when the pattern has no
 * tag or digest?
 */
export function familiarMatch(pattern: string, ref: ImageRef): boolean {
  if (globMatch(pattern, familiarString(ref))) return true;
  return globMatch(pattern, familiarName(ref));
}

/** True for a full 64-hex image id, with or without `sha256:`. */
export function isFullImageId(s: string): boolean {
  return anchoredIdRe.test(s.startsWith('sha256:') ? s.slice(7) : s);
}

/**
 * True when `s` could be an image id prefix: hex, 1..64 characters, with or
 * without `sha256:`. Docker looks a reference up as a tag first, then as an
 * id prefix.
 */
export function isImageIdPrefix(s: string): boolean {
  return shortIdRe.test(s.startsWith('sha256:') ? s.slice(7) : s);
}

/**
 * Go's path.Match: `*` any run of non-`/` characters, `?` one non-`/`
 * character, `[...]` a class (`^` negates, ranges `a-z`), `\\` escapes.
 * A malformed pattern matches nothing.
 */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return false;
      re += escapeRe(pattern[i] as string);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) return false;
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      if (body === '') return false;
      re += `[${neg ? '^/' : ''}${body.replace(/[\]\\^]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  re += '$';
  try {
    return new RegExp(re).test(name);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
