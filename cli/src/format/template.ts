import { cliErrors } from '../cli-errors.js';
import { goPrint } from './go-value.js';
import { parseTemplate } from './template-parse.js';
import type { BlockNode, Operand, Pipe, TemplateNode } from './template-parse.js';
import { templateFuncs, truthy } from './template-funcs.js';
import type { TemplateFunc } from './template-funcs.js';

const bad = (msg: string) => cliErrors.make('TEMPLATE', `template: ${msg}`);

class Scope {
  #vars = new Map<string, unknown>();
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) { this.parent = parent; }
  declare(name: string, v: unknown): void { this.#vars.set(name, v); }
  #owner(name: string): Scope {
    if (this.#vars.has(name)) return this;
    if (this.parent === undefined) throw bad(`undefined variable: ${name}`);
    return this.parent.#owner(name);
  }
  assign(name: string, v: unknown): void { this.#owner(name).#vars.set(name, v); }
  get(name: string): unknown { return this.#owner(name).#vars.get(name); }
}

function walk(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (cur === undefined || cur === null) return undefined;
    if (typeof cur !== 'object' || Array.isArray(cur)) throw bad(`can't evaluate field ${key} in type ${Array.isArray(cur) ? 'slice' : typeof cur}`);
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A parsed --format template, ready to execute against many values. */
export class Template {
  #nodes: TemplateNode[];
  #funcs: Readonly<Record<string, TemplateFunc>>;

  /** Parse `src`; throws CLI_TEMPLATE on a syntax error. `funcs` add to or override the defaults. */
  constructor(src: string, funcs: Readonly<Record<string, TemplateFunc>> = {}) {
    this.#funcs = { ...templateFuncs, ...funcs };
    this.#nodes = parseTemplate(src);
    this.#checkFuncs(this.#nodes);
  }

  /** Execute with `.` = `data`; throws CLI_TEMPLATE on an evaluation error. */
  execute(data: unknown): string {
    const scope = new Scope();
    scope.declare('$', data);
    const out: string[] = [];
    this.#run(this.#nodes, data, scope, out);
    return out.join('');
  }

  #checkFuncs(nodes: TemplateNode[]): void {
    const checkPipe = (p: Pipe) => {
      for (const cmd of p.cmds) for (const op of cmd) {
        if (op.kind === 'ident' && this.#funcs[op.name] === undefined) throw bad(`function "${op.name}" not defined`);
        if (op.kind === 'sub') checkPipe(op.pipe);
      }
    };
    for (const n of nodes) {
      if (n.kind === 'text') continue;
      checkPipe(n.pipe);
      if (n.kind !== 'action') {
        this.#checkFuncs(n.body);
        if (n.alt !== undefined) this.#checkFuncs(n.alt);
      }
    }
  }

  #run(nodes: readonly TemplateNode[], dot: unknown, scope: Scope, out: string[]): void {
    for (const n of nodes) {
      switch (n.kind) {
        case 'text': out.push(n.text); break;
        case 'action': {
          const v = this.#pipe(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) out.push(goPrint(v));
          break;
        }
        case 'if': {
          const inner = new Scope(scope);
          const v = this.#pipe(n.pipe, dot, inner);
          if (truthy(v)) this.#run(n.body, dot, inner, out);
          else if (n.alt !== undefined) this.#run(n.alt, dot, inner, out);
          break;
        }
        case 'with': {
          const inner = new Scope(scope);
          const v = this.#pipe(n.pipe, dot, inner);
          if (truthy(v)) this.#run(n.body, v, inner, out);
          else if (n.alt !== undefined) this.#run(n.alt, dot, inner, out);
          break;
        }
        case 'range': this.#range(n, dot, scope, out); break;
      }
    }
  }

  #range(n: BlockNode, dot: unknown, scope: Scope, out: string[]): void {
    const decl = n.pipe.decl;
    const v = this.#pipe({ ...n.pipe, decl: [] }, dot, scope);
    let items: Array<[unknown, unknown]> = [];
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_x, i) => [i, i]);
    else if (v !== null && typeof v === 'object') items = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if (v !== undefined && v !== null) throw bad(`range can't iterate over ${goPrint(v)}`);
    if (items.length === 0) {
      if (n.alt !== undefined) this.#run(n.alt, dot, new Scope(scope), out);
      return;
    }
    for (const [k, x] of items) {
      const inner = new Scope(scope);
      if (decl.length === 1) inner.declare(decl[0] ?? '', x);
      else if (decl.length === 2) { inner.declare(decl[0] ?? '', k); inner.declare(decl[1] ?? '', x); }
      this.#run(n.body, x, inner, out);
    }
  }

  #pipe(p: Pipe, dot: unknown, scope: Scope): unknown {
    let val: unknown;
    let has = false;
    for (const cmd of p.cmds) {
      val = this.#cmd(cmd, dot, scope, has ? [val] : []);
      has = true;
    }
    for (const name of p.decl) {
      if (p.assign) scope.assign(name, val);
      else scope.declare(name, val);
    }
    return val;
  }

  #cmd(cmd: readonly Operand[], dot: unknown, scope: Scope, piped: unknown[]): unknown {
    const [head, ...rest] = cmd;
    if (head === undefined) throw bad('empty command');
    if (head.kind === 'ident') {
      const fn = this.#funcs[head.name];
      if (fn === undefined) throw bad(`function "${head.name}" not defined`);
      return fn(...rest.map((o) => this.#operand(o, dot, scope)), ...piped);
    }
    const v = this.#operand(head, dot, scope);
    // A function-valued field is a method (docker's `{{.Label "com.x"}}`).
    if (typeof v === 'function') return (v as TemplateFunc)(...rest.map((o) => this.#operand(o, dot, scope)), ...piped);
    if (rest.length > 0 || piped.length > 0) throw bad(`can't give argument to non-function ${describe(head)}`);
    return v;
  }

  #operand(o: Operand, dot: unknown, scope: Scope): unknown {
    switch (o.kind) {
      case 'field': return walk(dot, o.path);
      case 'var': return walk(scope.get(o.name), o.path);
      case 'str': return o.value;
      case 'num': return o.value;
      case 'bool': return o.value;
      case 'nil': return null;
      case 'sub': return walk(this.#pipe(o.pipe, dot, scope), o.path);
      case 'ident': {
        const fn = this.#funcs[o.name];
        if (fn === undefined) throw bad(`function "${o.name}" not defined`);
        return fn();
      }
    }
  }
}

function describe(o: Operand): string {
  switch (o.kind) {
    case 'field': return `.${o.path.join('.')}`;
    case 'var': return [o.name, ...o.path].join('.');
    case 'str': return JSON.stringify(o.value);
    case 'num': return String(o.value);
    default: return o.kind;
  }
}

/** Parse and execute once. */
export function renderTemplate(src: string, data: unknown): string {
  return new Template(src).execute(data);
}
