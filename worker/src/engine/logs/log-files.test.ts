import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { LineCursor, logFilesOldestFirst } from './log-files.js';

t.test('logFilesOldestFirst orders rotated files by number, FILE last', async (t) => {
  const dir = t.testdir({ 'c.log': '', 'c.log.1': '', 'c.log.10': '', 'c.log.2': '', 'c.log.x': '', 'c.log.0': '', 'other.log': '' });
  t.same((await logFilesOldestFirst(join(dir, 'c.log'))).map((p) => p.slice(dir.length + 1)), ['c.log.10', 'c.log.2', 'c.log.1', 'c.log']);
  t.same(await logFilesOldestFirst(join(dir, 'nope', 'c.log')), []);
});

t.test('tailLines matches the last lines of a forward read, whatever the sizes', async (t) => {
  const dir = t.testdir();
  let k = 0;
  await fc.assert(fc.asyncProperty(
    fc.array(fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, '')), { maxLength: 30 }),
    fc.boolean(),
    fc.nat({ max: 35 }),
    fc.nat({ max: 3 }),
    async (lines, partialTail, n, bigIdx) => {
      const body = lines.map((l, i) => (i === bigIdx ? l + 'z'.repeat(70000) : l));
      const text = body.map((l) => `${l}\n`).join('') + (partialTail ? 'partial-no-newline' : '');
      const p = join(dir, `f${k++}`);
      await writeFile(p, text);
      const fwd = await LineCursor.open(p);
      const all: string[] = [];
      for await (const l of fwd!.lines()) all.push(l);
      await fwd!.close();
      const c = await LineCursor.open(p);
      const got = await c!.tailLines(n);
      const rest: string[] = [];
      for await (const l of c!.lines()) rest.push(l);
      await c!.close();
      const expected = n === 0 ? [] : all.slice(-n);
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`tail ${n}: got ${got.length} lines, want ${expected.length}`);
      if (rest.length !== 0) throw new Error('the cursor should stand after the last complete line');
    },
  ), { numRuns: 60 });
  t.pass('property holds');
});

t.test('tailLines across many chunks', async (t) => {
  const p = join(t.testdir(), 'big');
  const lines = Array.from({ length: 5000 }, (_, i) => `line number ${String(i).padStart(6, '0')} ........`);
  await writeFile(p, lines.map((l) => `${l}\n`).join(''));
  const c = await LineCursor.open(p);
  t.same(await c!.tailLines(4000), lines.slice(-4000));
  await c!.close();
  const c2 = await LineCursor.open(p);
  t.same(await c2!.tailLines(9999), lines, 'more than there is: all of it');
  await c2!.close();
});
