import type { MountSpec } from '@shoal/common';
import { cliErrors } from '../cli-errors.js';

const bad = (msg: string) => cliErrors.make('INVALID_FLAG', msg);

/** POSIX path resolution without node:path (this module stays pure). */
export function resolvePosix(cwd: string, p: string): string {
  const parts: string[] = [];
  for (const seg of `${p.startsWith('/') ? '' : cwd}/${p}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

const MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'consistent', 'cached', 'delegated']);

/**
 * Split `-v` values the docker CLI way: `/ctr` is an anonymous volume
 * (Config.Volumes), `src:/ctr[:mode]` is a bind or named volume
 * (HostConfig.Binds, with a `.`-relative source made absolute from `cwd`).
 */
export function parseVolumeFlags(values: readonly string[], cwd: string): { binds: string[]; volumes: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const v of values) {
    const parts = v.split(':');
    if (v === '' || parts.length > 3) throw bad(`invalid volume specification: '${v}'`);
    if (parts.length === 1) {
      if (!v.startsWith('/')) throw bad(`invalid volume specification: '${v}': mount path must be absolute`);
      volumes[v] = {};
      continue;
    }
    const [rawSrc = '', dst = '', mode] = parts;
    let src = rawSrc;
    if (src === '') throw bad(`invalid volume specification: '${v}'`);
    if (!dst.startsWith('/')) throw bad(`invalid volume specification: '${v}': invalid mount config for type "bind": invalid mount path: '${dst}' mount path must be absolute`);
    if (mode !== undefined) {
      for (const m of mode.split(',')) if (!MODES.has(m)) throw bad(`invalid volume specification: '${v}': invalid mode: ${mode}`);
    }
    if (src.startsWith('.')) src = resolvePosix(cwd, src);
    binds.push([src, dst, ...(mode === undefined ? [] : [mode])].join(':'));
  }
  return { binds, volumes };
}

/** `--tmpfs /run:rw,size=64m` -> `{"/run": "rw,size=64m"}`. */
export function parseTmpfsFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    const dst = colon === -1 ? v : v.slice(0, colon);
    if (!dst.startsWith('/')) throw bad(`invalid tmpfs specification: '${v}': mount path must be absolute`);
    out[dst] = colon === -1 ? '' : v.slice(colon + 1);
  }
  return out;
}

/** Split one CSV record (double quotes allowed around a field, `""` is a quote). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  if (quoted) throw bad(`invalid field: unterminated quote in '${line}'`);
  out.push(cur);
  return out;
}

function parseBool(key: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  throw bad(`invalid value for ${key}: ${v}`);
}

/**
 * Parse one `--mount` value (`type=bind,source=/a,target=/b,readonly`,
 * `type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770`,
 * `type=volume,source=v,target=/d`). `ramBytes` parses tmpfs-size.
 */
export function parseMountFlag(value: string, cwd: string, ramBytes: (s: string) => number): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  for (const field of splitCsv(value)) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq === -1 ? undefined : field.slice(eq + 1);
    const need = (): string => {
      if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
      return val;
    };
    switch (key) {
      case 'type': m.Type = need().toLowerCase(); break;
      case 'source': case 'src': m.Source = need(); break;
      case 'target': case 'dst': case 'destination': m.Target = need(); break;
      case 'readonly': case 'ro': m.ReadOnly = parseBool(key, val); break;
      case 'consistency': need(); break;
      case 'bind-propagation': m.BindOptions = { ...m.BindOptions, Propagation: need().toLowerCase() }; break;
      case 'bind-nonrecursive': m.BindOptions = { ...m.BindOptions, NonRecursive: parseBool(key, val) }; break;
      case 'volume-nocopy': m.VolumeOptions = { ...m.VolumeOptions, NoCopy: parseBool(key, val) }; break;
      case 'volume-driver': m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...m.VolumeOptions?.DriverConfig, Name: need() } }; break;
      case 'volume-label': {
        const [k = '', ...rest] = need().split('=');
        m.VolumeOptions = { ...m.VolumeOptions, Labels: { ...m.VolumeOptions?.Labels, [k]: rest.join('=') } };
        break;
      }
      case 'volume-opt': {
        const [k = '', ...rest] = need().split('=');
        const dc = m.VolumeOptions?.DriverConfig;
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...dc, Options: { ...dc?.Options, [k]: rest.join('=') } } };
        break;
      }
      case 'tmpfs-size': m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: ramBytes(need()) }; break;
      case 'tmpfs-mode': {
        const v = need();
        if (!/^[0-7]+$/.test(v)) throw bad(`invalid value for ${key}: ${v}`);
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: parseInt(v, 8) };
        break;
      }
      default: throw bad(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!['bind', 'volume', 'tmpfs'].includes(m.Type)) throw bad(`invalid argument "${value}" for "--mount" flag: unsupported mount type '${m.Type}'`);
  if (m.Target === '') throw bad(`invalid argument "${value}" for "--mount" flag: target is required`);
  if (m.Type === 'bind') {
    if (m.Source === undefined || m.Source === '') throw bad(`invalid argument "${value}" for "--mount" flag: source is required when specifying bind mount`);
    if (!m.Source.startsWith('/')) m.Source = resolvePosix(cwd, m.Source);
  }
  if (m.Type === 'tmpfs' && m.Source !== undefined) throw bad(`invalid argument "${value}" for "--mount" flag: source is not allowed for tmpfs mounts`);
  if (m.Type !== 'bind' && m.BindOptions !== undefined) throw bad(`invalid argument "${value}" for "--mount" flag: cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.Type !== 'tmpfs' && m.TmpfsOptions !== undefined) throw bad(`invalid argument "${value}" for "--mount" flag: cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}
