/**
 * Golden files: tests whose expected output is a file in testdata/. Each
 * file's text goes through `render`, which returns the text the file should
 * have (its inputs kept, its outputs recomputed); the test compares the two.
 * With SHOAL_REWRITE=1 the files are rewritten instead, for review of the
 * diff before committing. The one rewrite variable of the project (raft-ts,
 * which imports nothing of ours, honours the same variable in its own
 * scenario runner).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when golden files are to be rewritten (SHOAL_REWRITE=1). */
export function rewriting(): boolean {
  return process.env.SHOAL_REWRITE === '1';
}

/** One golden file: `check()` renders it (rewriting it under SHOAL_REWRITE=1) and gives both texts to compare. */
export interface GoldenCase {
  name: string;
  check(): { got: string; want: string };
}

/** The `*.txt` files of `dir` (sorted) as cases: `got` is `render` of the file's text, `want` the text. */
export function goldenFiles(dir: string, render: (text: string, file: string) => string): GoldenCase[] {
  return readdirSync(dir).filter((n) => n.endsWith('.txt')).sort().map((f) => ({
    name: f.replace(/\.txt$/, ''),
    check: () => {
      const path = join(dir, f);
      const want = readFileSync(path, 'utf8');
      const got = render(want, f);
      if (rewriting()) writeFileSync(path, got);
      return { got, want };
    },
  }));
}
