import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import type { Entry, Snapshot } from '../core/types.js';
import { FileWal } from './file-wal.js';
import { RecordType, scanSegment } from './record.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import type { WalKeyring } from './wal-crypto.js';
import { SEGMENT_LAYOUT } from './wal-codec.js';

const SECRET = 'top-secret-payload';

function entry(index: number, text = `${SECRET}-${index}`): Entry {
  return { index, term: 1, type: 'normal', data: Buffer.from(text) };
}

function keyring(current: string, keys: Record<string, Buffer>): WalKeyring {
  return { current, keys: new Map(Object.entries(keys)) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['wal', 'snap']) for (const n of await readdir(join(dir, sub))) out.push(join(dir, sub, n));
  return out;
}

async function plaintextFiles(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) if ((await readFile(f)).includes(SECRET)) hits.push(f);
  return hits;
}

const k1 = randomBytes(32);
const k2 = randomBytes(32);

t.test('entries and snapshot data are sealed on disk and read back with the key', async (t) => {
  const dir = t.testdir();
  const ring = keyring('k1', { k1 });
  const { wal } = await FileWal.open(dir, { keyring: ring });
  await wal.save({ term: 1, vote: 'a', commit: 3 }, [entry(1), entry(2), entry(3)]);
  const snap: Snapshot = { meta: { index: 2, term: 1, confState: { voters: ['a'], learners: [] } }, data: Buffer.from(`${SECRET}-state`) };
  await wal.compact(snap);
  t.same(wal.keyIdsInUse, ['k1']);
  await wal.close();
  t.same(await plaintextFiles(dir), [], 'no file holds the plaintext');

  const { wal: again, state } = await FileWal.open(dir, { keyring: ring });
  t.same(state.entries.map((e) => Buffer.from(e.data).toString()), [`${SECRET}-3`]);
  t.equal(Buffer.from(state.snapshot?.data ?? []).toString(), `${SECRET}-state`);
  await again.close();
});

t.test('a missing or wrong key is refused by name, never reported as corruption', async (t) => {
  const dir = t.testdir();
  const { wal } = await FileWal.open(dir, { keyring: keyring('k1', { k1 }) });
  await wal.save({ term: 1, vote: 'a', commit: 1 }, [entry(1)]);
  await wal.close();
  await t.rejects(FileWal.open(dir), { code: 'RAFT_KEY_MISSING', details: { keyId: 'k1' } }, 'no keyring');
  await t.rejects(FileWal.open(dir, { keyring: keyring('k2', { k2 }) }), { code: 'RAFT_KEY_MISSING', details: { keyId: 'k1' } }, 'another id');
  await t.rejects(FileWal.open(dir, { keyring: keyring('k1', { k1: k2 }) }), {
    code: 'RAFT_KEY_WRONG',
    message: /the key supplied as 'k1' is not the one .*\.wal is encrypted with/,
    details: { keyId: 'k1' },
  });
  const { wal: ok, state } = await FileWal.open(dir, { keyring: keyring('k1', { k1 }) });
  t.equal(Buffer.from(state.entries[0]?.data ?? []).toString(), `${SECRET}-1`, 'the refusals changed nothing');
  await ok.close();

  const snapDir = t.testdir();
  const snap: Snapshot = { meta: { index: 4, term: 2, confState: { voters: ['a'], learners: [] } }, data: Buffer.from('state') };
  const path = await writeSnapshotFile(snapDir, snap, { keyId: 'k1', key: k1 });
  await t.rejects(readSnapshotFile(path, keyring('k1', { k1: k2 })), { code: 'RAFT_KEY_WRONG', details: { file: path, keyId: 'k1' } });
  await t.rejects(readSnapshotFile(path), { code: 'RAFT_KEY_MISSING', details: { file: path } });
  t.equal(Buffer.from((await readSnapshotFile(path, keyring('k1', { k1 }))).data).toString(), 'state');
});

t.test('a sealed entry altered with valid checksums is corruption', async (t) => {
  const dir = t.testdir();
  const ring = keyring('k1', { k1 });
  const { wal } = await FileWal.open(dir, { keyring: ring });
  await wal.save({ term: 1, vote: 'a', commit: 1 }, [entry(1)]);
  await wal.close();
  const [seg] = (await readdir(join(dir, 'wal'))).map((n) => join(dir, 'wal', n));
  if (seg === undefined) throw new Error('no segment');
  const buf = await readFile(seg);
  const scan = scanSegment(buf, SEGMENT_LAYOUT);
  const rec = scan.records.find((r) => r.type === RecordType.entry);
  if (rec === undefined) throw new Error('no entry record');
  // Flip a ciphertext byte, then fix both checksums: only the seal can notice.
  const at = rec.offset + 13 + 17 + 12 + 2;
  buf[at] = (buf[at] as number) ^ 1;
  buf.writeUInt32BE(crc32c(buf.subarray(rec.offset + 13, rec.offset + 13 + rec.payload.length)), rec.offset + 5);
  buf.writeUInt32BE(crc32c(buf.subarray(rec.offset, rec.offset + 9)), rec.offset + 9);
  await writeFile(seg, buf);
  await t.rejects(FileWal.open(dir, { keyring: ring }), { code: 'RAFT_WAL_CORRUPT', message: /sealed entry does not decrypt/ });
});

t.test('rotation: new writes use the new key, the old one is in use until compaction releases it', async (t) => {
  const dir = t.testdir();
  // A plain WAL first: opening it under a keyring keeps it readable and seals what follows.
  const plain = await FileWal.open(dir, { segmentBytes: 4096 });
  await plain.wal.save({ term: 1, vote: 'a', commit: 1 }, [entry(1, 'plain-1')]);
  await plain.wal.close();
  const { wal } = await FileWal.open(dir, { segmentBytes: 4096, keyring: keyring('k1', { k1 }) });
  t.same(wal.keyIdsInUse, ['k1']);
  await wal.save({ term: 1, vote: 'a', commit: 2 }, [entry(2)]);
  await wal.setKeyring(keyring('k2', { k1, k2 }));
  t.same(wal.keyIdsInUse, ['k1', 'k2']);
  await wal.save({ term: 1, vote: 'a', commit: 3 }, [entry(3)]);
  await wal.close();
  // Reading needs both keys now.
  await t.rejects(FileWal.open(dir, { segmentBytes: 4096, keyring: keyring('k2', { k2 }) }), { code: 'RAFT_KEY_MISSING', details: { keyId: 'k1' } });
  const { wal: w2, state } = await FileWal.open(dir, { segmentBytes: 4096, keyring: keyring('k2', { k1, k2 }) });
  t.same(state.entries.map((e) => Buffer.from(e.data).toString()), ['plain-1', `${SECRET}-2`, `${SECRET}-3`]);
  const snap: Snapshot = { meta: { index: 3, term: 1, confState: { voters: ['a'], learners: [] } }, data: Buffer.from('at-3') };
  await w2.compact(snap);
  t.same(w2.keyIdsInUse, ['k2'], 'compaction released the plain and k1 segments; the snapshot is sealed with k2');
  await w2.close();
  const { wal: w3, state: s3 } = await FileWal.open(dir, { segmentBytes: 4096, keyring: keyring('k2', { k2 }) });
  t.equal(Buffer.from(s3.snapshot?.data ?? []).toString(), 'at-3');
  await w3.close();
});

t.test('a malformed keyring is refused', async (t) => {
  const dir = t.testdir();
  await t.rejects(FileWal.open(dir, { keyring: keyring('k1', { k1: randomBytes(16) }) }), { code: 'RAFT_KEY_INVALID' });
  await t.rejects(FileWal.open(dir, { keyring: keyring('k3', { k1 }) }), { code: 'RAFT_KEY_INVALID' });
  await t.rejects(FileWal.open(dir, { keyring: keyring('', { k1 }) }), { code: 'RAFT_KEY_INVALID' });
});
