// Needs root: mknod, chown and trusted.* xattrs, as the daemon has.
import t from 'tap';
import { lstat, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { getAttribute } from '@napi-rs/xattr';
import { hasCode } from '@shoal/common';
import { unpackLayer, safeEntryPath } from './layer-unpack.js';
import { makeTar, type TarEntry } from '../../testing/tar.js';

type Entry = TarEntry;


t.test('safeEntryPath', async (t) => {
  t.equal(safeEntryPath('./a/b/'), 'a/b');
  t.equal(safeEntryPath('/etc/passwd'), 'etc/passwd');
  t.equal(safeEntryPath('./'), '');
  t.equal(safeEntryPath('a/../b'), 'b');
  t.throws(() => safeEntryPath('../x'), { code: 'ENGINE_IMAGE_INVALID_LAYER' });
  t.throws(() => safeEntryPath('a/../../x'), { code: 'ENGINE_IMAGE_INVALID_LAYER' });
});

t.test('unpacks files, dirs, symlinks, hard links, devices, owners, modes, mtimes, whiteouts', async (t) => {
  const dir = t.testdir();
  const mtime = new Date('2020-01-02T03:04:05Z');
  const tar = await makeTar([
    { name: './', type: 'directory', mode: 0o755, mtime },
    { name: 'etc/', type: 'directory', mode: 0o750, uid: 12, gid: 34, mtime },
    { name: 'etc/hello', type: 'file', mode: 0o4755, uid: 1000, gid: 1000, mtime, data: 'hi\n' },
    { name: 'etc/hard', type: 'link', linkname: 'etc/hello', mtime },
    { name: 'etc/sym', type: 'symlink', linkname: '/etc/hello', mtime },
    { name: 'deep/er/file', type: 'file', mode: 0o600, mtime, data: 'x' },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime },
    { name: 'fifo', type: 'fifo', mode: 0o644, mtime },
    { name: 'gone/.wh.old', type: 'file', mode: 0o600, mtime },
    { name: 'opaque/', type: 'directory', mode: 0o755, mtime },
    { name: 'opaque/.wh..wh..opq', type: 'file', mode: 0o600, mtime },
    { name: 'xattr', type: 'file', mode: 0o644, mtime, data: 'x', pax: { 'SCHILY.xattr.user.test': 'v1' } },
    { name: 'replaced', type: 'file', mode: 0o644, mtime, data: 'first' },
    { name: 'replaced', type: 'file', mode: 0o644, mtime, data: 'second' },
  ]);
  await writeFile(`${dir}/layer.tar`, tar);
  const res = await unpackLayer(`${dir}/layer.tar`, `${dir}/diff`);
  const d = `${dir}/diff`;
  t.equal(await readFile(`${d}/etc/hello`, 'utf8'), 'hi\n');
  const st = await stat(`${d}/etc/hello`);
  t.equal(st.mode & 0o7777, 0o4755, 'setuid mode kept after chown');
  t.equal(st.uid, 1000);
  t.equal(st.gid, 1000);
  t.equal(st.mtime.getTime(), mtime.getTime());
  t.equal((await stat(`${d}/etc/hard`)).ino, st.ino, 'hard link shares the inode');
  t.equal(await readlink(`${d}/etc/sym`), '/etc/hello', 'absolute symlink kept as is');
  const etc = await stat(`${d}/etc`);
  t.equal(etc.mode & 0o7777, 0o750);
  t.equal(etc.uid, 12);
  t.equal(etc.mtime.getTime(), mtime.getTime(), 'directory mtime set after its children');
  const nul = await lstat(`${d}/dev/null`);
  t.ok(nul.isCharacterDevice());
  t.equal(nul.rdev, (1 << 8) | 3);
  t.ok((await lstat(`${d}/fifo`)).isFIFO());
  const wh = await lstat(`${d}/gone/old`);
  t.ok(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout is a 0:0 char device');
  await t.rejects(lstat(`${d}/gone/.wh.old`), 'the .wh. file itself is not written');
  t.same(await getAttribute(`${d}/opaque`, 'trusted.overlay.opaque'), Buffer.from('y'), 'opaque dir marked');
  await t.rejects(lstat(`${d}/opaque/.wh..wh..opq`));
  t.same(await getAttribute(`${d}/xattr`, 'user.test'), Buffer.from('v1'), 'pax xattr kept');
  t.equal(await readFile(`${d}/replaced`, 'utf8'), 'second', 'a later entry replaces an earlier one');
  t.equal(res.size, 3 + 1 + 1 + 5 + 6 + '/etc/hello'.length, 'size counts files once and symlink targets');
});

t.test('refuses path traversal', async (t) => {
  const cases: Array<[string, Entry[]]> = [
    ['dot-dot entry', [{ name: '../evil', type: 'file', data: 'x' }]],
    ['nested dot-dot', [{ name: 'a/../../evil', type: 'file', data: 'x' }]],
    ['write through symlink', [
      { name: 'link', type: 'symlink', linkname: '/tmp' },
      { name: 'link/evil', type: 'file', data: 'x' },
    ]],
    ['write through relative symlink out', [
      { name: 'up', type: 'symlink', linkname: '../../..' },
      { name: 'up/evil', type: 'file', data: 'x' },
    ]],
    ['hard link out', [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]],
    ['hard link through symlink', [
      { name: 'l', type: 'symlink', linkname: '/etc' },
      { name: 'h', type: 'link', linkname: 'l/passwd' },
    ]],
  ];
  for (const [what, entries] of cases) {
    const dir = t.testdir();
    await writeFile(`${dir}/layer.tar`, await makeTar(entries));
    try {
      await unpackLayer(`${dir}/layer.tar`, `${dir}/diff`);
      t.fail(`${what}: accepted`);
    } catch (e) {
      t.ok(hasCode(e, 'ENGINE_IMAGE_INVALID_LAYER'), `${what}: refused with a typed error (${(e as Error).message})`);
    }
    await t.rejects(lstat(`${dir}/evil`), `${what}: nothing written outside`);
  }
});

t.test('malformed tar is a typed error', async (t) => {
  const dir = t.testdir();
  await writeFile(`${dir}/layer.tar`, Buffer.alloc(1024, 7));
  await t.rejects(unpackLayer(`${dir}/layer.tar`, `${dir}/diff`), { code: 'ENGINE_IMAGE_INVALID_LAYER' });
});


t.test('packLayer is the inverse of unpackLayer (whiteouts, opaque dirs, links, devices, owners)', async (t) => {
  const { packLayer } = await import('./layer-pack.js');
  const { readdir } = await import('node:fs/promises');
  const dir = t.testdir();
  const mtime = new Date('2021-02-03T04:05:06Z');
  await writeFile(`${dir}/in.tar`, await makeTar([
    { name: 'etc/', type: 'directory', mode: 0o750, uid: 12, gid: 34, mtime },
    { name: 'etc/hello', type: 'file', mode: 0o4755, uid: 1000, gid: 1000, mtime, data: 'hi\n' },
    { name: 'etc/hard', type: 'link', linkname: 'etc/hello', mtime },
    { name: 'etc/sym', type: 'symlink', linkname: '../x', mtime },
    { name: 'dev/', type: 'directory', mode: 0o755, mtime },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 300, mode: 0o660, mtime },
    { name: 'dev/.wh.old', type: 'file', mtime },
    { name: 'o/', type: 'directory', mode: 0o755, mtime },
    { name: 'o/.wh..wh..opq', type: 'file', mtime },
    { name: 'fifo', type: 'fifo', mode: 0o600, mtime },
  ]));
  await unpackLayer(`${dir}/in.tar`, `${dir}/a`);
  const chunks: Buffer[] = [];
  for await (const c of packLayer(`${dir}/a`)) chunks.push(c as Buffer);
  const packed = Buffer.concat(chunks);
  const again: Buffer[] = [];
  for await (const c of packLayer(`${dir}/a`)) again.push(c as Buffer);
  t.same(Buffer.concat(again), packed, 'the same tree packs to the same bytes');
  await writeFile(`${dir}/out.tar`, packed);
  await unpackLayer(`${dir}/out.tar`, `${dir}/b`);

  const describe = async (root: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await readdir(`${root}/${rel}`)).sort()) {
        const p = rel === '' ? name : `${rel}/${name}`;
        const st = await lstat(`${root}/${p}`);
        const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l:${await readlink(`${root}/${p}`)}` : st.isFile() ? `f:${await readFile(`${root}/${p}`, 'utf8')}:${st.nlink}` : `n:${st.rdev}`;
        const opq = st.isDirectory() ? String(await getAttribute(`${root}/${p}`, 'trusted.overlay.opaque').catch(() => null)) : '';
        out.push(`${p} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isSymbolicLink() || st.isDirectory() ? '' : st.mtime.toISOString()} ${opq}`);
        if (st.isDirectory()) await walk(p);
      }
    };
    await walk('');
    return out;
  };
  const a = await describe(`${dir}/a`);
  t.same(await describe(`${dir}/b`), a, 'unpack(pack(tree)) gives the same tree');
  t.ok(a.some((l) => l.startsWith('dev/old n:0 ')), 'whiteout survived as a 0:0 device');
  t.ok(a.some((l) => l.startsWith('o d ') && l.endsWith(' y')), 'opaque marker survived');
  t.ok(a.some((l) => l.startsWith(`dev/sda n:${(8 << 8) | (300 & 0xff) | ((300 & 0xfff00) << 12)} `)), 'device numbers survived');
  t.ok(a.some((l) => l.startsWith('etc/hard f:hi\n:2 ')), 'hard link survived');
});
