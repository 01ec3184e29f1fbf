import type { Readable } from 'node:stream';

/**
 * Split a stream of newline-delimited JSON (events, stats, load/import
 * progress) into raw lines; blank lines are skipped. The caller parses.
 */
export async function* jsonLines(stream: Readable): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of stream) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') yield line;
    }
  }
  const rest = buf.trim();
  if (rest !== '') {
    // Some daemons send concatenated objects without newlines: split them.
    for (const part of splitConcatenated(rest)) yield part;
  }
}

/** `{"a":1}{"b":2}` -> two strings (braces counted outside strings). */
export function splitConcatenated(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        out.push(s.slice(start, i + 1).trim());
        start = i + 1;
      }
    }
  }
  const tail = s.slice(start).trim();
  if (tail !== '') out.push(tail);
  return out;
}
