import { cliErrors } from '../cli-errors.js';
import { goJson, goPrint, goNumber } from './go-value.js';

/** A template function: receives evaluated arguments (the piped value last). */
export type TemplateFunc = (...args: unknown[]) => unknown;

const bad = (msg: string) => cliErrors.make('TEMPLATE', `template: ${msg}`);

/** Go's notion of truth: false, 0, "", nil, empty list and empty map are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return goPrint(v);
  throw bad(`${fn}: expected a string, got ${goPrint(v)}`);
}

/** A minimal Go fmt.Sprintf: %v %s %d %q %f %x %t %%, with flags, width and precision. */
export function goSprintf(format: string, ...args: unknown[]): string {
  let ai = 0;
  return format.replace(/%([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    let s: string;
    switch (verb) {
      case 'v': case 's': s = typeof a === 'string' ? a : goPrint(a); if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec)); break;
      case 'q': s = JSON.stringify(typeof a === 'string' ? a : goPrint(a)); break;
      case 'd': s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${goPrint(a)})`; break;
      case 'f': s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${goPrint(a)})`; break;
      case 'x': s = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(str(a, 'printf')).toString('hex'); break;
      case 't': s = String(a); break;
      default: s = `%!${verb}(${goPrint(a)})`;
    }
    if (flags.includes('+') && typeof a === 'number' && a >= 0 && (verb === 'd' || verb === 'f')) s = `+${s}`;
    const w = width === undefined ? 0 : Number(width);
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && typeof a === 'number') s = s.startsWith('-') ? `-${s.slice(1).padStart(w - 1, '0')}` : s.padStart(w, '0');
      else s = s.padStart(w);
    }
    return s;
  });
}

function compare(fn: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw bad(`${fn}: incompatible types for comparison`);
}

function eqBasic(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a === 'object' && a !== null) throw bad('eq: non-comparable type');
  return a === b;
}

/** Index into a list (number) or a map (key), as Go's index builtin. */
export function indexValue(v: unknown, key: unknown): unknown {
  if (v === undefined || v === null) throw bad('index of untyped nil');
  if (Array.isArray(v)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw bad('index: cannot index slice with non-integer');
    if (key < 0 || key >= v.length) throw bad(`index: index out of range: ${key}`);
    return v[key];
  }
  if (typeof v === 'string') {
    if (typeof key !== 'number') throw bad('index: cannot index string with non-integer');
    const c = v.charCodeAt(key);
    if (Number.isNaN(c)) throw bad(`index: index out of range: ${key}`);
    return c;
  }
  if (typeof v === 'object') return (v as Record<string, unknown>)[String(key)];
  throw bad(`index: can't index item of type ${typeof v}`);
}

/** The functions available in --format templates: Go's builtins plus docker's additions. */
export const templateFuncs: Readonly<Record<string, TemplateFunc>> = {
  // docker's
  json: (v) => goJson(v),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw bad('join: expected a list');
    return list.map((x) => (typeof x === 'string' ? x : goPrint(x))).join(str(sep, 'join'));
  },
  split: (s, sep) => str(s, 'split').split(str(sep, 'split')),
  upper: (s) => str(s, 'upper').toUpperCase(),
  lower: (s) => str(s, 'lower').toLowerCase(),
  title: (s) => str(s, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  pad: (s, before, after) => ' '.repeat(Number(before)) + str(s, 'pad') + ' '.repeat(Number(after)),
  truncate: (s, n) => {
    const text = str(s, 'truncate');
    const max = Number(n);
    return [...text].length > max ? [...text].slice(0, max).join('') : text;
  },
  // Go's builtins
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw bad(`len of type ${v === null || v === undefined ? 'nil' : typeof v}`);
  },
  index: (v, ...keys) => keys.reduce((acc, k) => indexValue(acc, k), v),
  slice: (v, ...idx) => {
    if (typeof v !== 'string' && !Array.isArray(v)) throw bad('slice: cannot slice this value');
    const [a = 0, b = v.length] = idx.map(Number);
    return v.slice(a, b);
  },
  print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + goPrint(a)).join(''),
  println: (...args) => `${args.map((a) => goPrint(a)).join(' ')}\n`,
  printf: (fmt, ...args) => goSprintf(str(fmt, 'printf'), ...args),
  not: (v) => !truthy(v),
  and: (...args) => {
    for (const a of args) if (!truthy(a)) return a;
    return args[args.length - 1];
  },
  or: (...args) => {
    for (const a of args) if (truthy(a)) return a;
    return args[args.length - 1];
  },
  eq: (a, ...rest) => {
    if (rest.length === 0) throw bad('eq: missing argument for comparison');
    return rest.some((b) => eqBasic(a, b));
  },
  ne: (a, b) => !eqBasic(a, b),
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
  urlquery: (...args) => encodeURIComponent(args.map((a) => goPrint(a)).join('')),
  html: (...args) => args.map((a) => goPrint(a)).join('').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
};

export { goNumber };
