import { registeredErrors } from '@shoal/common';
import { raftErrors, raftNodeErrors, raftStorageErrors } from 'raft-ts';

/** The text of docs/errors.md, from every registry loaded by the packages' entry points. */
export async function renderErrorsDoc(): Promise<string> {
  // Importing the packages registers their errors.
  await import('@shoal/native');
  await import('@shoal/worker');
  await import('@shoal/common');
  const rows = new Map<string, { status: number; retryable: boolean; doc: string }>();
  for (const [code, def] of registeredErrors()) rows.set(code, { status: def.status, retryable: def.retryable ?? false, doc: def.doc });
  for (const reg of [raftErrors, raftStorageErrors, raftNodeErrors]) {
    for (const [name, def] of Object.entries(reg.defs)) rows.set(`${reg.prefix}_${name}`, def);
  }
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
    lines.push(`| \`${code}\` | ${r.status} | ${r.retryable ? 'yes' : 'no'} | ${r.doc.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
