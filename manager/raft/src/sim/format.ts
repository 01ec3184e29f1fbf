import { decodeConfChange } from '../core/index.js';
import type { Entry, Message } from '../core/index.js';

const dec = new TextDecoder();

function text(data: Uint8Array): string {
  const s = dec.decode(data);
  return s.length > 24 ? `${s.slice(0, 21)}...` : s;
}

/** `index/term`, plus the data: a conf change in parentheses, normal data quoted. */
export function formatEntry(e: Entry): string {
  if (e.type === 'conf-change') {
    const cc = decodeConfChange(e.data);
    return `${e.index}/${e.term}(${cc.type} ${cc.nodeId})`;
  }
  if (e.data.length === 0) return `${e.index}/${e.term}`;
  const s = dec.decode(e.data);
  if (s.startsWith('{"op":"put"')) {
    const cmd = JSON.parse(s) as { key: string; value: string };
    return `${e.index}/${e.term}:${cmd.key}=${cmd.value}`;
  }
  return `${e.index}/${e.term}:${JSON.stringify(text(e.data))}`;
}

/** One line describing a message, for scenario traces. */
export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}${m.type === 'vote' && m.transfer ? ' transfer' : ''}`;
    case 'pre-vote-resp':
    case 'vote-resp':
      return `${head} ${m.reject ? 'rejected' : 'granted'}`;
    case 'append':
      return `${head} prev=${m.prevIndex}/${m.prevTerm} commit=${m.commit} ents=[${m.entries.map(formatEntry).join(' ')}]`;
    case 'append-resp':
      return m.reject ? `${head} reject index=${m.index} hint=${m.hintIndex}/${m.hintTerm}` : `${head} index=${m.index}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.context !== undefined ? ` ctx=${text(m.context)}` : ''}`;
    case 'heartbeat-resp':
      return `${head}${m.context !== undefined ? ` ctx=${text(m.context)}` : ''}`;
    case 'snapshot':
      return `${head} snap=${m.meta.index}/${m.meta.term} bytes=${m.offset}+${m.data.length}/${m.totalBytes}`;
    case 'snapshot-resp':
      return `${head} snap=${m.snapshotIndex} next=${m.nextOffset}${m.reject ? ' reject' : ''}`;
    case 'timeout-now':
      return head;
    case 'read-index':
      return `${head} ctx=${text(m.context)}`;
    case 'read-index-resp':
      return `${head} ctx=${text(m.context)} index=${m.index}${m.reject ? ' reject' : ''}`;
    case 'transfer-leader':
      return `${head} transferee=${m.transferee}`;
  }
}
