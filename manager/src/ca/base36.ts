/**
 * Big numbers in base 36, padded, as swarmkit writes node ids and the parts
 * of join tokens. Pure.
 */

/** `bytes` as an unsigned big-endian number in base 36, left-padded with 0 to `width`. */
export function toBase36(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n.toString(36).padStart(width, '0');
}

/** The number a base-36 string stands for, as `length` big-endian bytes; undefined when it is not base 36 or too big. */
export function fromBase36(s: string, length: number): Uint8Array | undefined {
  if (!/^[0-9a-z]+$/.test(s)) return undefined;
  let n = 0n;
  for (const c of s) n = n * 36n + BigInt(parseInt(c, 36));
  if (n >= 1n << BigInt(8 * length)) return undefined;
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
