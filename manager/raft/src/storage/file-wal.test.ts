import t from 'tap';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import { FileWal } from './file-wal.js';
import { isRaftStorageError } from './errors.js';
import { scanRecords } from './record.js';
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

t.test('a torn tail at every byte offset opens cleanly and keeps every complete record', async (t) => {
  const dir = t.testdir();
  const src = join(dir, 'src');
  const { wal } = await FileWal.open(src);
  for (let i = 1; i <= 6; i++) await wal.save({ term: 1, vote: 'a', commit: i - 1 }, [entry(i, 1, `payload-${i}-${'x'.repeat(i * 7)}`)]);
  await wal.close();
  const segPath = await lastSegmentPath(src);
  const full = await readFile(segPath);
  const scan = scanRecords(full);
  t.equal(scan.kind, 'clean');
  const recs = scan.records;
  const headerEnd = recs[2]?.offset ?? 0; // meta + hard state written at creation
  t.ok(headerEnd > 0);
  const ends = recs.map((r, i) => (recs[i + 1]?.offset ?? full.length));
  let checked = 0;
  for (let cut = headerEnd; cut < full.length; cut++) {
    const d = join(dir, `cut-${cut}`);
    await mkdir(join(d, 'wal'), { recursive: true });
    await writeFile(join(d, 'wal', segPath.slice(segPath.lastIndexOf('/') + 1)), full.subarray(0, cut));
    const { wal: w, state } = await FileWal.open(d);
    // Entries whose record is complete within the cut survive; nothing earlier is lost.
    const complete = recs.filter((r, i) => r.type === 2 && (ends[i] as number) <= cut).length;
    const isBoundary = ends.includes(cut);
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

t.test('a bit flip in a middle record is refused naming the file and offset', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  for (let i = 1; i <= 4; i++) await wal.save(undefined, [entry(i)]);
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const scan = scanRecords(full);
  const middle = scan.records[3];
  const next = scan.records[4];
  t.ok(middle !== undefined && next !== undefined);
  if (middle === undefined || next === undefined) return;
  for (let p = middle.offset; p < next.offset; p++) {
    for (const bit of [0, 7]) {
      const bad = Buffer.from(full);
      bad[p] = (bad[p] as number) ^ (1 << bit);
      await writeFile(segPath, bad);
      try {
        const { wal: w } = await FileWal.open(dir);
        await w.close();
        t.fail(`flip at byte ${p} bit ${bit} was accepted`);
      } catch (err) {
        if (!isRaftStorageError(err, 'RAFT_WAL_CORRUPT') || err.details.file !== segPath || err.details.offset !== middle.offset) {
          t.fail(`flip at byte ${p}: unexpected error ${String(err)}`);
        }
      }
    }
  }
  await writeFile(segPath, full);
  const { wal: ok, state } = await FileWal.open(dir);
  t.equal(state.entries.length, 4, 'the undamaged file still opens');
  await ok.close();
  const err = await FileWal.open(dir).then(
    async (r) => {
      await r.wal.close();
      const bad = Buffer.from(full);
      bad[middle.offset + 20] = (bad[middle.offset + 20] as number) ^ 1;
      await writeFile(segPath, bad);
      return FileWal.open(dir).then(() => undefined, (e: unknown) => e);
    },
  );
  t.match(err, { code: 'RAFT_WAL_CORRUPT', message: new RegExp(`${segPath} byte offset ${middle.offset}`) });
});

t.test('a bit flip in the last record is a torn tail', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir);
  for (let i = 1; i <= 3; i++) await wal.save(undefined, [entry(i)]);
  await wal.close();
  const segPath = await lastSegmentPath(dir);
  const full = await readFile(segPath);
  const last = scanRecords(full).records.at(-1);
  t.ok(last);
  if (last === undefined) return;
  for (let p = last.offset; p < full.length; p++) {
    const bad = Buffer.from(full);
    bad[p] = (bad[p] as number) ^ 0x10;
    await writeFile(segPath, bad);
    const { wal: w, state } = await FileWal.open(dir);
    if (state.entries.length !== 2 || !state.repairedTornTail) t.fail(`flip at ${p}: ${state.entries.length} entries`);
    await w.close();
    t.equal((await readFile(segPath)).length, last.offset, 'the torn record was truncated away');
  }
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
