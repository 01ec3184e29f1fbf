/**
 * Writes docs/errors.md from the error registries of every package (each
 * `defineErrors` call registers its codes; raft-ts has its own table).
 * `--check` exits 1 when docs/errors.md differs from what it would write.
 * Run: node --import tsx --conditions=shoal-source scripts/gen-errors-doc.ts [--check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderErrorsDoc } from './errors-doc.js';

const out = resolve(import.meta.dirname, '../docs/errors.md');
const text = await renderErrorsDoc();
if (process.argv.includes('--check')) {
  const cur = await readFile(out, 'utf8').catch(() => '');
  if (cur !== text) {
    console.error('docs/errors.md is out of date: run npm run docs:errors');
    process.exit(1);
  }
} else {
  await writeFile(out, text);
  console.log(`wrote ${out}`);
}
