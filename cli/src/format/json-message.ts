import { humanSize } from './human.js';

/** One progress message of pull/push/load/import (Docker's jsonmessage). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  from?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number; units?: string; hidecounts?: boolean };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

const ESC = '\u001b';

/** Docker's progress text: `[=====>      ] 1.2MB/3.4MB` (bar only on wide terminals). */
export function progressString(d: JsonMessage['progressDetail'], width: number): string {
  const current = d?.current ?? 0;
  const total = d?.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return d?.units === undefined || d.units === '' ? humanSize(current, 4).padStart(8) : `${current} ${d.units}`;
  let pct = Math.trunc((current / total) * 100 / 2);
  if (pct > 50) pct = 50;
  const bar = width > 110 ? `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] ` : '';
  if (d?.hidecounts === true) return bar;
  if (d?.units !== undefined && d.units !== '') return `${bar}${current}/${total} ${d.units}`;
  const cur = humanSize(current, 4);
  return current > total ? `${bar}${cur.padStart(8)}` : `${bar}${cur.padStart(8)}/${humanSize(total, 4)}`;
}

/**
 * Renders a jsonmessage stream the way the docker CLI does. On a terminal,
 * each layer id keeps one line that is rewritten in place (cursor up/down,
 * clear line) as its progress changes; elsewhere progress-bar updates are
 * dropped and every other message is one line. Pure: returns the text to
 * write for each message. An error message is not rendered: the caller
 * reports it.
 */
export class JsonMessageRenderer {
  #ids = new Map<string, number>();
  #tty: boolean;
  #width: number;

  constructor(opts: { tty: boolean; width?: number }) {
    this.#tty = opts.tty;
    this.#width = opts.width ?? 80;
  }

  render(m: JsonMessage): string {
    let out = '';
    let diff = 0;
    const hasProgress = m.progressDetail !== undefined || (m.progress !== undefined && m.progress !== '');
    if (m.id !== undefined && m.id !== '' && hasProgress) {
      let line = this.#ids.get(m.id);
      if (line === undefined) {
        line = this.#ids.size;
        this.#ids.set(m.id, line);
        if (this.#tty) out += '\n';
      }
      diff = this.#ids.size - line;
      if (this.#tty && diff > 0) out += `${ESC}[${diff}A`;
    } else {
      this.#ids.clear();
    }
    out += this.#display(m, hasProgress);
    if (m.id !== undefined && m.id !== '' && this.#tty && diff > 0) out += `${ESC}[${diff}B`;
    return out;
  }

  #display(m: JsonMessage, hasProgress: boolean): string {
    let out = '';
    let endl = '';
    const progress = m.progressDetail !== undefined ? progressString(m.progressDetail, this.#width) : (m.progress ?? '');
    if (this.#tty && (m.stream === undefined || m.stream === '') && hasProgress) {
      out += `${ESC}[2K\r`;
      endl = '\r';
    } else if (hasProgress && progress !== '') {
      return '';
    }
    if (m.id !== undefined && m.id !== '') out += `${m.id}: `;
    if (m.from !== undefined && m.from !== '') out += `(from ${m.from}) `;
    if (hasProgress && this.#tty) out += `${m.status ?? ''} ${progress}${endl}`;
    else if (m.stream !== undefined && m.stream !== '') out += `${m.stream}${endl}`;
    else out += `${m.status ?? ''}${endl}\n`;
    return out;
  }
}
