/**
 * Snapshot files: `<dir>/<term:016x>-<index:016x>.snap`.
 *
 *   offset 0  8 bytes  magic "RAFTSNP2"
 *          8  u32      CRC32C of the body
 *         12  u64      body length
 *         20  body     meta (index, term, voters, learners, key id) then the
 *                      data, sealed (wal-crypto) with the meta as associated
 *                      data when the key id is not empty
 *
 * Written atomically (tmp, fsync, rename, fsync dir).
 */
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import type { Snapshot, SnapshotMeta } from '../core/types.js';
import { ByteCodecError, ByteReader, ByteWriter } from './byte-codec.js';
import { RaftStorageError } from './errors.js';
import { nodeWalFs, writeFileAtomic } from './wal-fs.js';
import type { WalFs } from './wal-fs.js';
import { keyFor, seal, unseal } from './wal-crypto.js';
import type { SealingKey, WalKeyring } from './wal-crypto.js';

const MAGIC = Buffer.from('RAFTSNP2', 'latin1');
const HEADER_BYTES = 20;

/** The file name of the snapshot with this index and term. */
export function snapshotFileName(index: number, term: number): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

/** Parses a snapshot file name; undefined when it is not one. */
export function parseSnapshotFileName(name: string): { index: number; term: number } | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/.exec(name);
  if (m === null) return undefined;
  return { term: Number.parseInt(m[1] ?? '', 16), index: Number.parseInt(m[2] ?? '', 16) };
}

function encodeMetaBody(meta: SnapshotMeta, keyId: string): Uint8Array {
  const w = new ByteWriter(64).u64(meta.index).u64(meta.term).u32(meta.confState.voters.length);
  for (const v of meta.confState.voters) w.str(v);
  w.u32(meta.confState.learners.length);
  for (const l of meta.confState.learners) w.str(l);
  w.str(keyId);
  return w.finish();
}

/** Writes `snap` into `dir` atomically, its data sealed with `key` when given; returns the file path. */
export async function writeSnapshotFile(dir: string, snap: Snapshot, key?: SealingKey, fs: WalFs = nodeWalFs): Promise<string> {
  const meta = encodeMetaBody(snap.meta, key?.keyId ?? '');
  const data = key === undefined ? snap.data : seal(key.key, snap.data, meta);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(crc32c(data, crc32c(meta)), 8);
  const len = meta.length + data.length;
  header.writeUInt32BE(Math.floor(len / 0x1_0000_0000), 12);
  header.writeUInt32BE(len >>> 0, 16);
  const path = join(dir, snapshotFileName(snap.meta.index, snap.meta.term));
  await writeFileAtomic(fs, path, [header, meta, data]);
  return path;
}

/**
 * Reads and verifies a snapshot file, opening sealed data with the key the
 * file names. Throws RAFT_SNAPSHOT_CORRUPT / RAFT_SNAPSHOT_MISSING, and
 * RAFT_KEY_MISSING / RAFT_KEY_WRONG for a sealed file.
 */
export async function readSnapshotFile(path: string, keyring?: WalKeyring, fs: WalFs = nodeWalFs): Promise<Snapshot> {
  return (await readSnapshotFileWithKeyId(path, keyring, fs)).snapshot;
}

/** As {@link readSnapshotFile}, also naming the key the file was sealed with ('' when none). */
export async function readSnapshotFileWithKeyId(path: string, keyring: WalKeyring | undefined, fs: WalFs): Promise<{ snapshot: Snapshot; keyId: string }> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RaftStorageError('SNAPSHOT_MISSING', `snapshot file ${path} is missing`, { file: path }, err);
    }
    throw err;
  }
  const corrupt = (why: string, cause?: unknown): RaftStorageError =>
    new RaftStorageError('SNAPSHOT_CORRUPT', `snapshot file ${path} is corrupt: ${why}`, { file: path }, cause);
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC)) throw corrupt('bad header');
  const len = buf.readUInt32BE(12) * 0x1_0000_0000 + buf.readUInt32BE(16);
  if (HEADER_BYTES + len !== buf.length) throw corrupt(`length ${len} does not match file size ${buf.length}`);
  const body = buf.subarray(HEADER_BYTES);
  if (crc32c(body) !== buf.readUInt32BE(8)) throw corrupt('checksum mismatch');
  try {
    const r = new ByteReader(body);
    const index = r.u64();
    const term = r.u64();
    const voters: string[] = [];
    for (let n = r.u32(); n > 0; n--) voters.push(r.str());
    const learners: string[] = [];
    for (let n = r.u32(); n > 0; n--) learners.push(r.str());
    const keyId = r.str();
    const metaBytes = body.subarray(0, body.length - r.remaining);
    const meta = { index, term, confState: { voters, learners } };
    if (keyId === '') return { snapshot: { meta, data: Uint8Array.from(r.rest()) }, keyId };
    const data = unseal(keyFor(keyring, keyId, path), r.rest(), metaBytes);
    // The checksum matched, so the bytes are the ones written: the key is not the one they were sealed with.
    if (data === undefined) throw new RaftStorageError('KEY_WRONG', `the key supplied as '${keyId}' is not the one ${path} is encrypted with`, { file: path, keyId });
    return { snapshot: { meta, data }, keyId };
  } catch (err) {
    if (err instanceof ByteCodecError) throw corrupt('bad metadata', err);
    throw err;
  }
}
