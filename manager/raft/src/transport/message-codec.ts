/**
 * A compact binary codec for Raft messages (what the gRPC transport puts in
 * its frames). Big-endian, via ByteWriter/ByteReader. A frame is a batch:
 * u32 count, then the messages back to back. Type bytes are on the wire:
 * never renumber, only add. Pure: no node:* imports.
 */
import type { Entry, Message, MessageType, SnapshotMeta } from '../core/types.js';
import { ByteCodecError, ByteReader, ByteWriter, entryTypeFromByte, entryTypeToByte } from '../storage/index.js';


const typeCode: Record<MessageType, number> = {
  'pre-vote': 1,
  'pre-vote-resp': 2,
  vote: 3,
  'vote-resp': 4,
  append: 5,
  'append-resp': 6,
  heartbeat: 7,
  'heartbeat-resp': 8,
  snapshot: 9,
  'snapshot-resp': 10,
  'timeout-now': 11,
  'read-index': 12,
  'read-index-resp': 13,
  'transfer-leader': 14,
};
const typeByCode = new Map<number, MessageType>(Object.entries(typeCode).map(([k, v]) => [v, k as MessageType]));

function writeEntry(w: ByteWriter, e: Entry): void {
  w.u64(e.index).u64(e.term).u8(entryTypeToByte(e.type)).bytes(e.data);
}

function readEntry(r: ByteReader): Entry {
  const index = r.u64();
  const term = r.u64();
  const type = entryTypeFromByte(r.u8());
  return { index, term, type, data: r.bytes().slice() };
}

function writeOptionalBytes(w: ByteWriter, b: Uint8Array | undefined): void {
  if (b === undefined) w.u8(0);
  else w.u8(1).bytes(b);
}

function readOptionalBytes(r: ByteReader): Uint8Array | undefined {
  return r.bool() ? r.bytes().slice() : undefined;
}

function writeMeta(w: ByteWriter, m: SnapshotMeta): void {
  w.u64(m.index).u64(m.term).u32(m.confState.voters.length);
  for (const v of m.confState.voters) w.str(v);
  w.u32(m.confState.learners.length);
  for (const l of m.confState.learners) w.str(l);
}

function readMeta(r: ByteReader): SnapshotMeta {
  const index = r.u64();
  const term = r.u64();
  const voters: string[] = [];
  for (let n = r.u32(); n > 0; n--) voters.push(r.str());
  const learners: string[] = [];
  for (let n = r.u32(); n > 0; n--) learners.push(r.str());
  return { index, term, confState: { voters, learners } };
}

/** Appends one message to `w`. */
export function writeMessage(w: ByteWriter, m: Message): void {
  w.u8(typeCode[m.type]).str(m.from).str(m.to).u64(m.term);
  switch (m.type) {
    case 'pre-vote':
      w.u64(m.lastLogIndex).u64(m.lastLogTerm);
      return;
    case 'vote':
      w.u64(m.lastLogIndex).u64(m.lastLogTerm).bool(m.transfer);
      return;
    case 'pre-vote-resp':
    case 'vote-resp':
      w.bool(m.reject);
      return;
    case 'append':
      w.u64(m.prevIndex).u64(m.prevTerm).u64(m.commit).u32(m.entries.length);
      for (const e of m.entries) writeEntry(w, e);
      return;
    case 'append-resp':
      w.bool(m.reject).u64(m.index).u64(m.hintIndex).u64(m.hintTerm);
      return;
    case 'heartbeat':
      w.u64(m.commit);
      writeOptionalBytes(w, m.context);
      return;
    case 'heartbeat-resp':
      writeOptionalBytes(w, m.context);
      return;
    case 'snapshot':
      writeMeta(w, m.meta);
      w.u64(m.offset).u64(m.totalBytes).bytes(m.data);
      return;
    case 'snapshot-resp':
      w.u64(m.snapshotIndex).u64(m.nextOffset).bool(m.reject);
      return;
    case 'timeout-now':
      return;
    case 'read-index':
      w.bytes(m.context);
      return;
    case 'read-index-resp':
      w.bytes(m.context).u64(m.index).bool(m.reject);
      return;
    case 'transfer-leader':
      w.str(m.transferee);
      return;
    default: {
      const never: never = m;
      throw new ByteCodecError(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

/** Reads one message from `r`; throws ByteCodecError on malformed input. */
export function readMessage(r: ByteReader): Message {
  const code = r.u8();
  const type = typeByCode.get(code);
  if (type === undefined) throw new ByteCodecError(`unknown message type ${code}`);
  const from = r.str();
  const to = r.str();
  const term = r.u64();
  const base = { from, to, term };
  switch (type) {
    case 'pre-vote':
      return { ...base, type, lastLogIndex: r.u64(), lastLogTerm: r.u64() };
    case 'vote':
      return { ...base, type, lastLogIndex: r.u64(), lastLogTerm: r.u64(), transfer: r.bool() };
    case 'pre-vote-resp':
    case 'vote-resp':
      return { ...base, type, reject: r.bool() };
    case 'append': {
      const prevIndex = r.u64();
      const prevTerm = r.u64();
      const commit = r.u64();
      const entries: Entry[] = [];
      for (let n = r.u32(); n > 0; n--) entries.push(readEntry(r));
      return { ...base, type, prevIndex, prevTerm, commit, entries };
    }
    case 'append-resp':
      return { ...base, type, reject: r.bool(), index: r.u64(), hintIndex: r.u64(), hintTerm: r.u64() };
    case 'heartbeat': {
      const commit = r.u64();
      const context = readOptionalBytes(r);
      return context === undefined ? { ...base, type, commit } : { ...base, type, commit, context };
    }
    case 'heartbeat-resp': {
      const context = readOptionalBytes(r);
      return context === undefined ? { ...base, type } : { ...base, type, context };
    }
    case 'snapshot': {
      const meta = readMeta(r);
      return { ...base, type, meta, offset: r.u64(), totalBytes: r.u64(), data: r.bytes().slice() };
    }
    case 'snapshot-resp':
      return { ...base, type, snapshotIndex: r.u64(), nextOffset: r.u64(), reject: r.bool() };
    case 'timeout-now':
      return { ...base, type };
    case 'read-index':
      return { ...base, type, context: r.bytes().slice() };
    case 'read-index-resp':
      return { ...base, type, context: r.bytes().slice(), index: r.u64(), reject: r.bool() };
    case 'transfer-leader':
      return { ...base, type, transferee: r.str() };
  }
}

/** Encodes a batch of messages into one frame. */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  // Size hint so the writer does not regrow on big appends.
  let hint = 4;
  for (const m of messages) {
    hint += 64;
    if (m.type === 'append') for (const e of m.entries) hint += 25 + e.data.length;
  }
  const w = new ByteWriter(hint);
  w.u32(messages.length);
  for (const m of messages) writeMessage(w, m);
  return w.finish();
}

/** Decodes a frame made by encodeBatch; throws ByteCodecError on malformed input. */
export function decodeBatch(frame: Uint8Array): Message[] {
  const r = new ByteReader(frame);
  const out: Message[] = [];
  for (let n = r.u32(); n > 0; n--) out.push(readMessage(r));
  r.end();
  return out;
}
