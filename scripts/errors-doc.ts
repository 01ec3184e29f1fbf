import { collectErrorCodes, commonErrorRegistries } from '@shoal/common';
import { cliErrors } from '@shoal/cli';
import { shimErrors } from '@shoal/native';
import { netErrors } from '@shoal/overlay-net';
import { workerErrorRegistries } from '@shoal/worker';
import { raftErrors, raftNodeErrors, raftStorageErrors } from 'raft-ts';
import { caErrors, controlErrors, storeErrors } from '@shoal/manager';

/** The text of docs/errors.md, from every package's registries, listed explicitly (a code defined twice is refused). */
export async function renderErrorsDoc(): Promise<string> {
  const rows = collectErrorCodes([
    ...commonErrorRegistries, cliErrors, shimErrors, netErrors, ...workerErrorRegistries,
    raftErrors, raftStorageErrors, raftNodeErrors, storeErrors, caErrors, controlErrors,
  ]);
  const lines = [
    '# Error codes',
    '',
    'Generated from the error registries by `npm run docs:errors` (checked by a test). Every',
    'error shoal returns carries one of these stable codes; the Engine API answers with the',
    'HTTP status below and Docker\'s `{"message": ...}` body. Branch on the code, never on the message.',
    '',
    '| code | HTTP | retry can help | when, and what to do |',
    '| --- | --- | --- | --- |',
  ];
  for (const code of [...rows.keys()].sort()) {
    const r = rows.get(code)!;
    lines.push(`| \`${code}\` | ${r.status} | ${r.retryable === true ? 'yes' : 'no'} | ${r.doc.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
