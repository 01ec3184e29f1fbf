/**
 * Print a JSON-shaped value the way Go's text/template prints what the
 * docker CLI decodes: strings bare, whole numbers without exponent, arrays
 * as `[a b]`, objects as `map[k:v]` with sorted keys, null as `<nil>` and
 * a missing field as `<no value>`.
 */
export function goPrint(v: unknown): string {
  if (v === undefined) return '<no value>';
  return goInner(v);
}

function goInner(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goInner).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goInner(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** A number as Go's %v: integers plainly, other floats with %g's shortest form. */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [mant = '', e = '0'] = n.toExponential().split('e');
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(n);
}

/**
 * Go's `%.<prec>g`: `prec` significant digits, exponent form when the
 * exponent is < -4 or >= prec, trailing zeros removed.
 */
export function formatG(n: number, prec: number): string {
  if (n === 0) return '0';
  const [mant = '', e = '0'] = n.toExponential(prec - 1).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= prec) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, prec - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Go's json encoding as docker's `json` template function does it (no HTML escaping). */
export function goJson(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}
