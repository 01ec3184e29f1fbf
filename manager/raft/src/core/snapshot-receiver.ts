import type { Snapshot, SnapshotMessage } from './types.js';

/**
 * A follower's reassembly of one snapshot sent in chunks. Chunks must arrive
 * in order (the leader sends the next one when the previous is acknowledged);
 * a chunk at offset 0 restarts the transfer, duplicates are ignored, and the
 * answer is always the next offset expected, so the leader can resume.
 */
export class SnapshotReceiver {
  #buf: { meta: Snapshot['meta']; total: number; parts: Uint8Array[]; received: number } | undefined;

  /** Feed one chunk: returns the next offset expected and, once complete, the snapshot. */
  receive(m: SnapshotMessage): { nextOffset: number; snapshot?: Snapshot } {
    let buf = this.#buf;
    if (m.offset === 0) {
      buf = { meta: m.meta, total: m.totalBytes, parts: [], received: 0 };
    } else if (buf === undefined || buf.meta.index !== m.meta.index || buf.meta.term !== m.meta.term) {
      return { nextOffset: 0 };
    }
    if (m.offset === buf.received) {
      buf.parts.push(m.data.slice());
      buf.received += m.data.length;
    }
    this.#buf = buf;
    if (buf.received < buf.total) return { nextOffset: buf.received };
    const data = new Uint8Array(buf.total);
    let off = 0;
    for (const p of buf.parts) {
      data.set(p, off);
      off += p.length;
    }
    this.#buf = undefined;
    return { nextOffset: buf.total, snapshot: { meta: buf.meta, data } };
  }

  reset(): void {
    this.#buf = undefined;
  }
}
