import t from 'tap';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import { FileWal } from './file-wal.js';
import { isRaftStorageError } from './errors.js';
import { encodeRecord, RecordType, scanSegment, SECTOR_BYTES } from './record.js';
import type { RawRecord } from './record.js';
import { encodeBatch, encodeEntry, SEGMENT_LAYOUT } from './wal-codec.js';
import { snapshotFileName } from './snapshot-file.js';

const enc = new TextEncoder();

function entry(index: number, term = 1, text = `entry-${index}`): Entry {
  return { index, term, type: index % 5 === 0 ? 'conf-change' : 'normal', data: enc.encode(text) };
}

function entries(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function snapshot(index: number, term: number, text: string): Snapshot {
  return { meta: { index, term, confState: { voters: ['a', 'b', 'c'], learners: ['d'] } }, data: enc.encode(text) };
}

function plain(es: readonly Entry[]): Array<{ index: number; term: number; type: string; data: string }> {
  return es.map((e) => ({ index: e.index, term: e.term, type: e.type, data: Buffer.from(e.data).toString() }));
}

function scanRecords(buf: Buffer): ReturnType<typeof scanSegment> {
  return scanSegment(buf, SEGMENT_LAYOUT);
}

/** The batches of a clean segment: start, end and the entry records in each. */
function batchesOf(buf: Buffer): Array<{ start: number; end: number; entries: RawRecord[] }> {
  const scan = scanRecords(buf);
  if (scan.kind !== 'clean') throw new Error(`segment is ${scan.kind}`);
  const out: Array<{ start: number; end: number; entries: RawRecord[] }> = [];
  for (const r of scan.records) {
    if (r.type === RecordType.batch) {
      const prev = out.at(-1);
      if (prev !== undefined) prev.end = r.offset;
      out.push({ start: r.offset, end: buf.length, entries: [] });
    } else if (r.type === RecordType.entry) {
      out.at(-1)?.entries.push(r);
    }
  }
  return out;
}

/** Opens `dir`; returns the error it is refused with (undefined when it opens). */
async function openError(dir: string): Promise<unknown> {
  try {
    const { wal } = await FileWal.open(dir);
    await wal.close();
    return undefined;
  } catch (err) {
    return err;
  }
}

async function lastSegmentPath(dir: string): Promise<string> {
  const names = (await readdir(join(dir, 'wal'))).filter((n) => n.endsWith('.wal')).sort();
  return join(dir, 'wal', names[names.length - 1] as string);
}

t.test('a fresh WAL is empty; saved state survives a reopen', async (t) => {
  const dir = t.testdir();
  const first = await FileWal.open(dir);
  t.same(first.state.hardState, { term: 0, vote: '', commit: 0 });
  t.same(first.state.entries, []);
  t.equal(first.state.snapshot, undefined);
  const hs: HardState = { term: 3, vote: 'node-b', commit: 2 };
  await first.wal.save(hs, entries(1, 3));
  await first.wal.save({ term: 3, vote: 'node-b', commit: 3 }, []);
  await first.wal.close();

  const again = await FileWal.open(dir);
  t.same(again.state.hardState, { term: 3, vote: 'node-b', commit: 3 });
  t.same(plain(again.state.entries), plain(entries(1, 3)));
  t.equal(again.wal.lastIndex, 3);
  t.equal(again.state.repairedTornTail, false);
  await again.wal.close();
  await t.rejects(again.wal.save(hs, []), { code: 'RAFT_WAL_CLOSED' });
});

t.test('overwriting a conflicting suffix is a record too', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  await wal.save({ term: 1, vote: 'a', commit: 0 }, entries(1, 5, 1));
  await wal.save({ term: 2, vote: 'b', commit: 2 }, entries(3, 4, 2));
  t.equal(wal.lastIndex, 4);
  await t.rejects(wal.save(undefined, [entry(7, 2)]), { code: 'RAFT_WAL_INVALID_APPEND' });
  await wal.close();
  const { wal: w2, state } = await FileWal.open(dir);
  t.same(plain(state.entries), plain([...entries(1, 2, 1), ...entries(3, 4, 2)]));
  t.equal(w2.lastIndex, 4);
  await w2.close();
});

t.test('a write cut short at every byte offset is a torn tail: its batch goes, every earlier batch stays', async (t) => {
  const dir = t.testdir();
  const src = join(dir, 'src');
  const { wal } = await FileWal.open(src);
  for (let i = 1; i <= 6; i++) await wal.save({ term: 1, vote: 'a', commit: i - 1 }, [entry(i, 1, `payload-${i}-${'x'.repeat(i * 7)}`)]);
  await wal.close();
  const segPath = await lastSegmentPath(src);
  const full = await readFile(segPath);
  const batches = batchesOf(full);
  t.equal(batches.length, 6);
  const headerEnd = batches[0]?.start ?? 0;
  t.ok(headerEnd > 0);
  let checked = 0;
  for (let cut = headerEnd; cut < full.length; cut++) {
    const d = join(dir, `cut-${cut}`);
    await mkdir(join(d, 'wal'), { recursive: true });
    await writeFile(join(d, 'wal', segPath.slice(segPath.lastIndexOf('/') + 1)), full.subarray(0, cut));
    const { wal: w, state } = await FileWal.open(d);
    // Entries of whole batches survive; a partly written batch goes entirely.
    const complete = batches.filter((b) => b.end <= cut).reduce((n, b) => n + b.entries.length, 0);
    const isBoundary = batches.some((b) => b.start === cut);
    if (state.entries.length !== complete || state.repairedTornTail === isBoundary) {
      t.fail(`cut at ${cut}: ${state.entries.length} entries (want ${complete}), repaired=${state.repairedTornTail}`);
    }
    t.equal(w.lastIndex, complete, `cut ${cut}`);
    // The repaired log accepts appends and they survive a reopen.
    await w.save({ term: 2, vote: 'b', commit: 0 }, [entry(complete + 1, 2, 'after-repair')]);
    await w.close();
    const { wal: w3, state: s3 } = await FileWal.open(d);
    t.equal(s3.entries.length, complete + 1);
    t.equal(Buffer.from(s3.entries[complete]?.data ?? []).toString(), 'after-repair');
    t.equal(s3.repairedTornTail, false);
    await w3.close();
    await rm(d, { recursive: true });
    checked++;
  }
  t.equal(checked, full.length - headerEnd);
});

t.test('a bit flip anywhere after the header is refused naming the file and the damaged record, and nothing is truncated', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  for (let i = 1; i <= 4; i++) await wal.save({ term: 1, vote: 'a', commit: i - 1 }, [entry(i)]);
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const scan = scanRecords(full);
  t.equal(scan.kind, 'clean');
  const recs = scan.records;
  const headerEnd = batchesOf(full)[0]?.start ?? 0;
  // Every byte of every batch, the last (synced, then damaged) one included: truncating
  // the last one would silently drop a persisted vote.
  for (let p = headerEnd; p < full.length; p++) {
    const owner = recs.filter((r) => r.offset <= p).at(-1) as RawRecord;
    for (const bit of [0, 7]) {
      const bad = Buffer.from(full);
      bad[p] = (bad[p] as number) ^ (1 << bit);
      await writeFile(segPath, bad);
      const err = await openError(dir);
      if (!isRaftStorageError(err, 'RAFT_WAL_CORRUPT') || err.details.file !== segPath || err.details.offset !== owner.offset) {
        t.fail(`flip at byte ${p} bit ${bit}: ${String(err)} (want RAFT_WAL_CORRUPT at ${owner.offset})`);
      }
      if ((await readFile(segPath)).length !== full.length) t.fail(`flip at byte ${p}: the segment was truncated`);
    }
  }
  await writeFile(segPath, full);
  const { wal: ok, state } = await FileWal.open(dir);
  t.equal(state.entries.length, 4, 'the undamaged file still opens');
  await ok.close();
  const bad = Buffer.from(full);
  const middle = batchesOf(full)[1]?.entries[0] as RawRecord;
  bad[middle.offset + 20] = (bad[middle.offset + 20] as number) ^ 1;
  await writeFile(segPath, bad);
  t.match(await openError(dir), { code: 'RAFT_WAL_CORRUPT', message: new RegExp(`${segPath} byte offset ${middle.offset}`) });
});

t.test('damage to the header of the last segment is refused before anything is truncated', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  await wal.save({ term: 1, vote: 'a', commit: 0 }, entries(1, 2));
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const headerEnd = batchesOf(full)[0]?.start ?? 0;
  for (const p of [0, 4, 12, 20, headerEnd - 1]) {
    const bad = Buffer.from(full);
    bad[p] = (bad[p] as number) ^ 0x40;
    await writeFile(segPath, bad);
    t.match(await openError(dir), { code: 'RAFT_WAL_CORRUPT', details: { file: segPath } }, `flip at ${p}`);
    t.equal((await readFile(segPath)).length, full.length, 'nothing was truncated');
  }
  // A header cut short (the file system lost the end of a synced file) is corruption too.
  await writeFile(segPath, full.subarray(0, headerEnd - 3));
  t.match(await openError(dir), { code: 'RAFT_WAL_CORRUPT', details: { fault: 'bad-header' } });
});

/** A segment with several sector-spanning batches; returns its path, bytes and batches. */
async function bigBatches(dir: string, saves: number): Promise<{ segPath: string; full: Buffer; batches: ReturnType<typeof batchesOf> }> {
  const { wal } = await FileWal.open(dir);
  for (let i = 1; i <= saves; i++) {
    const hs = { term: 1, vote: 'a', commit: i - 1 };
    await wal.save(hs, [entry(i, 1, `${i}:${'y'.repeat(3 * SECTOR_BYTES)}`)]);
  }
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  return { segPath, full, batches: batchesOf(full) };
}

/** A copy of `buf` with the sector that holds byte `at` zeroed. */
function zeroSector(buf: Buffer, at: number): Buffer {
  const out = Buffer.from(buf);
  const start = at - (at % SECTOR_BYTES);
  out.fill(0, start, Math.min(out.length, start + SECTOR_BYTES));
  return out;
}

t.test('a zeroed sector in the last batch (an earlier page lost, a later one on disk) is a torn tail', async (t) => {
  const dir = t.testdir();
  const { segPath, full, batches } = await bigBatches(dir, 3);
  const last = batches[2];
  t.ok(last);
  if (last === undefined) return;
  // A sector in the middle of the last batch came back as zeros; the sectors after it reached the disk.
  await writeFile(segPath, zeroSector(full, last.start + SECTOR_BYTES + 10));
  const { wal, state } = await FileWal.open(dir);
  t.equal(state.repairedTornTail, true);
  t.same(state.entries.map((e) => e.index), [1, 2]);
  t.equal(state.hardState.commit, 1, 'the hard state of the whole batches stays');
  await wal.close();
  t.equal((await readFile(segPath)).length, last.start, 'cut at the start of the torn batch');
});

t.test('a zeroed sector in a batch that a later batch says was synced is corruption', async (t) => {
  const dir = t.testdir();
  const { segPath, full, batches } = await bigBatches(dir, 3);
  const second = batches[1];
  t.ok(second);
  if (second === undefined) return;
  await writeFile(segPath, zeroSector(full, second.start + SECTOR_BYTES + 10));
  t.match(await openError(dir), { code: 'RAFT_WAL_CORRUPT', details: { file: segPath, fault: 'synced-then-damaged' } });
  t.equal((await readFile(segPath)).length, full.length);
});

t.test('a batch written without fdatasync may be lost with the batches after it when a sector of it is zero', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  await wal.save({ term: 1, vote: 'a', commit: 0 }, [entry(1, 1, 'y'.repeat(2 * SECTOR_BYTES))]);
  // A lazily persisted commit index (no fdatasync), then a synced save with no sync in between.
  await wal.save({ term: 1, vote: 'a', commit: 1 }, [], undefined, { sync: false });
  await wal.save({ term: 1, vote: 'a', commit: 1 }, [entry(2, 1, 'z'.repeat(2 * SECTOR_BYTES))]);
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const second = batchesOf(full)[1];
  t.ok(second);
  if (second === undefined) return;
  // The sector that held the commit-only batch went back to what it was: the end of batch 1, then zeros.
  const bad = Buffer.from(full);
  bad.fill(0, second.start, second.start - (second.start % SECTOR_BYTES) + SECTOR_BYTES);
  await writeFile(segPath, bad);
  const { wal: w, state } = await FileWal.open(dir);
  t.equal(state.repairedTornTail, true);
  t.same(state.entries.map((e) => e.index), [1], 'batch 3 went too: nothing proves batch 2 was synced');
  t.equal(state.hardState.commit, 0);
  await w.close();
  t.equal((await readFile(segPath)).length, second.start);
});

t.test('a torn last entry whose payload carries well-formed record frames is still a torn tail', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  await wal.save({ term: 1, vote: 'a', commit: 0 }, [entry(1)]);
  // A client can compute CRC32C: this payload holds a complete batch record and entry record.
  const forgedEntry = encodeRecord(RecordType.entry, encodeEntry(entry(99, 9, 'forged')));
  const forgedBatch = encodeRecord(RecordType.batch, encodeBatch({ offset: 0, length: 1 << 20, syncedBefore: 1 << 30 }));
  const payload = Buffer.concat([Buffer.from('before'), forgedBatch, forgedEntry, Buffer.from('after')]);
  await wal.save({ term: 1, vote: 'a', commit: 1 }, [{ index: 2, term: 1, type: 'normal', data: payload }]);
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const last = batchesOf(full)[1] as { start: number };
  const payloadAt = full.indexOf(payload);
  t.ok(payloadAt > last.start);
  for (let cut = payloadAt; cut < payloadAt + payload.length; cut++) {
    await writeFile(segPath, full.subarray(0, cut));
    const { wal: w, state } = await FileWal.open(dir);
    if (!state.repairedTornTail || state.entries.length !== 1) t.fail(`cut at ${cut}: ${state.entries.length} entries`);
    await w.close();
  }
  t.pass('every cut inside the payload opened as a torn tail with the first entry kept');
});

t.test('segments roll over; a missing segment is refused', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir, { segmentBytes: 300 });
  for (let i = 1; i <= 40; i += 2) await wal.save({ term: 1, vote: '', commit: i }, entries(i, i + 1));
  const names = wal.segmentNames;
  t.ok(names.length >= 4, `${names.length} segments`);
  await wal.close();
  const onDisk = (await readdir(join(dir, 'wal'))).sort();
  t.same(onDisk, [...names].sort());
  names.forEach((n, i) => t.match(n, new RegExp(`^[0-9a-f]{16}-${i.toString(16).padStart(16, '0')}\\.wal$`)));

  const { wal: w2, state } = await FileWal.open(dir, { segmentBytes: 300 });
  t.same(plain(state.entries), plain(entries(1, 40)));
  t.same(state.hardState, { term: 1, vote: '', commit: 39 });
  await w2.close();

  // A truncated (torn) tail in a segment that is not the last is corruption.
  const second = join(dir, 'wal', names[1] as string);
  const secondBytes = await readFile(second);
  await truncate(second, secondBytes.length - 3);
  await t.rejects(FileWal.open(dir), { code: 'RAFT_WAL_CORRUPT', details: { file: second } });
  await writeFile(second, secondBytes);

  await rm(join(dir, 'wal', names[2] as string));
  await t.rejects(FileWal.open(dir), { code: 'RAFT_WAL_GAP' });
  await writeFile(join(dir, 'wal', names[2] as string), Buffer.alloc(0));
  await t.rejects(FileWal.open(dir), { code: 'RAFT_WAL_CORRUPT' }, 'an empty segment has no meta record');
  await rm(join(dir, 'wal', names[2] as string));
  await rm(join(dir, 'wal', names[0] as string));
  await rm(join(dir, 'wal', names[1] as string));
  await t.rejects(FileWal.open(dir), { code: 'RAFT_WAL_GAP' }, 'the first segments are missing and no snapshot covers them');
});

t.test('compaction releases old segments and snapshots; reopen after compaction', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir, { segmentBytes: 256 });
  for (let i = 1; i <= 30; i++) await wal.save({ term: 2, vote: 'a', commit: i }, [entry(i, 2)]);
  const before = wal.segmentNames.length;
  await wal.compact(snapshot(10, 2, 'state@10'));
  await wal.compact(snapshot(25, 2, 'state@25'));
  await wal.compact(snapshot(20, 2, 'older: ignored'));
  t.ok(wal.segmentNames.length < before, `${before} -> ${wal.segmentNames.length} segments`);
  t.same(await readdir(join(dir, 'snap')), [snapshotFileName(25, 2)]);
  await wal.save({ term: 2, vote: 'a', commit: 31 }, [entry(31, 2)]);
  await wal.close();

  const { wal: w2, state } = await FileWal.open(dir, { segmentBytes: 256 });
  t.equal(state.snapshot?.meta.index, 25);
  t.same(state.snapshot?.meta.confState, { voters: ['a', 'b', 'c'], learners: ['d'] });
  t.equal(Buffer.from(state.snapshot?.data ?? []).toString(), 'state@25');
  t.same(plain(state.entries), plain(entries(26, 31, 2)));
  t.equal(w2.snapshotIndex, 25);
  await t.rejects(w2.save(undefined, [entry(20, 3)]), { code: 'RAFT_WAL_INVALID_APPEND' }, 'cannot overwrite compacted entries');
  await w2.close();

  // A damaged snapshot file is refused; a missing one too.
  const snapPath = join(dir, 'snap', snapshotFileName(25, 2));
  const bytes = await readFile(snapPath);
  const bad = Buffer.from(bytes);
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
  await writeFile(snapPath, bad);
  await t.rejects(FileWal.open(dir), { code: 'RAFT_SNAPSHOT_CORRUPT', details: { file: snapPath } });
  await rm(snapPath);
  await t.rejects(FileWal.open(dir), { code: 'RAFT_SNAPSHOT_MISSING' });
});

t.test('a snapshot from the leader resets the log', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir, { segmentBytes: 200 });
  await wal.save({ term: 1, vote: 'a', commit: 3 }, entries(1, 6, 1));
  // An orphan snapshot file (crash between writing it and its marker) is removed on open.
  await wal.save({ term: 4, vote: '', commit: 100 }, [], snapshot(100, 3, 'from-leader'));
  await wal.save({ term: 4, vote: '', commit: 101 }, [entry(101, 4), entry(102, 4)]);
  await wal.close();
  await writeFile(join(dir, 'snap', snapshotFileName(200, 5)), 'orphan');
  const { wal: w2, state } = await FileWal.open(dir, { segmentBytes: 200 });
  t.equal(state.snapshot?.meta.index, 100);
  t.same(plain(state.entries), plain([entry(101, 4), entry(102, 4)]));
  t.same(state.hardState, { term: 4, vote: '', commit: 101 });
  t.same(await readdir(join(dir, 'snap')), [snapshotFileName(100, 3)]);
  t.same(w2.segmentNames.length, 1, 'segments before the restored snapshot were released');
  await w2.close();
});

t.test('commit-only saves may skip fdatasync; the next synced save and close cover them', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir, { segmentBytes: 400 });
  await wal.save({ term: 1, vote: 'a', commit: 0 }, entries(1, 3));
  const synced = wal.stats.syncs;
  await wal.save({ term: 1, vote: 'a', commit: 2 }, [], undefined, { sync: false });
  t.equal(wal.stats.syncs, synced, 'no fdatasync for a lazily persisted commit index');
  await wal.save({ term: 1, vote: 'a', commit: 3 }, [entry(4)], undefined, { sync: false });
  t.equal(wal.stats.syncs, synced + 1, 'entries are always synced, whatever the caller says');
  for (let i = 5; i <= 12; i++) await wal.save({ term: 1, vote: 'a', commit: i }, [], undefined, { sync: false });
  await wal.save(undefined, [entry(5)]); // rolls over: the old segment is synced first
  t.ok(wal.segmentNames.length > 1);
  await wal.save({ term: 1, vote: 'a', commit: 5 }, [], undefined, { sync: false });
  await wal.close();
  const { wal: w2, state } = await FileWal.open(dir, { segmentBytes: 400 });
  t.same(state.hardState, { term: 1, vote: 'a', commit: 5 });
  t.equal(state.entries.length, 5);
  await w2.close();
});

t.test('a local compaction racing with a snapshot from the leader leaves one consistent snapshot', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  await wal.save({ term: 1, vote: 'a', commit: 20 }, entries(1, 20));
  const local = wal.compact(snapshot(10, 1, 'local@10'));
  const leader = wal.save({ term: 2, vote: '', commit: 100 }, [], snapshot(100, 2, 'leader@100'));
  await Promise.all([local, leader]);
  t.equal(wal.snapshotIndex, 100);
  await wal.close();
  const { wal: w2, state } = await FileWal.open(dir);
  t.equal(state.snapshot?.meta.index, 100);
  t.equal(Buffer.from(state.snapshot?.data ?? []).toString(), 'leader@100');
  t.same(await readdir(join(dir, 'snap')), [snapshotFileName(100, 2)], 'the older local snapshot file is gone');
  await w2.close();
});
