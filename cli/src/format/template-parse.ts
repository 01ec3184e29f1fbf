import { cliErrors } from '../cli-errors.js';

/** An operand of a command in a pipeline. */
export type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'var'; name: string; path: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'sub'; pipe: Pipe; path: string[] };

/** `a b c | f x`: commands joined by `|`, optionally declaring variables. */
export interface Pipe {
  decl: string[];
  /** `=` rather than `:=`. */
  assign: boolean;
  cmds: Operand[][];
}

/** A node of the parsed template. */
export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | BlockNode;

/** `{{if}}`, `{{with}}` or `{{range}}` with its body and `{{else}}` part. */
export interface BlockNode { kind: 'if' | 'with' | 'range'; pipe: Pipe; body: TemplateNode[]; alt: TemplateNode[] | undefined }

const bad = (msg: string) => cliErrors.make('TEMPLATE', `template: ${msg}`);

interface Tok { t: string; v: string; spaceBefore: boolean }

function lexAction(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let space = true;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) { i++; space = true; continue; }
    const push = (t: string, v: string, len: number) => { toks.push({ t, v, spaceBefore: space }); i += len; space = false; };
    if (c === '"') {
      let j = i + 1;
      let out = '';
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          j++;
          const e = src[j];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : (e ?? '');
        } else out += src[j];
      }
      if (j >= src.length) throw bad('unterminated quoted string');
      push('str', out, j + 1 - i);
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j === -1) throw bad('unterminated raw quoted string');
      push('str', src.slice(i + 1, j), j + 1 - i);
    } else if (c === '.' || c === '$') {
      // .A.B / . / $x.A / $
      let j = i;
      let v = '';
      if (c === '$') {
        ident.lastIndex = i + 1;
        const m = ident.exec(src);
        v = `$${m?.[0] ?? ''}`;
        j = i + v.length;
      }
      while (src[j] === '.') {
        ident.lastIndex = j + 1;
        const m = ident.exec(src);
        if (m === null) { j++; v += '.'; break; }
        v += `.${m[0]}`;
        j += 1 + m[0].length;
      }
      push(c === '$' ? 'var' : 'field', v, j - i);
    } else if (/[0-9-+]/.test(c)) {
      const m = /[-+]?(0x[0-9a-fA-F]+|\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+)/y;
      m.lastIndex = i;
      const r = m.exec(src);
      if (r === null) throw bad(`bad number syntax near ${src.slice(i, i + 5)}`);
      push('num', r[0], r[0].length);
    } else if (c === ':' && src[i + 1] === '=') push(':=', ':=', 2);
    else if ('|()=,'.includes(c)) push(c, c, 1);
    else {
      ident.lastIndex = i;
      const m = ident.exec(src);
      if (m === null) throw bad(`unexpected "${c}" in command`);
      push('ident', m[0], m[0].length);
    }
  }
  return toks;
}

function pathOf(v: string): string[] {
  return v.split('.').slice(1).filter((s) => s !== '');
}

class PipeParser {
  #toks: Tok[];
  #i = 0;
  constructor(toks: Tok[]) { this.#toks = toks; }
  peek(): Tok | undefined { return this.#toks[this.#i]; }
  next(): Tok | undefined { return this.#toks[this.#i++]; }
  done(): boolean { return this.#i >= this.#toks.length; }

  pipe(allowDecl: boolean, closer?: string): Pipe {
    const p: Pipe = { decl: [], assign: false, cmds: [] };
    if (allowDecl) {
      const save = this.#i;
      const names: string[] = [];
      while (this.peek()?.t === 'var') {
        names.push(this.next()?.v ?? '');
        if (this.peek()?.t === ',') { this.next(); continue; }
        break;
      }
      const op = this.peek()?.t;
      if (names.length > 0 && (op === ':=' || op === '=')) {
        this.next();
        p.decl = names;
        p.assign = op === '=';
      } else this.#i = save;
    }
    let cmd: Operand[] = [];
    for (;;) {
      const tk = this.peek();
      if (tk === undefined || tk.t === closer) break;
      if (tk.t === '|') {
        this.next();
        if (cmd.length === 0) throw bad('missing command before |');
        p.cmds.push(cmd);
        cmd = [];
        continue;
      }
      cmd.push(this.operand());
    }
    if (cmd.length === 0) throw bad(p.cmds.length > 0 ? 'missing command after |' : 'missing value for command');
    p.cmds.push(cmd);
    return p;
  }

  operand(): Operand {
    const tk = this.next();
    if (tk === undefined) throw bad('unexpected end of action');
    switch (tk.t) {
      case 'str': return { kind: 'str', value: tk.v };
      case 'num': return { kind: 'num', value: Number(tk.v) };
      case 'field': return { kind: 'field', path: pathOf(tk.v) };
      case 'var': {
        const dot = tk.v.indexOf('.');
        return { kind: 'var', name: dot === -1 ? tk.v : tk.v.slice(0, dot), path: dot === -1 ? [] : pathOf(tk.v.slice(dot)) };
      }
      case 'ident':
        if (tk.v === 'true' || tk.v === 'false') return { kind: 'bool', value: tk.v === 'true' };
        if (tk.v === 'nil') return { kind: 'nil' };
        return { kind: 'ident', name: tk.v };
      case '(': {
        const pipe = this.pipe(false, ')');
        if (this.next()?.t !== ')') throw bad('unclosed left paren');
        const after = this.peek();
        let path: string[] = [];
        if (after !== undefined && after.t === 'field' && !after.spaceBefore) {
          this.next();
          path = pathOf(after.v);
        }
        return { kind: 'sub', pipe, path };
      }
      default: throw bad(`unexpected "${tk.v}" in operand`);
    }
  }
}

interface RawAction { kind: 'text'; text: string }
interface RawCode { kind: 'code'; code: string }

function splitTemplate(src: string): Array<RawAction | RawCode> {
  const out: Array<RawAction | RawCode> = [];
  let i = 0;
  for (;;) {
    const open = src.indexOf('{{', i);
    if (open === -1) { out.push({ kind: 'text', text: src.slice(i) }); break; }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ kind: 'text', text });
    // find the closing }} outside of string literals
    let j = start;
    let quote = '';
    for (; j < src.length; j++) {
      const c = src[j];
      if (quote !== '') {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`') quote = c;
      else if (src.startsWith('}}', j)) break;
    }
    if (j >= src.length) throw bad('unclosed action');
    let code = src.slice(start, j);
    i = j + 2;
    if (/\s-$/.test(code)) {
      code = code.slice(0, -1);
      const ws = /^\s*/.exec(src.slice(i));
      i += ws?.[0].length ?? 0;
    }
    out.push({ kind: 'code', code });
  }
  return out.filter((p) => p.kind === 'code' || p.text !== '');
}

/**
 * Parse a Go text/template (the subset the docker CLI's --format users
 * write): text, `{{pipeline}}`, `{{- trim -}}`, comments, variables,
 * `if`/`else if`/`else`/`end`, `range` (with `$i, $v :=`), `with`.
 * Throws CLI_TEMPLATE.
 */
export function parseTemplate(src: string): TemplateNode[] {
  const parts = splitTemplate(src);
  let idx = 0;
  // returns the nodes and the keyword that ended the list ('end', 'else', or '' at EOF)
  const list = (): { nodes: TemplateNode[]; stop: string; rest: Tok[] } => {
    const nodes: TemplateNode[] = [];
    while (idx < parts.length) {
      const p = parts[idx++];
      if (p === undefined) break;
      if (p.kind === 'text') { nodes.push({ kind: 'text', text: p.text }); continue; }
      const code = p.code.trim();
      if (code.startsWith('/*')) {
        if (!code.endsWith('*/')) throw bad('unclosed comment');
        continue;
      }
      const toks = lexAction(code);
      const first = toks[0];
      if (first === undefined) throw bad('missing value for command');
      if (first.t === 'ident' && (first.v === 'end' || first.v === 'else')) {
        return { nodes, stop: first.v, rest: toks.slice(1) };
      }
      if (first.t === 'ident' && (first.v === 'if' || first.v === 'with' || first.v === 'range')) {
        nodes.push(block(first.v, toks.slice(1)));
        continue;
      }
      if (first.t === 'ident' && (first.v === 'define' || first.v === 'template' || first.v === 'block' || first.v === 'break' || first.v === 'continue')) {
        throw bad(`"${first.v}" is not supported`);
      }
      const pp = new PipeParser(toks);
      const pipe = pp.pipe(true);
      if (!pp.done()) throw bad(`unexpected "${pp.peek()?.v}" in command`);
      nodes.push({ kind: 'action', pipe });
    }
    return { nodes, stop: '', rest: [] };
  };
  const block = (kind: 'if' | 'with' | 'range', toks: Tok[]): TemplateNode => {
    const pp = new PipeParser(toks);
    const pipe = pp.pipe(kind === 'range' || kind === 'with' || kind === 'if');
    if (!pp.done()) throw bad(`unexpected "${pp.peek()?.v}" in ${kind}`);
    const body = list();
    if (body.stop === '') throw bad(`unexpected EOF: missing {{end}} for ${kind}`);
    let alt: TemplateNode[] | undefined;
    if (body.stop === 'else') {
      const head = body.rest[0];
      if (head !== undefined && head.t === 'ident' && (head.v === 'if' || head.v === 'with') && kind === head.v) {
        // else if / else with: a nested block that consumes the shared {{end}}
        alt = [block(head.v, body.rest.slice(1))];
      } else {
        if (body.rest.length > 0) throw bad(`unexpected "${head?.v}" after else`);
        const a = list();
        if (a.stop !== 'end') throw bad(`expected {{end}} for ${kind}`);
        if (a.rest.length > 0) throw bad('unexpected tokens after end');
        alt = a.nodes;
      }
    } else if (body.rest.length > 0) throw bad('unexpected tokens after end');
    return { kind, pipe, body: body.nodes, alt };
  };
  const top = list();
  if (top.stop !== '') throw bad(`unexpected {{${top.stop}}}`);
  return top.nodes;
}
