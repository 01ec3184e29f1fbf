/**
 * FileWal: the write-ahead log of one Raft node, in segment files under
 * `<dir>/wal/` plus snapshot files under `<dir>/snap/`.
 *
 * Contract:
 * - `save()` returns only after the records are written AND fdatasync'ed:
 *   the driver calls it before sending the messages of the same Ready.
 *   One save = one write + one fdatasync (group commit).
 * - Every segment starts with a meta record (seq, first index) followed by
 *   the current hard state and snapshot marker, so releasing older segments
 *   never loses state. Segments are created atomically (tmp, fsync, rename,
 *   fsync dir), so a segment file always has its header.
 * - Every write starts with a batch record (its offset, its length, the
 *   bytes synced before it). On open, a torn tail of the last segment (a
 *   write that was not synced and looks interrupted: cut short or zero
 *   sectors) is truncated at its batch; anything else unreadable, including
 *   damage to synced bytes, refuses with RAFT_WAL_CORRUPT (file + byte
 *   offset) or RAFT_WAL_GAP. See record.ts's scanSegment.
 * - Calls are serialised internally; callers may still await each one.
 */
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import { RaftStorageError } from './errors.js';
import { nodeWalFs } from './wal-fs.js';
import type { WalFileHandle, WalFs } from './wal-fs.js';
import { encodeRecord, ENTRY_HEAD_BYTES, entryRecordBytes, RECORD_HEADER_BYTES, RecordType, scanSegment, writeEntryHead, writeEntryRecordInto } from './record.js';
import { parseSegmentFileName, segmentFileName } from './segment-name.js';
import { readSnapshotFileWithKeyId, snapshotFileName, writeSnapshotFile } from './snapshot-file.js';
import { currentKey, keyCheck, keyFor, seal } from './wal-crypto.js';
import type { SealingKey, WalKeyring } from './wal-crypto.js';
import { BATCH_PAYLOAD_BYTES, encodeBatch, encodeHardState, encodeSnapshotMarker, encodeTruncate, entryTypeToByte, SEGMENT_LAYOUT } from './wal-codec.js';
import type { SnapshotMarker } from './wal-codec.js';
import { createSegment, NO_KEY, removeSnapshotsExcept, removeTmpFiles } from './wal-files.js';
import { EMPTY_HARD_STATE, NO_SNAPSHOT, WalReplay } from './wal-replay.js';
import type { SegmentInfo } from './wal-replay.js';

/** Options of {@link FileWal.open}. */
export interface FileWalOptions {
  /** Roll over to a new segment once the current one reaches this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * Seal entries and snapshot data with these keys (AES-256-GCM, see
   * wal-crypto.ts). Without a keyring, an encrypted WAL is refused with
   * RAFT_KEY_MISSING; plain segments stay readable under a keyring.
   */
  readonly keyring?: WalKeyring;
  /** The file system (default: the real one; the simulator passes a simulated disk). */
  readonly fs?: WalFs;
}

/** What a WAL holds after replay. */
export interface WalState {
  readonly hardState: HardState;
  /** The latest snapshot, if any was saved. */
  readonly snapshot: Snapshot | undefined;
  /** The entries after the snapshot, contiguous. */
  readonly entries: Entry[];
  /** True when a torn tail was truncated on open. */
  readonly repairedTornTail: boolean;
}

/** Bytes of a batch record. */
const BATCH_RECORD_BYTES = RECORD_HEADER_BYTES + BATCH_PAYLOAD_BYTES;

/** The default segment size (64 MiB). */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** The file-based write-ahead log (see the module comment for the contract). */
export class FileWal {
  readonly #walDir: string;
  readonly #snapDir: string;
  readonly #segmentBytes: number;
  readonly #fs: WalFs;
  #segments: SegmentInfo[];
  #fh: WalFileHandle | undefined;
  #size: number;
  /** Bytes of the current segment known to be on disk (its header, then up to the last fdatasync). */
  #syncedSize: number;
  #lastIndex: number;
  #hardState: HardState;
  #snap: SnapshotMarker;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Written but not fdatasync'ed yet (a lazily persisted commit index). */
  #dirty = false;
  #stats = { saves: 0, syncs: 0, bytes: 0 };
  #keyring: WalKeyring | undefined;
  /** The key the current segment's entries are sealed with (undefined: plain). */
  #segmentKey: SealingKey | undefined;
  /** Key id of every segment on disk, by name ('' when plain). */
  readonly #segmentKeyIds: Map<string, string>;
  /** Key id of the current snapshot file ('' when plain or none). */
  #snapKeyId: string;

  private constructor(init: {
    dir: string;
    fs: WalFs;
    segmentBytes: number;
    segments: SegmentInfo[];
    fh: WalFileHandle;
    size: number;
    lastIndex: number;
    hardState: HardState;
    snap: SnapshotMarker;
    keyring: WalKeyring | undefined;
    segmentKeyIds: Map<string, string>;
    snapKeyId: string;
  }) {
    this.#walDir = join(init.dir, 'wal');
    this.#snapDir = join(init.dir, 'snap');
    this.#segmentBytes = init.segmentBytes;
    this.#fs = init.fs;
    this.#segments = init.segments;
    this.#fh = init.fh;
    this.#size = init.size;
    this.#syncedSize = init.size;
    this.#lastIndex = init.lastIndex;
    this.#hardState = init.hardState;
    this.#snap = init.snap;
    this.#keyring = init.keyring;
    this.#segmentKeyIds = init.segmentKeyIds;
    this.#snapKeyId = init.snapKeyId;
    const lastKeyId = init.segmentKeyIds.get((init.segments.at(-1) as SegmentInfo).name) ?? '';
    const keyring = init.keyring;
    this.#segmentKey = lastKeyId === '' || keyring === undefined ? undefined : { keyId: lastKeyId, key: keyFor(keyring, lastKeyId, 'the last segment') };
  }

  /**
   * Opens (creating if needed) the WAL in `dir` and replays it.
   * Throws RaftStorageError RAFT_WAL_CORRUPT, RAFT_WAL_GAP, RAFT_SNAPSHOT_CORRUPT, RAFT_SNAPSHOT_MISSING,
   * RAFT_KEY_MISSING, RAFT_KEY_WRONG, RAFT_KEY_INVALID. Under a keyring whose current key is not the
   * last segment's, a new segment is started at once, so that new entries use the current key.
   */
  static async open(dir: string, options: FileWalOptions = {}): Promise<{ wal: FileWal; state: WalState }> {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const keyring = options.keyring;
    const fs = options.fs ?? nodeWalFs;
    const sealing = keyring === undefined ? undefined : currentKey(keyring);
    const walDir = join(dir, 'wal');
    const snapDir = join(dir, 'snap');
    await fs.mkdirp(walDir);
    await fs.mkdirp(snapDir);
    await removeTmpFiles(fs, walDir);
    await removeTmpFiles(fs, snapDir);

    const segments = (await fs.readdir(walDir))
      .map((name) => ({ name, parsed: parseSegmentFileName(name) }))
      .filter((s): s is { name: string; parsed: { firstIndex: number; seq: number } } => s.parsed !== undefined)
      .map((s) => ({ name: s.name, seq: s.parsed.seq, firstIndex: s.parsed.firstIndex }))
      .sort((a, b) => a.seq - b.seq);

    if (segments.length === 0) {
      const first: SegmentInfo = { name: segmentFileName(1, 0), seq: 0, firstIndex: 1 };
      await createSegment(fs, walDir, first, EMPTY_HARD_STATE, NO_SNAPSHOT, segmentKey(sealing));
      segments.push(first);
    }
    for (let i = 1; i < segments.length; i++) {
      const prev = segments[i - 1] as SegmentInfo;
      const cur = segments[i] as SegmentInfo;
      if (cur.seq !== prev.seq + 1) {
        throw new RaftStorageError('WAL_GAP', `WAL segment missing between ${prev.name} and ${cur.name} (sequence ${prev.seq} -> ${cur.seq})`, {
          file: join(walDir, cur.name),
          previousFile: join(walDir, prev.name),
        });
      }
    }

    const replay = new WalReplay();
    let repairedTornTail = false;
    let size = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as SegmentInfo;
      const path = join(walDir, seg.name);
      const isLast = i === segments.length - 1;
      const buf = await fs.readFile(path);
      const scan = scanSegment(buf, SEGMENT_LAYOUT);
      let end = buf.length;
      if (scan.kind === 'corrupt' || (scan.kind === 'torn' && !isLast)) {
        const offset = scan.kind === 'corrupt' ? scan.offset : scan.tornAt;
        throw new RaftStorageError('WAL_CORRUPT', `WAL record at ${path} byte offset ${offset} is corrupt (${scan.fault})`, {
          file: path,
          offset,
          fault: scan.fault,
        });
      }
      if (scan.kind === 'torn') {
        end = scan.tornAt;
        const fh = await fs.open(path, 'update');
        try {
          await fh.truncate(end);
          await fh.sync();
        } finally {
          await fh.close();
        }
        repairedTornTail = true;
      }
      replay.segment(path, seg, scan.records, i === 0, (keyId, check, file) => keyFor(keyring, keyId, file, check));
      if (isLast) size = end;
    }

    const marker = replay.snap;
    const firstSeg = segments[0] as SegmentInfo;
    if (firstSeg.firstIndex > marker.index + 1) {
      throw new RaftStorageError('WAL_GAP', `WAL starts at index ${firstSeg.firstIndex} but the snapshot covers only up to ${marker.index}`, {
        file: join(walDir, firstSeg.name),
        snapshotIndex: marker.index,
      });
    }
    let snapshot: Snapshot | undefined;
    let snapKeyId = '';
    if (marker.index > 0) {
      ({ snapshot, keyId: snapKeyId } = await readSnapshotFileWithKeyId(join(snapDir, snapshotFileName(marker.index, marker.term)), keyring, fs));
    }
    // Snapshot files other than the current one are either released ones or orphans of a crash
    // between writing the file and its marker: neither is needed.
    await removeSnapshotsExcept(fs, snapDir, marker);

    const last = segments[segments.length - 1] as SegmentInfo;
    const fh = await fs.open(join(walDir, last.name), 'append');
    // What was read may still be only in the page cache (after a process crash): make it durable
    // before the next batch says it was synced.
    await fh.datasync();
    const wal = new FileWal({
      dir,
      fs,
      segmentBytes,
      segments,
      fh,
      size,
      lastIndex: replay.lastIndex,
      hardState: replay.hardState,
      snap: marker,
      keyring,
      segmentKeyIds: replay.keyIds,
      snapKeyId,
    });
    if ((sealing?.keyId ?? '') !== (replay.keyIds.get(last.name) ?? '')) {
      try {
        await wal.#serial(() => wal.#rollover());
      } catch (err) {
        await wal.close().catch(() => undefined);
        throw err;
      }
    }
    return {
      wal,
      state: {
        hardState: replay.hardState,
        snapshot,
        entries: replay.entries.filter((e) => e.index > marker.index),
        repairedTornTail,
      },
    };
  }

  /** Index of the last stored entry (the snapshot index when no entry follows it). */
  get lastIndex(): number {
    return this.#lastIndex;
  }

  /** Index of the current snapshot (0 when none). */
  get snapshotIndex(): number {
    return this.#snap.index;
  }

  /** Counters since open: save() calls that wrote, fdatasyncs, bytes written. */
  get stats(): Readonly<{ saves: number; syncs: number; bytes: number }> {
    return { ...this.#stats };
  }

  /** Segment file names currently on disk, oldest first (for status and tests). */
  get segmentNames(): readonly string[] {
    return this.#segments.map((s) => s.name);
  }

  /**
   * Ids of the keys that what is on disk is sealed with (segments and the
   * current snapshot file). A key the embedder rotated away from can be
   * forgotten once it is no longer listed: compaction releases old segments,
   * and a new snapshot replaces the old file.
   */
  get keyIdsInUse(): readonly string[] {
    const ids = new Set([...this.#segments.map((s) => this.#segmentKeyIds.get(s.name) ?? ''), this.#snapKeyId]);
    ids.delete('');
    return [...ids].sort();
  }

  /**
   * Replaces the keyring (key rotation). When its current key differs from
   * the current segment's, a new segment is started, so everything written
   * from now on is sealed with it. Keep every id in `keyIdsInUse` in the
   * keyring until it is no longer listed. Throws RAFT_KEY_INVALID.
   */
  setKeyring(keyring: WalKeyring): Promise<void> {
    const sealing = currentKey(keyring);
    return this.#serial(async () => {
      this.#keyring = keyring;
      if (sealing.keyId !== this.#segmentKey?.keyId) await this.#rollover();
    });
  }

  /**
   * Persists a Ready: `snapshot` (one received from the leader: the log is
   * reset to it), then `entries` (overwriting any stored entries at the same
   * indexes and after), then `hardState`. Returns after fdatasync, unless
   * `sync` is false (allowed only when the Ready says `mustSync: false`, i.e.
   * just a new commit index, which may be persisted lazily: the next synced
   * save makes it durable too).
   */
  save(hardState: HardState | undefined, entries: readonly Entry[], snapshot?: Snapshot, options: { sync?: boolean } = {}): Promise<void> {
    const sync = options.sync ?? true;
    return this.#serial(() => this.#save(hardState, entries, snapshot, sync || entries.length > 0 || snapshot !== undefined));
  }

  /**
   * Records a snapshot taken locally at an index <= lastIndex and releases
   * what it covers: older snapshot files and WAL segments whose entries are
   * all at or below the snapshot index. Older snapshots than the current one
   * are ignored.
   */
  async compact(snapshot: Snapshot): Promise<void> {
    const { index, term } = snapshot.meta;
    if (this.#closed) throw new RaftStorageError('WAL_CLOSED', 'the WAL is closed');
    if (index <= this.#snap.index) return;
    // The snapshot file (the expensive part: write, fsync, rename, fsync dir) is written
    // outside the serial queue, so appends keep flowing meanwhile; only the marker and the
    // release are serialised with them.
    const key = this.#sealingKey();
    await writeSnapshotFile(this.#snapDir, snapshot, key, this.#fs);
    return this.#serial(async () => {
      const path = join(this.#snapDir, snapshotFileName(index, term));
      if (index <= this.#snap.index) {
        // A newer snapshot (from the leader) got in first: ours is an orphan.
        await this.#fs.remove(path);
        return;
      }
      if (index > this.#lastIndex) {
        await this.#fs.remove(path);
        throw new RaftStorageError('WAL_INVALID_APPEND', `cannot compact at ${index}: beyond last index ${this.#lastIndex}`, { index });
      }
      // A release running meanwhile removes every snapshot file but the current one: write ours
      // again if it went, so the marker never points at a missing file.
      if (!(await this.#fs.exists(path))) await writeSnapshotFile(this.#snapDir, snapshot, key, this.#fs);
      await this.#rolloverIfFull();
      const marker: SnapshotMarker = { index, term, kind: 'compact' };
      await this.#write([encodeRecord(RecordType.snapshot, encodeSnapshotMarker(marker))]);
      this.#snap = marker;
      this.#snapKeyId = key?.keyId ?? '';
      await this.#release();
    });
  }

  /** Closes the current segment. Further calls throw RAFT_WAL_CLOSED. */
  close(): Promise<void> {
    return this.#serial(async () => {
      this.#closed = true;
      const fh = this.#fh;
      this.#fh = undefined;
      if (this.#dirty) await fh?.datasync();
      await fh?.close();
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new RaftStorageError('WAL_CLOSED', 'the WAL is closed');
      return fn();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #save(hardState: HardState | undefined, entries: readonly Entry[], snapshot: Snapshot | undefined, sync: boolean): Promise<void> {
    if (hardState === undefined && entries.length === 0 && snapshot === undefined) return;
    await this.#rolloverIfFull();
    const records: Buffer[] = [];
    let snap = this.#snap;
    let lastIndex = this.#lastIndex;
    const snapKey = snapshot === undefined ? undefined : this.#sealingKey();
    if (snapshot !== undefined) {
      await writeSnapshotFile(this.#snapDir, snapshot, snapKey, this.#fs);
      snap = { index: snapshot.meta.index, term: snapshot.meta.term, kind: 'restore' };
      records.push(encodeRecord(RecordType.snapshot, encodeSnapshotMarker(snap)));
      lastIndex = snap.index;
    }
    const first = entries[0];
    if (first !== undefined) {
      if (first.index > lastIndex + 1 || first.index <= snap.index) {
        throw new RaftStorageError(
          'WAL_INVALID_APPEND',
          `entries starting at ${first.index} do not follow the log (last index ${lastIndex}, snapshot ${snap.index})`,
          { firstIndex: first.index, lastIndex, snapshotIndex: snap.index },
        );
      }
      if (first.index <= lastIndex) records.push(encodeRecord(RecordType.truncate, encodeTruncate(first.index)));
      let expect = first.index;
      for (const e of entries) {
        if (e.index !== expect) {
          throw new RaftStorageError('WAL_INVALID_APPEND', `entries are not contiguous at ${e.index} (expected ${expect})`, { index: e.index });
        }
        expect++;
      }
      const datas = this.#sealEntries(entries);
      let bytes = 0;
      for (const d of datas) bytes += entryRecordBytes(d.length);
      // All entry records of a save in one buffer: one allocation, one iovec.
      const block = Buffer.allocUnsafe(bytes);
      let at = 0;
      entries.forEach((e, i) => {
        at = writeEntryRecordInto(block, at, e.index, e.term, entryTypeToByte(e.type), datas[i] as Uint8Array);
      });
      records.push(block);
      lastIndex = expect - 1;
    }
    if (hardState !== undefined) records.push(encodeRecord(RecordType.hardState, encodeHardState(hardState)));
    await this.#write(records, sync);
    this.#lastIndex = lastIndex;
    this.#snap = snap;
    if (snapshot !== undefined) this.#snapKeyId = snapKey?.keyId ?? '';
    if (hardState !== undefined) this.#hardState = hardState;
    if (snapshot !== undefined) await this.#release();
  }

  /**
   * Appends records to the current segment as one batch (a batch record
   * first) and fdatasyncs it (unless `sync` is false).
   */
  async #write(records: readonly Buffer[], sync = true): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) throw new RaftStorageError('WAL_CLOSED', 'the WAL is closed');
    const total = records.reduce((n, r) => n + r.length, BATCH_RECORD_BYTES);
    const batch = encodeRecord(RecordType.batch, encodeBatch({ offset: this.#size, length: total, syncedBefore: this.#syncedSize }));
    const bytesWritten = await fh.writev([batch, ...records]);
    if (bytesWritten !== total) {
      // A short write leaves a torn tail: recoverable on the next open, not now.
      this.#closed = true;
      throw new Error(`short WAL write: ${bytesWritten} of ${total} bytes`);
    }
    this.#size += total;
    this.#dirty = true;
    this.#stats.saves++;
    this.#stats.bytes += total;
    if (sync) await this.#sync(fh);
  }

  async #sync(fh: WalFileHandle): Promise<void> {
    await fh.datasync();
    this.#dirty = false;
    this.#syncedSize = this.#size;
    this.#stats.syncs++;
  }

  /** The data of `entries` as stored: sealed with the current segment's key, if any. */
  #sealEntries(entries: readonly Entry[]): readonly Uint8Array[] {
    const k = this.#segmentKey;
    if (k === undefined) return entries.map((e) => e.data);
    const head = Buffer.allocUnsafe(ENTRY_HEAD_BYTES);
    return entries.map((e) => {
      // Bound to the same head bytes writeEntryRecordInto puts before the data.
      writeEntryHead(head, 0, e.index, e.term, entryTypeToByte(e.type));
      return seal(k.key, e.data, head);
    });
  }

  /** The keyring's current key (undefined without a keyring). */
  #sealingKey(): SealingKey | undefined {
    return this.#keyring === undefined ? undefined : currentKey(this.#keyring);
  }

  async #rolloverIfFull(): Promise<void> {
    if (this.#size >= this.#segmentBytes) await this.#rollover();
  }

  /** Starts a new segment, sealed with the keyring's current key. */
  async #rollover(): Promise<void> {
    const cur = this.#segments[this.#segments.length - 1] as SegmentInfo;
    const next: SegmentInfo = { seq: cur.seq + 1, firstIndex: this.#lastIndex + 1, name: segmentFileName(this.#lastIndex + 1, cur.seq + 1) };
    const old = this.#fh;
    // Only the last segment may have a torn tail: make the old one whole before starting the next.
    if (this.#dirty) await old?.datasync();
    this.#dirty = false;
    const key = this.#sealingKey();
    const size = await createSegment(this.#fs, this.#walDir, next, this.#hardState, { ...this.#snap, kind: 'compact' }, segmentKey(key));
    this.#fh = await this.#fs.open(join(this.#walDir, next.name), 'append');
    await old?.close();
    this.#segments.push(next);
    this.#segmentKeyIds.set(next.name, key?.keyId ?? '');
    this.#segmentKey = key;
    this.#size = size;
    this.#syncedSize = size;
  }

  /** Removes snapshot files older than the current one and segments wholly covered by it. */
  async #release(): Promise<void> {
    await removeSnapshotsExcept(this.#fs, this.#snapDir, this.#snap);
    // Segment k can go when segment k+1 starts at or below snapshot+1: all of k's
    // surviving entries are then covered by the snapshot. Never the last segment.
    let keepFrom = 0;
    for (let k = 1; k < this.#segments.length; k++) {
      if ((this.#segments[k] as SegmentInfo).firstIndex <= this.#snap.index + 1) keepFrom = k;
    }
    if (keepFrom === 0) return;
    for (const seg of this.#segments.slice(0, keepFrom)) {
      await this.#fs.remove(join(this.#walDir, seg.name));
      this.#segmentKeyIds.delete(seg.name);
    }
    this.#segments = this.#segments.slice(keepFrom);
    await this.#fs.syncDir(this.#walDir);
  }
}

/** What a new segment's meta record says of its key. */
function segmentKey(k: SealingKey | undefined): { keyId: string; keyCheck: Uint8Array } {
  return k === undefined ? NO_KEY : { keyId: k.keyId, keyCheck: keyCheck(k) };
}
