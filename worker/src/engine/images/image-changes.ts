/**
 * Dockerfile instructions accepted by `docker import --change` and
 * `docker commit --change`, applied to an image config. Pure: no I/O.
 */
import { parseGoDuration } from '@shoal/common';
import type { ImageConfig } from '@shoal/common';
import { imageErrors } from './image-errors.js';

const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

function bad(msg: string): never {
  throw imageErrors.make('INVALID_CHANGE', msg);
}

/**
 * Split `s` into words like Dockerfile key=value parsing does: spaces
 * separate words, double and single quotes group, backslash escapes.
 */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== undefined) bad(`unmatched quote in ${JSON.stringify(s)}`);
  if (inWord) words.push(cur);
  return words;
}

/** `k=v k2="v 2"` or the legacy `k v with spaces` form (ENV, LABEL). */
function parseKeyValues(instr: string, rest: string): Array<[string, string]> {
  const words = splitWords(rest);
  if (words.length === 0) bad(`${instr} requires at least one argument`);
  const first = words[0] as string;
  if (!first.includes('=')) {
    // Legacy form: the first word is the key, the rest of the line the value.
    const m = /^\s*\S+\s+(.*)$/s.exec(rest);
    if (m === null) bad(`${instr} must have two arguments`);
    return [[first, splitWords(m[1] as string).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) bad(`${instr} names can not be blank` + (i < 0 ? `: ${w}` : ''));
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** JSON array form if it parses as an array of strings, else undefined. */
function jsonArray(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    return undefined;
  }
  return undefined;
}

function shellForm(cfg: ImageConfig, rest: string): string[] {
  return [...(cfg.Shell !== undefined && cfg.Shell.length > 0 ? cfg.Shell : ['/bin/sh', '-c']), rest.trim()];
}

/** Expand `80`, `53/udp`, `8000-8002/tcp` into Docker's `80/tcp` keys. */
function exposeKeys(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (m === null) bad(`invalid port for EXPOSE: ${spec}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) bad(`invalid port range for EXPOSE: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

function healthcheck(cfg: ImageConfig, rest: string): ImageConfig['Healthcheck'] {
  const words = rest.trim();
  if (/^none$/i.test(words)) return { Test: ['NONE'] };
  const hc: NonNullable<ImageConfig['Healthcheck']> = {};
  let r = words;
  for (;;) {
    const m = /^--(interval|timeout|start-period|start-interval|retries)=(\S+)\s+/.exec(r);
    if (m === null) break;
    const [, flag, value] = m as unknown as [string, string, string];
    if (flag === 'retries') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) bad(`HEALTHCHECK --retries must be a non-negative integer: ${value}`);
      hc.Retries = n;
    } else {
      let ns: number;
      try {
        ns = parseGoDuration(value);
      } catch (e) {
        bad(`HEALTHCHECK --${flag}: ${(e as Error).message}`);
      }
      if (flag === 'interval') hc.Interval = ns;
      else if (flag === 'timeout') hc.Timeout = ns;
      else if (flag === 'start-period') hc.StartPeriod = ns;
      else (hc as Record<string, number>).StartInterval = ns;
    }
    r = r.slice(m[0].length);
  }
  const cm = /^CMD\s+(.*)$/is.exec(r);
  if (cm === null) bad(`HEALTHCHECK must be NONE or [OPTIONS] CMD command`);
  const rest2 = cm[1] as string;
  const arr = jsonArray(rest2);
  hc.Test = arr !== undefined ? ['CMD', ...arr] : ['CMD-SHELL', rest2.trim()];
  void cfg;
  return hc;
}

/**
 * Apply `changes` (one Dockerfile instruction each) to a copy of `base`.
 * Throws ENGINE_IMAGE_INVALID_CHANGE for an unknown or malformed one
 * (Docker's message: "ADD is not a valid change command").
 */
export function applyChanges(base: ImageConfig, changes: readonly string[]): ImageConfig {
  const cfg: ImageConfig = structuredClone(base);
  let cmdSet = false;
  for (const raw of changes) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)(?:\s+(.*))?$/s.exec(line);
    const instr = (m?.[1] ?? '').toUpperCase();
    const rest = m?.[2] ?? '';
    if (!ALLOWED.has(instr)) bad(`${m?.[1] ?? line} is not a valid change command`);
    switch (instr) {
      case 'CMD':
        cfg.Cmd = jsonArray(rest) ?? shellForm(cfg, rest);
        cmdSet = true;
        break;
      case 'ENTRYPOINT': {
        const arr = jsonArray(rest);
        cfg.Entrypoint = arr ?? (rest.trim() === '' ? null : shellForm(cfg, rest));
        // As in a Dockerfile: ENTRYPOINT drops an inherited CMD unless CMD was set here before.
        if (!cmdSet) cfg.Cmd = null;
        break;
      }
      case 'ENV': {
        const env = [...(cfg.Env ?? [])];
        for (const [k, v] of parseKeyValues(instr, rest)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        cfg.Env = env;
        break;
      }
      case 'LABEL': {
        const labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of parseKeyValues(instr, rest)) labels[k] = v;
        cfg.Labels = labels;
        break;
      }
      case 'EXPOSE': {
        const ports = { ...(cfg.ExposedPorts ?? {}) };
        const specs = splitWords(rest);
        if (specs.length === 0) bad('EXPOSE requires at least one argument');
        for (const spec of specs) for (const k of exposeKeys(spec)) ports[k] = {};
        cfg.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(cfg.Volumes ?? {}) };
        const list = jsonArray(rest) ?? splitWords(rest);
        if (list.length === 0) bad('VOLUME requires at least one argument');
        for (const v of list) {
          if (v.trim() === '') bad('VOLUME specified can not be an empty string');
          vols[v] = {};
        }
        cfg.Volumes = vols;
        break;
      }
      case 'WORKDIR': {
        const w = splitWords(rest).join(' ');
        if (w === '') bad('WORKDIR requires exactly one argument');
        const prev = cfg.WorkingDir === undefined || cfg.WorkingDir === '' ? '/' : cfg.WorkingDir;
        const joined = w.startsWith('/') ? w : `${prev}/${w}`;
        cfg.WorkingDir = normalizePath(joined);
        break;
      }
      case 'USER': {
        const u = splitWords(rest);
        if (u.length !== 1) bad('USER requires exactly one argument');
        cfg.User = u[0] as string;
        break;
      }
      case 'STOPSIGNAL': {
        const s = splitWords(rest);
        if (s.length !== 1) bad('STOPSIGNAL requires exactly one argument');
        cfg.StopSignal = s[0] as string;
        break;
      }
      case 'ONBUILD': {
        const t = rest.trim();
        const first = (t.split(/\s+/)[0] ?? '').toUpperCase();
        if (first === '' ) bad('ONBUILD requires at least one argument');
        if (first === 'ONBUILD') bad('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (first === 'MAINTAINER' || first === 'FROM') bad(`${first} isn't allowed as an ONBUILD trigger`);
        cfg.OnBuild = [...(cfg.OnBuild ?? []), t];
        break;
      }
      case 'HEALTHCHECK': {
        const hc = healthcheck(cfg, rest);
        if (hc !== undefined) cfg.Healthcheck = hc;
        break;
      }
    }
  }
  return cfg;
}

function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
