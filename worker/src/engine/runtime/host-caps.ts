import { readFile } from 'node:fs/promises';
import { capsFromMask } from './capabilities.js';

/** The daemon's bounding capability set (what a privileged container can get). */
export async function readBoundingCaps(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  return capsFromMask(/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0');
}
