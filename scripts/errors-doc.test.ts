import t from 'tap';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderErrorsDoc } from './errors-doc.js';

t.test('docs/errors.md matches the error registries', async (t) => {
  const doc = await readFile(resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
  const want = await renderErrorsDoc();
  t.equal(doc, want, 'run `npm run docs:errors` and commit docs/errors.md');
  t.match(doc, /ENGINE_CONTAINER_NOT_FOUND/, 'engine errors are listed');
  t.match(doc, /RAFT_NOT_LEADER/, 'raft errors are listed');
  t.match(doc, /CLI_USAGE/, 'the CLI\'s errors are listed');
  t.match(doc, /ENGINE_NETWORK_PORT_IN_USE/, 'network errors have their own prefix');
});
