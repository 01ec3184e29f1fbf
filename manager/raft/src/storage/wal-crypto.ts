/**
 * Encryption at rest of WAL entries and snapshot data (the swarm's autolock
 * and its secrets): AES-256-GCM with keys the embedder supplies and rotates.
 *
 * A sealed value is `nonce (12) | ciphertext | tag (16)`, with a random nonce
 * per value (a torn tail can make the WAL rewrite the same offsets, so
 * nonces must not be derived from positions). Each segment's meta record
 * names its key and carries a key check (the seal of nothing under a fixed
 * context), so that a wrong key is refused at open with RAFT_KEY_WRONG before
 * any record is read, never reported as corruption.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RaftStorageError } from './errors.js';

/** Keys by id; `current` seals whatever is written from now on. */
export interface WalKeyring {
  /** Id of the key new segments and snapshot files are sealed with. */
  readonly current: string;
  /** Every key the WAL may need to read (the current one included); 32 bytes each. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** A key ready to seal with. */
export interface SealingKey {
  readonly keyId: string;
  readonly key: Uint8Array;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const CHECK_CONTEXT = Buffer.from('raft-ts key check\0', 'latin1');

/** Bytes a sealed value adds to its plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** Checks a keyring's shape; throws RAFT_KEY_INVALID. Returns the current key. */
export function currentKey(keyring: WalKeyring): SealingKey {
  if (keyring.current === '') throw new RaftStorageError('KEY_INVALID', 'the keyring has no current key id');
  for (const [id, key] of keyring.keys) {
    if (id === '') throw new RaftStorageError('KEY_INVALID', 'a key id is empty');
    if (key.length !== KEY_BYTES) throw new RaftStorageError('KEY_INVALID', `key '${id}' has ${key.length} bytes, want ${KEY_BYTES}`, { keyId: id });
  }
  const key = keyring.keys.get(keyring.current);
  if (key === undefined) throw new RaftStorageError('KEY_INVALID', `the current key '${keyring.current}' is not in the keyring`, { keyId: keyring.current });
  return { keyId: keyring.current, key };
}

/** Seals `plain` bound to `aad`. */
export function seal(key: Uint8Array, plain: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = c.update(plain);
  c.final();
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

/** Opens a sealed value; undefined when the key or the bytes are not the ones it was sealed with. */
export function unseal(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < SEAL_OVERHEAD) return undefined;
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    const body = d.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    d.final();
    return body;
  } catch {
    return undefined;
  }
}

/** The key check a segment's meta record carries for `k`. */
export function keyCheck(k: SealingKey): Uint8Array {
  return seal(k.key, new Uint8Array(0), Buffer.concat([CHECK_CONTEXT, Buffer.from(k.keyId)]));
}

/**
 * The key named `keyId` from `keyring`, verified against `check` when given.
 * Throws RAFT_KEY_MISSING (no keyring or no such id) or RAFT_KEY_WRONG.
 */
export function keyFor(keyring: WalKeyring | undefined, keyId: string, file: string, check?: Uint8Array): Uint8Array {
  const key = keyring?.keys.get(keyId);
  if (key === undefined) {
    throw new RaftStorageError('KEY_MISSING', `${file} is encrypted with key '${keyId}', which was not supplied`, { file, keyId });
  }
  if (check !== undefined && unseal(key, check, Buffer.concat([CHECK_CONTEXT, Buffer.from(keyId)])) === undefined) {
    throw new RaftStorageError('KEY_WRONG', `the key supplied as '${keyId}' is not the one ${file} is encrypted with`, { file, keyId });
  }
  return key;
}
