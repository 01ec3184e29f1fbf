import { createHash } from 'node:crypto';

/** `sha256:<hex>` of `data`. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of `sha256:<hex>` (or `hex` itself). */
export function digestHex(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7) : digest;
}

/** True for `sha256:` + 64 lowercase hex. */
export function isSha256Digest(s: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(s);
}

/**
 * Layer chain ids as the OCI image spec defines them: the first equals the
 * first diff id; each next is sha256 of `parentChain + " " + diffId`.
 * Lowest layer first.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? d : sha256Digest(`${parent} ${d}`));
  }
  return out;
}
