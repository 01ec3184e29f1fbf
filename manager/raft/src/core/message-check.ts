import { RaftError } from './errors.js';
import type { Message, NodeId } from './types.js';

/**
 * Refuse a message that is not a well-formed peer message for node `self`,
 * before the core changes anything (RAFT_INVALID_MESSAGE, naming the field).
 * The core's handlers trust what they read; a message that reached them
 * half-formed would leave the state half-updated. Pure.
 */
export function checkMessage(m: Message, self: NodeId): void {
  const o = m as unknown as Record<string, unknown>;
  if (o === null || typeof o !== 'object') bad('not an object');
  str(o, 'from');
  if (o.from === '') bad('empty from');
  if (o.to !== self) bad(`addressed to ${String(o.to)}, not ${self}`);
  count(o, 'term');
  switch (o.type) {
    case 'pre-vote':
    case 'vote':
      count(o, 'lastLogIndex');
      count(o, 'lastLogTerm');
      if (o.type === 'vote') flag(o, 'transfer');
      return;
    case 'pre-vote-resp':
    case 'vote-resp':
      flag(o, 'reject');
      return;
    case 'append':
      count(o, 'prevIndex');
      count(o, 'prevTerm');
      count(o, 'commit');
      if (!Array.isArray(o.entries)) bad('append without entries');
      for (const e of o.entries as unknown[]) entry(e);
      return;
    case 'append-resp':
      flag(o, 'reject');
      count(o, 'index');
      count(o, 'hintIndex');
      count(o, 'hintTerm');
      return;
    case 'heartbeat':
      count(o, 'commit');
      optBytes(o, 'context');
      return;
    case 'heartbeat-resp':
      optBytes(o, 'context');
      return;
    case 'snapshot': {
      count(o, 'offset');
      count(o, 'totalBytes');
      bytes(o, 'data');
      const meta = o.meta as Record<string, unknown> | undefined;
      if (meta === null || typeof meta !== 'object') bad('snapshot without meta');
      count(meta, 'index');
      count(meta, 'term');
      const cs = meta.confState as Record<string, unknown> | undefined;
      if (cs === null || typeof cs !== 'object' || !ids(cs.voters) || !ids(cs.learners)) bad('snapshot meta without a valid confState');
      return;
    }
    case 'snapshot-resp':
      count(o, 'snapshotIndex');
      count(o, 'nextOffset');
      flag(o, 'reject');
      return;
    case 'timeout-now':
      return;
    case 'read-index':
      bytes(o, 'context');
      return;
    case 'read-index-resp':
      bytes(o, 'context');
      count(o, 'index');
      flag(o, 'reject');
      return;
    case 'transfer-leader':
      str(o, 'transferee');
      return;
    default:
      bad(`unknown type ${String(o.type)}`);
  }
}

function bad(why: string): never {
  throw new RaftError('INVALID_MESSAGE', `malformed message: ${why}`);
}

function count(o: Record<string, unknown>, k: string): void {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${k} is not a count`);
}

function flag(o: Record<string, unknown>, k: string): void {
  if (typeof o[k] !== 'boolean') bad(`${k} is not a boolean`);
}

function str(o: Record<string, unknown>, k: string): void {
  if (typeof o[k] !== 'string') bad(`${k} is not a string`);
}

function bytes(o: Record<string, unknown>, k: string): void {
  if (!(o[k] instanceof Uint8Array)) bad(`${k} is not bytes`);
}

function optBytes(o: Record<string, unknown>, k: string): void {
  if (o[k] !== undefined) bytes(o, k);
}

function ids(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
}

function entry(e: unknown): void {
  const o = e as Record<string, unknown>;
  if (o === null || typeof o !== 'object') bad('entry is not an object');
  count(o, 'index');
  count(o, 'term');
  if (o.type !== 'normal' && o.type !== 'conf-change') bad(`entry type ${String(o.type)}`);
  bytes(o, 'data');
}
