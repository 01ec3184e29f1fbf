export { FileWal, DEFAULT_SEGMENT_BYTES } from './file-wal.js';
export type { FileWalOptions, WalState } from './file-wal.js';
export { RaftStorageError, isRaftStorageError, raftStorageErrors } from './errors.js';
export type { StorageErrorCode, StorageErrorName } from './errors.js';
export { ByteReader, ByteWriter, ByteCodecError } from './byte-codec.js';
export { readSnapshotFile, writeSnapshotFile, snapshotFileName } from './snapshot-file.js';
export { entryTypeFromByte, entryTypeToByte } from './wal-codec.js';
export type { WalKeyring } from './wal-crypto.js';
