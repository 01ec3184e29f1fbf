/**
 * The `local` volume driver and the volume store: `<data-root>/volumes/<name>/`
 * holds `volume.json` (the record) and `_data` (the content, or the mount
 * point of the volume's device). Containers take references (`acquire`,
 * `release`) and mount/unmount around each run; a volume with references
 * cannot be removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, EngineEventInput, Filters, Logger, VolumeCreateBody } from '@shoal/common';
import { dirSize, isAtomicTempFile, runTool, writeJsonAtomic } from '@shoal/common';
import { volumeErrors } from './volume-errors.js';
import {
  ANONYMOUS_LABEL, checkDriver, checkVolumeName, listMatches, localMount, pruneMatches, sameOptions, validateListFilters,
  volumeTime, volumeView, type VolumeRecord, type VolumeView,
} from './local-options.js';
import { isMounted } from '../runtime/index.js';

/** Options of {@link VolumeManager.open}. */
export interface VolumeManagerOptions {
  dataRoot: string;
  /** The event bus (it stamps the time). */
  events: (e: EngineEventInput) => void;
  clock: Clock;
  log: Logger;
}

/** What `create` takes (POST /volumes/create). */
export type VolumeCreateRequest = VolumeCreateBody;

/** A volume as a container sees it. */
export interface AcquiredVolume { name: string; mountpoint: string; driver: 'local' }

interface Entry {
  rec: VolumeRecord;
  /** Containers that reference the volume (created, running or stopped). */
  refs: Set<string>;
  /** Containers whose run has the volume mounted now. */
  mounted: Set<string>;
}

const RECORD = 'volume.json';

/** The volume store with its one driver, `local`. */
export class VolumeManager {
  readonly #o: VolumeManagerOptions;
  readonly #root: string;
  readonly #byName = new Map<string, Entry>();
  /** Serializes create/remove/prune/acquire, so a remove never races a new reference. */
  #lock: Promise<void> = Promise.resolve();

  private constructor(o: VolumeManagerOptions) {
    this.#o = o;
    this.#root = join(o.dataRoot, 'volumes');
  }

  /** Load the volumes of `<data-root>/volumes`; a broken record is logged and skipped. */
  static async open(o: VolumeManagerOptions): Promise<VolumeManager> {
    const m = new VolumeManager(o);
    await mkdir(m.#root, { recursive: true, mode: 0o701 });
    for (const name of await readdir(m.#root)) {
      if (isAtomicTempFile(name)) continue;
      try {
        const rec = JSON.parse(await readFile(join(m.#root, name, RECORD), 'utf8')) as VolumeRecord;
        if (rec.Name !== name) throw new Error(`record names ${rec.Name}`);
        m.#byName.set(name, { rec, refs: new Set(), mounted: new Set() });
      } catch (err) {
        o.log.warn({ err, name }, 'skipping a volume directory without a readable record');
      }
    }
    return m;
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.then(() => undefined, () => undefined);
    return run;
  }

  #dataDir(name: string): string {
    return join(this.#root, name, '_data');
  }

  /** Where volume `name`'s data is on the host. */
  pathOf(name: string): string {
    return this.#dataDir(name);
  }

  #get(name: string): Entry {
    const e = this.#byName.get(name);
    if (e === undefined) throw volumeErrors.make('NOT_FOUND', `get ${name}: no such volume`);
    return e;
  }

  #emit(action: string, name: string, attrs: Record<string, string>): void {
    try {
      this.#o.events({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: attrs } });
    } catch (err) {
      this.#o.log.warn({ err }, 'event sink threw');
    }
  }

  /** POST /volumes/create: a new volume, or the existing one of that name when driver and options agree. */
  create(req: VolumeCreateRequest): Promise<VolumeView> {
    return this.#locked(async () => this.#view(await this.#ensure(req)));
  }

  async #ensure(req: VolumeCreateRequest): Promise<Entry> {
    const name = req.Name === undefined || req.Name === '' ? randomBytes(32).toString('hex') : req.Name;
    checkVolumeName(name);
    const driver = checkDriver(req.Driver);
    const opts = req.DriverOpts ?? {};
    localMount(opts);
    const old = this.#byName.get(name);
    if (old !== undefined) {
      if (req.Driver !== undefined && req.Driver !== '' && req.Driver !== old.rec.Driver) {
        throw volumeErrors.make('NAME_CONFLICT', `create ${name}: a volume with the name ${name} already exists with driver "${old.rec.Driver}"`);
      }
      if (Object.keys(opts).length > 0 && !sameOptions(opts, old.rec.Options)) {
        throw volumeErrors.make('NAME_CONFLICT', `create ${name}: a volume with the name ${name} already exists with different options`);
      }
      return old;
    }
    const rec: VolumeRecord = { Name: name, Driver: driver, CreatedAt: volumeTime(this.#o.clock.now()), Labels: { ...(req.Labels ?? {}) }, Options: { ...opts } };
    const dir = join(this.#root, name);
    try {
      await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 });
      await writeJsonAtomic(join(dir, RECORD), rec);
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    const entry: Entry = { rec, refs: new Set(), mounted: new Set() };
    this.#byName.set(name, entry);
    this.#emit('create', name, { driver });
    return entry;
  }

  #view(e: Entry): VolumeView {
    return volumeView(e.rec, this.#dataDir(e.rec.Name));
  }

  /** GET /volumes/{name}. */
  async inspect(name: string): Promise<VolumeView> {
    return this.#view(this.#get(name));
  }

  /** GET /volumes: `{Volumes, Warnings}`, filtered (dangling, driver, label, name). */
  async list(filters: Filters = {}): Promise<{ Volumes: VolumeView[]; Warnings: string[] }> {
    validateListFilters(filters);
    const out = [...this.#byName.values()]
      .filter((e) => listMatches(filters, { rec: e.rec, inUse: e.refs.size > 0 }))
      .map((e) => this.#view(e));
    return { Volumes: out, Warnings: [] };
  }

  /** `docker system df`: every volume with its UsageData (bytes of its data directory, -1 when unreadable; containers referencing it). */
  async usage(): Promise<VolumeView[]> {
    return Promise.all([...this.#byName.values()].map(async (e) => {
      const size = await dirSize(this.#dataDir(e.rec.Name)).catch(() => -1);
      return { ...this.#view(e), UsageData: { Size: size, RefCount: e.refs.size } };
    }));
  }

  /** DELETE /volumes/{name}: refused (409) while containers reference it; force ignores a missing volume. */
  remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.#locked(async () => {
      const e = this.#byName.get(name);
      if (e === undefined) {
        if (opts.force === true) return;
        throw volumeErrors.make('NOT_FOUND', `get ${name}: no such volume`);
      }
      await this.#removeEntry(e);
    });
  }

  async #removeEntry(e: Entry): Promise<void> {
    const name = e.rec.Name;
    if (e.refs.size > 0) {
      throw volumeErrors.make('IN_USE', `remove ${name}: volume is in use - [${[...e.refs].join(', ')}]`);
    }
    await this.#unmountDevice(e);
    // The record goes first: a crash mid-way leaves a directory that open() skips, never a volume without data.
    await rm(join(this.#root, name, RECORD), { force: true });
    this.#byName.delete(name);
    await rm(join(this.#root, name), { recursive: true, force: true });
    this.#emit('destroy', name, { driver: e.rec.Driver });
  }

  /** POST /volumes/prune. `apiPrunesAll`: clients before API 1.42 prune named volumes too. */
  prune(filters: Filters = {}, apiPrunesAll = false): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    return this.#locked(async () => {
      const victims = [...this.#byName.values()].filter((e) => pruneMatches(filters, { rec: e.rec, inUse: e.refs.size > 0 }, apiPrunesAll));
      const deleted: string[] = [];
      let space = 0;
      for (const e of victims) {
        const size = Object.keys(e.rec.Options).length === 0 ? await dirSize(this.#dataDir(e.rec.Name)) : 0;
        try {
          await this.#removeEntry(e);
          deleted.push(e.rec.Name);
          space += size;
        } catch (err) {
          this.#o.log.warn({ err, name: e.rec.Name }, 'prune: could not remove volume');
        }
      }
      return { VolumesDeleted: deleted, SpaceReclaimed: space };
    });
  }

  /**
   * For a container's create: the named volume (created when missing, as
   * `docker run -v name:/path`), or a new anonymous one when `name` is
   * undefined; and a reference from `containerId`, taken under the same
   * lock so that no remove can come between.
   */
  acquire(containerId: string, req: { name?: string; driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }): Promise<AcquiredVolume> {
    return this.#locked(async () => {
      const labels = req.name === undefined ? { ...(req.labels ?? {}), [ANONYMOUS_LABEL]: '' } : req.labels;
      const e = await this.#ensure({ Name: req.name, Driver: req.driver, DriverOpts: req.driverOpts, Labels: labels });
      e.refs.add(containerId);
      return { name: e.rec.Name, mountpoint: this.#dataDir(e.rec.Name), driver: e.rec.Driver };
    });
  }

  /**
   * After a daemon restart: a restored container's reference and, when it
   * still runs, its use of the volume (a device mount outlives the daemon
   * with the container; nothing is mounted or announced again). A missing
   * volume is logged.
   */
  restoreReference(name: string, containerId: string, running: boolean): void {
    const e = this.#byName.get(name);
    if (e === undefined) { this.#o.log.warn({ name, containerId }, 'a restored container references a missing volume'); return; }
    e.refs.add(containerId);
    if (running) e.mounted.add(containerId);
  }

  /** Drop `containerId`'s reference; with `removeAnonymous`, remove the volume if it was anonymous and is now unused. */
  async release(name: string, containerId: string, removeAnonymous: boolean): Promise<void> {
    const e = this.#byName.get(name);
    if (e === undefined) return;
    e.refs.delete(containerId);
    if (!removeAnonymous || !Object.hasOwn(e.rec.Labels, ANONYMOUS_LABEL) || e.refs.size > 0) return;
    await this.#locked(async () => {
      if (this.#byName.get(name) === e && e.refs.size === 0) await this.#removeEntry(e);
    });
  }

  /** True when `_data` has no entries (for copying image content into a new volume). */
  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(this.#dataDir(this.#get(name).rec.Name))).length === 0;
  }

  /**
   * Make the volume ready for a run of `containerId` and say where it is:
   * a device-backed volume (type/device/o) is mounted on `_data` by its
   * first user; `_data` is recreated when missing. Idempotent per container.
   */
  mount(name: string, containerId: string, attrs: Record<string, string> = {}): Promise<string> {
    // Under the store's lock: two containers starting at once must not both mount the device.
    return this.#locked(async () => {
      const e = this.#get(name);
      const dir = this.#dataDir(name);
      await mkdir(dir, { recursive: true });
      const how = localMount(e.rec.Options);
      if (how.kind === 'mount' && !(await isMounted(dir))) {
        const o = how.options.length > 0 ? ['-o', how.options.join(',')] : [];
        try {
          await runTool(['mount', '-t', how.type, ...o, how.device, dir]);
        } catch (err) {
          throw volumeErrors.make('MOUNT_FAILED', `error while mounting volume '${dir}': failed to mount local volume: ${(err as Error).message}`, { cause: err });
        }
      }
      if (!e.mounted.has(containerId)) {
        e.mounted.add(containerId);
        this.#emit('mount', name, { container: containerId, driver: e.rec.Driver, ...attrs });
      }
      return dir;
    });
  }

  /** The run of `containerId` ended: the last user unmounts a device-backed volume. Idempotent. */
  unmount(name: string, containerId: string): Promise<void> {
    return this.#locked(async () => {
      const e = this.#byName.get(name);
      if (e === undefined || !e.mounted.delete(containerId)) return;
      this.#emit('unmount', name, { container: containerId, driver: e.rec.Driver });
      if (e.mounted.size === 0) await this.#unmountDevice(e);
    });
  }

  async #unmountDevice(e: Entry): Promise<void> {
    const dir = this.#dataDir(e.rec.Name);
    if (localMount(e.rec.Options).kind !== 'mount' || !(await isMounted(dir))) return;
    await runTool(['umount', dir]).catch(async () => runTool(['umount', '-l', dir]));
  }

  /**
   * The daemon's lifecycle shape. Device-backed volumes stay mounted for the
   * containers that keep running (live-restore); the next start takes them
   * over through the containers' restore.
   */
  async close(): Promise<void> {
    await this.#lock;
  }

  /** Counts for `system df` and /info. */
  counts(): { volumes: number } {
    return { volumes: this.#byName.size };
  }
}
