import { RaftError } from './errors.js';
import type { ConfChange, ConfChangeType } from './types.js';

const TYPES: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'remove-node'];

/** Encode a ConfChange as the data of a conf-change entry (UTF-8 JSON, context as base-16). */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const ctx = cc.context === undefined ? undefined : Array.from(cc.context, (b) => b.toString(16).padStart(2, '0')).join('');
  return new TextEncoder().encode(JSON.stringify({ type: cc.type, nodeId: cc.nodeId, context: ctx }));
}

/** Decode the data of a conf-change entry. Throws RAFT_INVALID_MESSAGE on malformed data. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new RaftError('INVALID_MESSAGE', 'conf-change entry is not valid JSON', {}, err);
  }
  const o = raw as { type?: unknown; nodeId?: unknown; context?: unknown };
  if (typeof o.type !== 'string' || !TYPES.includes(o.type as ConfChangeType) || typeof o.nodeId !== 'string' || o.nodeId === '') {
    throw new RaftError('INVALID_MESSAGE', 'conf-change entry has no valid type/nodeId');
  }
  const cc: { type: ConfChangeType; nodeId: string; context?: Uint8Array } = { type: o.type as ConfChangeType, nodeId: o.nodeId };
  if (typeof o.context === 'string') {
    const hex = o.context;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    cc.context = bytes;
  }
  return cc;
}
