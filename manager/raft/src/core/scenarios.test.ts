import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runScenario } from '../sim/scenario-runner.js';

// Data-driven protocol scenarios: each file in testdata/ is a list of
// commands, each followed by `----` and the expected trace. Regenerate with
// SHOAL_REWRITE=1, the project's one rewrite variable (then read the diff
// before committing). raft-ts imports nothing of ours, so not testkit's goldenFiles.
const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const rewrite = process.env.SHOAL_REWRITE === '1';

for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  t.test(file.replace(/\.txt$/, ''), async (t) => {
    const path = join(dir, file);
    const expected = readFileSync(path, 'utf8');
    const actual = runScenario(expected);
    if (rewrite) writeFileSync(path, actual);
    t.equal(actual, expected, `${file} trace matches`);
    t.notMatch(actual, /^panic:/m, 'no command panicked');
  });
}
