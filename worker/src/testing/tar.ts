/** Test-only (not exported from index.ts): build a tar in memory from entry descriptions. */
import { pack, type Header } from 'tar-stream';
import { addEntry } from '../engine/images/tar-write.js';

/** One entry: a tar header plus optional content (`pax` for extended headers). */
export type TarEntry = Partial<Header> & { name: string; data?: string | Buffer; pax?: Record<string, string> };

/** The tar bytes of `entries`, in order. */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((resolve, reject) => { p.on('end', resolve); p.on('error', reject); });
  for (const { data, ...h } of entries) await addEntry(p, h, data);
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}
