/**
 * Typed errors of the storage layer (WAL and snapshot files). The core's
 * RaftError registry is closed over its own codes, so storage keeps its own
 * small registry shaped the same way (code, status, retryable, details):
 * callers branch on `code`, never on the message.
 */

const defs = {
  WAL_CORRUPT: { status: 500, retryable: false, doc: 'A WAL record in the middle of the log fails its checksum or framing; details name the file and byte offset. Restore the node from a peer (remove and re-add it).' },
  WAL_GAP: { status: 500, retryable: false, doc: 'A WAL segment is missing (sequence or index gap); details name the files around the gap.' },
  WAL_INVALID_APPEND: { status: 500, retryable: false, doc: 'save() was given entries that do not follow the stored log (a bug in the caller).' },
  WAL_CLOSED: { status: 500, retryable: false, doc: 'The WAL was used after close().' },
  SNAPSHOT_CORRUPT: { status: 500, retryable: false, doc: 'A snapshot file fails its checksum or header check; details name the file.' },
  CODEC_INVALID: { status: 400, retryable: false, doc: 'A binary record or message frame is truncated or malformed (raised as ByteCodecError by the codec; wrapped as RAFT_WAL_CORRUPT / RAFT_SNAPSHOT_CORRUPT when read from disk).' },
  SNAPSHOT_MISSING: { status: 500, retryable: false, doc: 'The WAL references a snapshot file that does not exist; details name it.' },
  KEY_MISSING: { status: 500, retryable: false, doc: 'A WAL segment or snapshot file is encrypted with a key id that was not supplied; details name the file and key id.' },
  KEY_WRONG: { status: 500, retryable: false, doc: 'The key supplied under a key id does not decrypt the WAL segment or snapshot file sealed with that id (a wrong key, not corruption); details name the file and key id.' },
  KEY_INVALID: { status: 400, retryable: false, doc: 'A keyring is malformed: an empty id, a key that is not 32 bytes, or a current id with no key.' },
} as const;

/** Short names of storage errors. */
export type StorageErrorName = keyof typeof defs;

/** Full codes, e.g. `RAFT_WAL_CORRUPT`. */
export type StorageErrorCode = `RAFT_${StorageErrorName}`;

/** The error class of the storage layer. */
export class RaftStorageError extends Error {
  readonly code: StorageErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(name: StorageErrorName, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RaftStorageError';
    this.code = `RAFT_${name}`;
    this.status = defs[name].status;
    this.retryable = defs[name].retryable;
    this.details = details;
  }
}

/** The registry (for docs/errors.md). */
export const raftStorageErrors = {
  prefix: 'RAFT',
  defs: defs as Readonly<Record<StorageErrorName, { status: number; retryable: boolean; doc: string }>>,
};

/** True when `err` is a RaftStorageError (optionally with the given code). */
export function isRaftStorageError(err: unknown, code?: StorageErrorCode): err is RaftStorageError {
  return err instanceof RaftStorageError && (code === undefined || err.code === code);
}
