/**
 * A container's mounts, planned at create from `-v` (Binds), `--mount`
 * (Mounts), `--tmpfs`, `--volumes-from` and the image's and body's VOLUME
 * list, with Docker's precedence: mounts inherited from other containers,
 * overridden by explicit binds and mounts (which may not repeat a
 * destination), then one anonymous volume per VOLUME path not mounted yet.
 * Pure: the volumes are named and created afterwards (volume-binding.ts).
 */
import type { HostConfig, MountPoint, MountSpec } from '@shoal/common';
import { checkDriver, checkVolumeName, isVolumeName, localMount } from '../volumes/index.js';
import { containerErrors } from './errors.js';

/** One mount of a container, as stored in its record. */
export interface PlannedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: host path; volume: its name ('' until an anonymous volume is made); tmpfs: ''. */
  source: string;
  destination: string;
  readOnly: boolean;
  /** Inspect's `Mode` (the -v mode string, `z` for volumes given by -v). */
  mode: string;
  /** bind: rprivate (default), private, rshared, shared, rslave, slave. */
  propagation?: string;
  /** tmpfs: mount options. */
  tmpfsOptions?: string[];
  /** bind from -v: a missing host directory is created. */
  createSource?: boolean;
  /** volume: do not copy the image's content into it when empty (`nocopy`, `volume-nocopy`). */
  noCopy?: boolean;
  /** volume: made for this container (VOLUME, `-v /path`, `--mount type=volume` without source); `rm -v` removes it. */
  anonymous?: boolean;
  /** volume to create on first use: driver, options, labels (`--mount volume-driver=, volume-opt=, volume-label=`). */
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const BIND_MODES = ['ro', 'rw', 'z', 'Z', 'nocopy', 'consistent', 'cached', 'delegated', ...PROPAGATIONS];

const isAbs = (p: string): boolean => p.startsWith('/');
const bad = (msg: string): Error => containerErrors.make('INVALID_CONFIG', msg);

function checkDestination(dst: string, spec: string): void {
  if (!isAbs(dst)) throw bad(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${dst}' mount path must be absolute`);
  if (dst === '/') throw bad(`invalid volume specification: '${spec}': invalid mount config: destination can't be '/'`);
}

/** A `-v SRC:DST[:MODE]` entry of Binds. */
function planBind(b: string): PlannedMount {
  const parts = b.split(':');
  if (parts.length < 2 || parts.length > 3) throw bad(`invalid volume specification: '${b}'`);
  const [src = '', dst = '', mode = ''] = parts;
  checkDestination(dst, b);
  const opts = mode.split(',').filter((o) => o !== '');
  for (const o of opts) if (!BIND_MODES.includes(o)) throw bad(`invalid mode: ${o}`);
  if (opts.includes('ro') && opts.includes('rw')) throw bad(`invalid mode: ${mode}`);
  const readOnly = opts.includes('ro');
  const propagation = opts.find((o) => PROPAGATIONS.includes(o));
  if (src === '') throw bad(`invalid volume specification: '${b}'`);
  if (isAbs(src)) {
    if (opts.includes('nocopy')) throw bad(`invalid mode: nocopy: only volumes can use nocopy`);
    return { type: 'bind', source: src, destination: dst, readOnly, mode, propagation: propagation ?? 'rprivate', createSource: true };
  }
  if (!isVolumeName(src)) throw bad(`invalid volume specification: '${b}': a host path must be absolute`);
  checkVolumeName(src);
  if (propagation !== undefined) throw bad(`invalid mode: ${propagation}: propagation applies to bind mounts only`);
  return { type: 'volume', source: src, destination: dst, readOnly, mode: mode === '' ? 'z' : mode, noCopy: opts.includes('nocopy') };
}

/** A `--mount` entry of Mounts. */
function planMount(m: MountSpec): PlannedMount {
  const where = `${m.Type}:${m.Source ?? ''}:${m.Target}`;
  if (m.Target === undefined || m.Target === '') throw bad('invalid mount config: Target must not be empty');
  checkDestination(m.Target, where);
  const readOnly = m.ReadOnly === true;
  if (m.Type === 'bind') {
    if (m.Source === undefined || m.Source === '') throw bad('invalid mount config for type "bind": field Source must not be empty');
    if (!isAbs(m.Source)) throw bad(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
    if (m.VolumeOptions !== undefined || m.TmpfsOptions !== undefined) throw bad('invalid mount config for type "bind": only BindOptions may be given');
    const propagation = m.BindOptions?.Propagation ?? '';
    if (propagation !== '' && !PROPAGATIONS.includes(propagation)) throw bad(`invalid mount config: invalid propagation mode: ${propagation}`);
    return {
      type: 'bind', source: m.Source, destination: m.Target, readOnly, mode: '', propagation: propagation === '' ? 'rprivate' : propagation,
      createSource: m.BindOptions?.CreateMountpoint === true,
    };
  }
  if (m.Type === 'volume') {
    if (m.BindOptions !== undefined || m.TmpfsOptions !== undefined) throw bad('invalid mount config for type "volume": only VolumeOptions may be given');
    const src = m.Source ?? '';
    if (src !== '') {
      if (isAbs(src)) throw bad(`invalid mount config for type "volume": invalid volume name: '${src}' (a host path needs type=bind)`);
      checkVolumeName(src);
    }
    const vo = m.VolumeOptions ?? {};
    if (vo.Subpath !== undefined && vo.Subpath !== '') throw containerErrors.make('NOT_SUPPORTED', 'volume-subpath is not supported');
    const driver = vo.DriverConfig?.Name;
    checkDriver(driver);
    const driverOpts = vo.DriverConfig?.Options;
    if (driverOpts !== undefined) localMount(driverOpts);
    return {
      type: 'volume', source: src, destination: m.Target, readOnly, mode: 'z', noCopy: vo.NoCopy === true, anonymous: src === '',
      ...(driver !== undefined && driver !== '' ? { driver } : {}), ...(driverOpts !== undefined ? { driverOpts } : {}),
      ...(vo.Labels !== undefined ? { labels: vo.Labels } : {}),
    };
  }
  if (m.Type === 'tmpfs') {
    if (m.Source !== undefined && m.Source !== '') throw bad('invalid mount config for type "tmpfs": Source must be empty');
    if (m.BindOptions !== undefined || m.VolumeOptions !== undefined) throw bad('invalid mount config for type "tmpfs": only TmpfsOptions may be given');
    const o = ['noexec', 'nosuid', 'nodev'];
    const size = m.TmpfsOptions?.SizeBytes ?? 0;
    if (size < 0) throw bad('invalid mount config for type "tmpfs": size must not be negative');
    if (size > 0) o.push(`size=${size}`);
    if (m.TmpfsOptions?.Mode !== undefined) o.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
    return { type: 'tmpfs', source: '', destination: m.Target, readOnly, mode: '', tmpfsOptions: o };
  }
  throw containerErrors.make('NOT_SUPPORTED', `mount type "${m.Type}" is not supported`);
}

/** A `--tmpfs DST[:OPTS]` entry. */
function planTmpfs(dst: string, optStr: string): PlannedMount {
  if (!isAbs(dst)) throw bad(`invalid tmpfs mount path: ${dst}`);
  const user = optStr.split(',').filter((o) => o !== '');
  const base = ['noexec', 'nosuid', 'nodev'].filter((d) => !user.some((u) => u === d.replace(/^no/, '') || u === d));
  return { type: 'tmpfs', source: '', destination: dst, readOnly: user.includes('ro'), mode: optStr, tmpfsOptions: [...base, ...user] };
}

/**
 * `--volumes-from REF[:ro|rw]` split; the mode overrides the source's
 * read-only flag (Docker's rule).
 */
export function parseVolumesFrom(spec: string): { ref: string; mode: '' | 'ro' | 'rw' } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { ref: spec, mode: '' };
  const mode = spec.slice(i + 1);
  if (mode !== 'ro' && mode !== 'rw') throw bad(`invalid mode: ${mode}`);
  return { ref: spec.slice(0, i), mode };
}

/** Mounts of another container as `--volumes-from` inherits them. */
export function inheritMounts(from: readonly PlannedMount[], mode: '' | 'ro' | 'rw'): PlannedMount[] {
  return from.map((m) => {
    const { anonymous: _a, createSource: _c, ...rest } = m;
    return { ...rest, readOnly: mode === '' ? m.readOnly : mode === 'ro' };
  });
}

/**
 * Plan the mounts of a new container (see the file comment). `volumePaths`:
 * the merged config's VOLUME destinations; `inherited`: what --volumes-from
 * gives, already resolved (parseVolumesFrom, inheritMounts).
 */
export function planMounts(hc: HostConfig, volumePaths: readonly string[], inherited: readonly PlannedMount[] = []): PlannedMount[] {
  checkDriver(hc.VolumeDriver);
  const byDest = new Map<string, PlannedMount>();
  for (const m of inherited) byDest.set(m.destination, m);
  const explicit = new Set<string>();
  const add = (m: PlannedMount): void => {
    if (explicit.has(m.destination)) throw bad(`Duplicate mount point: ${m.destination}`);
    explicit.add(m.destination);
    byDest.set(m.destination, m);
  };
  for (const b of hc.Binds ?? []) add(planBind(b));
  for (const m of hc.Mounts ?? []) add(planMount(m));
  for (const [dst, o] of Object.entries(hc.Tmpfs ?? {})) add(planTmpfs(dst, o));
  for (const dst of volumePaths) {
    if (!isAbs(dst)) throw bad(`invalid volume specification: '${dst}': mount path must be absolute`);
    const d = dst.length > 1 ? dst.replace(/\/+$/, '') : dst;
    if (byDest.has(d)) continue;
    byDest.set(d, { type: 'volume', source: '', destination: d, readOnly: false, mode: '', anonymous: true });
  }
  return [...byDest.values()];
}

/** The plan of a record written before volumes existed: its Binds, Mounts and Tmpfs (bind and tmpfs only). */
export function legacyPlan(hc: HostConfig): PlannedMount[] {
  return planMounts(hc, []);
}

/** Inspect's view of a planned mount; `volumePath`: where a volume's data is on the host. */
export function mountPointOf(m: PlannedMount, volumePath: (name: string) => string): MountPoint {
  if (m.type === 'volume') {
    return { Type: 'volume', Name: m.source, Source: volumePath(m.source), Destination: m.destination, Driver: m.driver ?? 'local', Mode: m.mode, RW: !m.readOnly, Propagation: '' };
  }
  if (m.type === 'bind') {
    return { Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: m.propagation ?? 'rprivate' };
  }
  return { Type: 'tmpfs', Source: '', Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: '' };
}
