import t from 'tap';
import { readFile } from 'node:fs/promises';
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { spoolLayer } from './layer-spool.js';
import { sha256Digest } from './content-digest.js';
import { makeTar } from '../../testing/tar.js';



t.test('spoolLayer hashes the uncompressed tar, plain or gzip', async (t) => {
  const dir = t.testdir();
  const tar = await makeTar([{ name: 'a', type: 'file', data: 'hello' }]);
  const plain = await spoolLayer(Readable.from([tar]), `${dir}/p.tar`);
  t.equal(plain.diffId, sha256Digest(tar));
  t.equal(plain.compressed, false);
  const gz = Readable.from([tar]).pipe(createGzip());
  const z = await spoolLayer(gz, `${dir}/z.tar`);
  t.equal(z.diffId, sha256Digest(tar));
  t.equal(z.compressed, true);
  t.same(await readFile(`${dir}/z.tar`), tar, 'stored uncompressed');
  const bad = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 1)]);
  await t.rejects(spoolLayer(Readable.from([bad]), `${dir}/b.tar`), { code: 'ENGINE_IMAGE_INVALID_LAYER' });
});
