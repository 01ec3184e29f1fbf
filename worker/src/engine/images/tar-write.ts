import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Pack, Header } from 'tar-stream';

type EntryHeader = Partial<Header> & { name: string };

/** Add an entry without content (directory, symlink, link, device) or with a small buffer. */
export function addEntry(p: Pack, header: EntryHeader, data?: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    p.entry(header, data ?? '', (err) => (err ? reject(err) : resolve()));
  });
}

/** Add a regular file entry whose content is streamed from `path` (`header.size` must be its size). */
export async function addFileEntry(p: Pack, header: EntryHeader & { size: number }, path: string): Promise<void> {
  let done!: () => void;
  let fail!: (e: Error) => void;
  const written = new Promise<void>((resolve, reject) => { done = resolve; fail = reject; });
  const sink = p.entry({ type: 'file', ...header }, (err) => (err ? fail(err) : done()));
  // tar-stream's entry sink is a streamx Writable; Node's pipeline drives it.
  await pipeline(createReadStream(path), sink as unknown as NodeJS.WritableStream);
  await written;
}
