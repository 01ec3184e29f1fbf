import { randomBytes } from 'node:crypto';
import type { NodeId } from '../core/index.js';

const encoder = new TextEncoder();

/**
 * Contexts for this node's ReadIndex requests: `id`, a zero byte, a nonce
 * of this incarnation and a counter. A context comes back with the answer
 * and is how the requester finds its waiting read, so it must never repeat:
 * not between nodes (the id), not after a restart (the nonce: a late answer
 * to a read of an earlier incarnation must not release a new one with an
 * older index), not within a run (the counter).
 */
export function readContextSource(id: NodeId, nonce: Uint8Array = randomBytes(8)): () => Uint8Array {
  const head = encoder.encode(id);
  let seq = 0;
  return () => {
    seq++;
    const ctx = new Uint8Array(head.length + 1 + nonce.length + 8);
    ctx.set(head, 0);
    ctx.set(nonce, head.length + 1);
    const view = new DataView(ctx.buffer);
    const at = head.length + 1 + nonce.length;
    view.setUint32(at, Math.floor(seq / 0x1_0000_0000));
    view.setUint32(at + 4, seq >>> 0);
    return ctx;
  };
}
