/**
 * Node ids and join tokens in Docker's shapes. Pure: randomness and hashing
 * come in as parameters.
 *
 * - A node id is 128 random bits in base 36, 25 characters (as swarmkit's
 *   identity.NewID).
 * - A join token is `SWMTKN-1-<digest>-<secret>`: the SHA-256 of the root CA
 *   certificate (PEM) in base 36 (50 characters), and 128 random bits in
 *   base 36 (25 characters). A joining node trusts only a manager whose root
 *   CA has that digest; the secret says the role (worker or manager token).
 */
import { caErrors } from './errors.js';
import { fromBase36, toBase36 } from './base36.js';

/** A new node id: 25 base-36 characters from 16 random bytes. */
export function newNodeId(random16: Uint8Array): string {
  if (random16.length !== 16) throw new Error('a node id takes 16 random bytes');
  return toBase36(random16, 25);
}

/** True when `s` has the shape of a node id. */
export function isNodeId(s: string): boolean {
  return /^[0-9a-z]{25}$/.test(s);
}

/** A parsed join token. */
export interface JoinToken {
  /** The root CA digest, SHA-256 as 32 bytes. */
  caDigest: Uint8Array;
  /** The 25-character secret part. */
  secret: string;
}

/** The token for a root CA digest (32 bytes) and 16 random bytes. */
export function makeJoinToken(caDigest: Uint8Array, random16: Uint8Array): string {
  if (caDigest.length !== 32 || random16.length !== 16) throw new Error('a join token takes a 32-byte digest and 16 random bytes');
  return `SWMTKN-1-${toBase36(caDigest, 50)}-${toBase36(random16, 25)}`;
}

/** Parse a join token; throws CA_INVALID_TOKEN with Docker's "invalid join token" sentence. */
export function parseJoinToken(token: string): JoinToken {
  const parts = token.trim().split('-');
  const [prefix, version, digest, secret] = parts;
  const bytes = parts.length === 4 && prefix === 'SWMTKN' && version === '1' && digest?.length === 50 && secret?.length === 25 && /^[0-9a-z]{25}$/.test(secret)
    ? fromBase36(digest, 32) : undefined;
  if (bytes === undefined || secret === undefined) throw caErrors.make('INVALID_TOKEN', 'invalid join token');
  return { caDigest: bytes, secret };
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The check a joining node makes before it trusts a manager: the SHA-256
 * of the root CA the manager presents (`remoteDigest`) must be the token's.
 * Throws CA_FINGERPRINT_MISMATCH with swarmkit's sentence.
 */
export function checkRemoteCA(token: JoinToken, remoteDigest: Uint8Array): void {
  if (hex(token.caDigest) !== hex(remoteDigest)) {
    throw caErrors.make('FINGERPRINT_MISMATCH', `remote CA does not match fingerprint. Expected: ${hex(token.caDigest)}`);
  }
}
