import { randomBytes } from 'node:crypto';
import { hostname as hostHostname } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import type {
  ContainerCreateBody, ContainerInspect, ContainerStats, ContainerSummary, ContainerTop, ContainerUpdateBody,
  ContainerWaitResponse, EndpointSettings, ExecCreateBody, ExecInspect, Filters, HostConfig, TimerHandle,
} from '@shoal/common';
import { JobGroup, dirSize, hasCode, isShoalError } from '@shoal/common';
import { ShimClient, readExitFile, readShimPid, isAlive, shimErrors } from '@shoal/native';
import type { ExitStatus } from '@shoal/native';
import type { AttachOptions, LogsOptions } from './options.js';
import {
  CrunRuntime, buildResources, removeRootfs, unmountRootfs, readOomKills, prepareCgroups, overlayPaths, readBoundingCaps,
  type CgroupLayout,
} from '../runtime/index.js';
import type { ContainerManagerOptions, LogReader, ContainerImage, NetworkRef } from './deps.js';
import { readJsonFileLog } from '../logs/index.js';
import { containerErrors } from './errors.js';
import { ContainerStore } from './container-store.js';
import { rfc3339, type ContainerRecord } from './container-record.js';
import { buildRecord, validateResources, validateRestartPolicy } from './create-config.js';
import { inheritMounts, legacyPlan, mountPointOf, parseVolumesFrom, type PlannedMount } from './mount-plan.js';
import { bindVolumes, releaseMounts, releaseVolumes } from './volume-binding.js';
import { generateName, normalizeName } from './names.js';
import { DOCKER_BACKOFF, nextBackoff, shouldRestart, startOnDaemonStart } from './backoff.js';
import { matchesFilters, parseUntil, validateFilters } from './list-filters.js';
import { normalizeSignal, STOP_SIGNALS } from './signals.js';
import { startSequence, type ContainerPaths, type PendingAttach } from './start-sequence.js';
import { transition } from './state-machine.js';
import { ContainerIndex } from './container-index.js';
import { attachStreams } from './attach-stream.js';
import { ExecRegistry } from './exec-registry.js';
import { topOf } from './top.js';
import { statsStream } from './stats.js';
import { summaryOf, inspectOf } from './views.js';
import { initialHealth, probeSpec, type ProbeSpec } from './health.js';
import { HealthMonitor } from './health-monitor.js';
import { configuredNetworks, endpointRequestOf, exclusiveNetworkMessage, lenient, planEndpointsConfig, restingNetworkSettings } from './network-config.js';

/** One start..exit of a container's process. */
interface Run {
  stateDir: string;
  monitor: ShimClient | null;
  /** Resolves after the exit was recorded and cleaned up. */
  done: Promise<void>;
  resolveDone: () => void;
  startedAtMs: number;
}

/** In-memory state of one container. */
interface Live {
  rec: ContainerRecord;
  run: Run | null;
  /** Attach connections waiting for the next start. */
  pendingAttach: PendingAttach[];
  /** Waiters for the next exit (wait next-exit / not-running while running). */
  exitWaiters: Array<(r: ContainerWaitResponse) => void>;
  removedWaiters: Array<(r: ContainerWaitResponse) => void>;
  restartTimer: TimerHandle | null;
  backoffMs: number;
  lock: Promise<void>;
  removing: boolean;
  /** The last run's runtime state (crun, mount, network) was already cleaned up. */
  cleaned: boolean;
  /** Creation order (ties of Created within a millisecond). */
  seq: number;
}

/**
 * The container engine: Docker's container lifecycle over crun, the shim
 * (@shoal/native), overlayfs and cgroups. `open()` once at daemon start
 * (prepares cgroups, restores containers), `close()` at daemon stop
 * (containers keep running: live-restore).
 */
export class ContainerManager {
  readonly #o: ContainerManagerOptions;
  readonly #store: ContainerStore;
  readonly #crun: CrunRuntime;
  readonly #index = new ContainerIndex<Live>();
  readonly #execs: ExecRegistry;
  readonly #rand: () => number;
  readonly #parent: string;
  #layout: CgroupLayout | null = null;
  #seq = 0;
  #hostCaps: string[] | undefined;
  #closed = false;
  /** Every asynchronous job (exit watchers, restart timers, healthcheck probes); close() waits for them. */
  readonly #jobs: JobGroup;
  readonly #health: HealthMonitor;

  constructor(opts: ContainerManagerOptions) {
    this.#o = opts;
    this.#store = new ContainerStore(opts.dataRoot);
    this.#crun = new CrunRuntime({ runtimeRoot: join(opts.execRoot, 'runtime'), bin: opts.crunPath });
    this.#rand = opts.rand ?? Math.random;
    this.#parent = (opts.cgroupParent ?? 'shoal').replace(/^\/+|\/+$/g, '');
    this.#jobs = new JobGroup({ clock: opts.clock, onError: (err) => opts.log.warn({ err }, 'container job failed') });
    this.#health = new HealthMonitor({ jobs: this.#jobs, clock: opts.clock, log: opts.log });
    this.#execs = new ExecRegistry({
      execRoot: opts.execRoot, crun: this.#crun, events: (a, id, attrs) => this.#emitFor(id, a, attrs),
      container: (id) => this.#liveOf(id), log: opts.log, hostCaps: () => this.#hostCaps,
    });
  }

  /** Prepare the host (cgroups) and restore saved containers. Call once. */
  async open(): Promise<void> {
    this.#layout = await prepareCgroups(this.#o.log);
    this.#hostCaps = await readBoundingCaps();
    await Promise.all([mkdir(join(this.#o.execRoot, 'runtime'), { recursive: true }), mkdir(join(this.#o.dataRoot, 'containers'), { recursive: true })]);
    await this.restore();
  }

  /** The cgroup layout found by open(). */
  get cgroupLayout(): CgroupLayout {
    if (this.#layout === null) throw new Error('ContainerManager.open() was not called');
    return this.#layout;
  }

  /** crun's container id is ours; its cgroups live here (relative to each hierarchy). */
  cgroupPath(id: string): string {
    const parent = this.#index.get(id)?.rec.HostConfig.CgroupParent?.replace(/^\/+|\/+$/g, '');
    return `/${parent !== undefined && parent !== '' ? parent : this.#parent}/${id}`;
  }

  /** The crun adapter (tests: leak checks). */
  get crun(): CrunRuntime { return this.#crun; }

  // ---------------------------------------------------------------- lookup

  #find(ref: string): Live {
    return this.#index.find(ref);
  }

  #liveOf(id: string): { rec: ContainerRecord; running: boolean; paused: boolean } {
    const l = this.#find(id);
    return { rec: l.rec, running: l.rec.State.Running, paused: l.rec.State.Paused };
  }

  /** Run `fn` with the container's lifecycle lock held. */
  async #locked<T>(l: Live, fn: () => Promise<T>): Promise<T> {
    const prev = l.lock;
    let release!: () => void;
    l.lock = new Promise<void>((r) => { release = r; });
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #paths(id: string): ContainerPaths {
    const dir = this.#store.dir(id);
    return {
      dir,
      stateDir: join(this.#o.execRoot, 'shims', id),
      bundle: join(this.#o.execRoot, 'bundles', id),
      logPath: join(dir, `${id}-json.log`),
      hosts: join(dir, 'hosts'),
      hostname: join(dir, 'hostname'),
      resolvConf: join(dir, 'resolv.conf'),
    };
  }

  // ---------------------------------------------------------------- events

  #emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const attrs: Record<string, string> = { ...(rec.Config.Labels ?? {}), image: rec.Config.Image ?? '', name: rec.Name.slice(1), ...extra };
    try {
      this.#o.events({ Type: 'container', Action: action, Actor: { ID: rec.Id, Attributes: attrs } });
    } catch (err) {
      this.#o.log.warn({ err }, 'event sink threw');
    }
  }

  #emitFor(id: string, action: string, attrs: Record<string, string>): void {
    const l = this.#index.get(id);
    if (l !== undefined) this.#emit(l.rec, action, attrs);
  }

  // ---------------------------------------------------------------- create

  async create(name: string | undefined, body: ContainerCreateBody): Promise<{ Id: string; Warnings: string[] }> {
    if (body.Image === undefined || body.Image === '') throw containerErrors.make('INVALID_CONFIG', 'Config cannot be empty in order to create a container');
    let full: string;
    if (name !== undefined && name !== '') {
      full = normalizeName(name);
      this.#index.checkName(full);
    } else {
      full = `/${generateName(this.#rand, (n) => this.#index.hasName(n))}`;
    }
    const id = randomBytes(32).toString('hex');
    const image = await this.#o.images.resolveImage(body.Image);
    // From here until the record is indexed (or the create fails) this create counts as a user
    // of the image, so that an `rmi` at the same instant sees it (imageUser below).
    this.#index.beginCreate(id, image.id);
    try {
      return await this.#createResolved(id, full, body, image);
    } finally {
      this.#index.endCreate(id);
    }
  }

  /**
   * Who uses image `imageId` (a full id), answered synchronously from this
   * engine's own index, for `rmi`: a running (or paused, restarting)
   * container first, else a stopped one, else a create in progress.
   */
  imageUser(imageId: string): { containerId: string; running: boolean } | undefined {
    return this.#index.imageUser(imageId);
  }

  async #createResolved(id: string, full: string, body: ContainerCreateBody, image: ContainerImage): Promise<{ Id: string; Warnings: string[] }> {
    const inheritedMounts = (body.HostConfig?.VolumesFrom ?? []).flatMap((spec) => {
      const { ref, mode } = parseVolumesFrom(spec);
      return inheritMounts(this.#mountsOf(this.#find(ref).rec), mode);
    });
    const { rec, warnings } = buildRecord({ id, name: full, created: rfc3339(this.#o.clock.now()), body, image, inheritedMounts });
    rec.EndpointsConfig = planEndpointsConfig(body, rec.HostConfig.NetworkMode ?? 'bridge', (ref) => this.#o.network.resolveNetwork(ref));
    rec.NetworkSettings = restingNetworkSettings(rec);
    if (rec.HostConfig.NetworkMode === 'host' && (body.Hostname === undefined || body.Hostname === '')) rec.Config.Hostname = hostHostname();
    if ((rec.HostConfig.BlkioWeight ?? 0) > 0) {
      // This engine does not program blkio: say so and drop it, as Docker on a kernel without the weight file.
      warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
      rec.HostConfig.BlkioWeight = 0;
    }
    this.#index.reserveName(full, id);
    let bound: PlannedMount[] = [];
    try {
      bound = await bindVolumes(this.#o.volumes, id, this.#mountsOf(rec), rec.HostConfig.VolumeDriver);
      rec.MountSpecs = bound;
      rec.Mounts = bound.map((m) => mountPointOf(m, (n) => this.#o.volumes.pathOf(n)));
      await this.#store.init(id);
      await this.#store.save(rec);
    } catch (e) {
      this.#index.releaseName(full);
      await releaseVolumes(this.#o.volumes, id, bound, true, this.#o.log);
      await this.#store.remove(id).catch(() => undefined);
      throw e;
    }
    const live = this.#newLive(rec);
    live.cleaned = true; // nothing of the runtime exists before the first start
    this.#index.add(live);
    this.#emit(rec, 'create');
    return { Id: id, Warnings: warnings };
  }

  /** A container's planned mounts (records from before volumes: derived from its HostConfig). */
  #mountsOf(rec: ContainerRecord): PlannedMount[] {
    return rec.MountSpecs ?? legacyPlan(rec.HostConfig);
  }

  #newLive(rec: ContainerRecord): Live {
    return { rec, run: null, pendingAttach: [], exitWaiters: [], removedWaiters: [], restartTimer: null, backoffMs: 0, lock: Promise.resolve(), removing: false, cleaned: false, seq: ++this.#seq };
  }

  // ---------------------------------------------------------------- start

  async start(idOrName: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (l.removing) throw containerErrors.make('REMOVAL_IN_PROGRESS', `container ${l.rec.Id} is marked for removal and cannot be started`);
      if (l.rec.State.Paused) throw containerErrors.make('PAUSED', 'cannot start a paused container, try unpause instead');
      if (l.run !== null) throw containerErrors.make('ALREADY_STARTED', `container ${l.rec.Id} is already started`);
      if (l.restartTimer !== null) { l.restartTimer.cancel(); l.restartTimer = null; }
      l.rec.ManuallyStopped = false;
      l.backoffMs = 0;
      await this.#startLocked(l, false);
    }).catch(async (e: unknown) => {
      // As Docker: a --rm container that cannot start is removed (docker run --rm waits for that).
      if (l.rec.HostConfig.AutoRemove === true && l.run === null && !l.removing) {
        await this.remove(l.rec.Id, { force: true, volumes: true }).catch((err: unknown) => this.#o.log.warn({ err, id: l.rec.Id }, 'auto-remove after failed start'));
      }
      throw e;
    });
  }

  /** The start sequence (start-sequence.ts), then the record of the new run. */
  async #startLocked(l: Live, isRestart: boolean): Promise<void> {
    const rec = l.rec;
    const p = this.#paths(rec.Id);
    let started;
    try {
      started = await startSequence({
        dataRoot: this.#o.dataRoot, images: this.#o.images, network: this.#o.network, volumes: this.#o.volumes, crun: this.#crun, log: this.#o.log,
        initPath: this.#o.initPath, hostCaps: this.#hostCaps, logMaxSize: this.#o.logMaxSize, logMaxFiles: this.#o.logMaxFiles,
        cgroupPath: this.cgroupPath(rec.Id), paths: p,
        containerPid: (ref) => {
          const other = this.#find(ref);
          if (other.run === null) throw containerErrors.make('NOT_RUNNING', `cannot join namespace of a non running container: ${ref}`);
          return other.rec.State.Pid;
        },
      }, rec, l.pendingAttach.splice(0));
    } catch (e) {
      rec.State = transition(rec.State, {
        type: 'start-failed', error: (e as Error).message, exitCode: isShoalError(e) && e.code === containerErrors.codes.CMD_NOT_FOUND ? 127 : 128,
      });
      rec.NetworkSettings = restingNetworkSettings(rec);
      l.cleaned = true; // the start sequence undid everything it made
      await this.#store.save(rec).catch(() => undefined);
      for (const w of l.pendingAttach.splice(0)) { w.conn.destroy(); w.resolve(); }
      throw e;
    }
    const { monitor } = started;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => { resolveDone = r; });
    const now = this.#o.clock.now();
    const run: Run = { stateDir: p.stateDir, monitor, done, resolveDone, startedAtMs: now };
    l.run = run;
    l.cleaned = false;
    rec.NetworkSettings = started.settings;
    const probe = probeSpec(rec.Config.Healthcheck);
    rec.State = transition(rec.State, { type: 'started', pid: started.pid, at: rfc3339(now), ...(probe !== null ? { health: initialHealth() } : {}) });
    this.#jobs.track(monitor.exited.then(
      (st) => this.#onExit(l, st),
      (err: unknown) => this.#onMonitorLost(l, err),
    ));
    await this.#store.save(rec).catch((err: unknown) => this.#o.log.error({ err, id: rec.Id }, 'save after start failed'));
    this.#emit(rec, isRestart ? 'restart' : 'start');
    if (isRestart) this.#emit(rec, 'start');
    if (probe !== null) this.#watchHealth(l, run, probe);
  }

  /** Probe the healthcheck of `run` while it lasts (health-monitor.ts). */
  #watchHealth(l: Live, run: Run, probe: ProbeSpec): void {
    const id = l.rec.Id;
    this.#health.watch({
      id, startedAtMs: run.startedAtMs,
      // The exit path records `exited` before it drops the run: a probe finishing then is not recorded.
      isCurrent: () => l.run === run && l.rec.State.Running && !this.#closed,
      paused: () => l.rec.State.Paused,
      health: () => l.rec.State.Health,
      exec: (cmd, timeoutMs) => this.#execs.runCaptured(l.rec, this.#paths(id).bundle, cmd, timeoutMs, this.#o.clock),
      record: async (prev, next) => {
        l.rec.State = transition(l.rec.State, { type: 'health', health: next });
        await this.#store.save(l.rec);
        if (next.Status !== prev.Status) this.#emit(l.rec, `health_status: ${next.Status}`);
      },
    }, probe);
  }

  /** The monitor connection closed without an exit status (shim killed). */
  async #onMonitorLost(l: Live, err: unknown): Promise<void> {
    if (this.#closed || hasCode(err, shimErrors.codes.CLOSED)) return;
    this.#o.log.error({ err, id: l.rec.Id }, 'lost the shim of a running container');
    await this.#onExit(l, { exitCode: 255, signal: null, finishedAt: rfc3339(this.#o.clock.now()) }, (err as Error).message);
  }

  /** Record an exit, clean up, notify, then apply the restart policy. */
  async #onExit(l: Live, st: ExitStatus, error = ''): Promise<void> {
    const rec = l.rec;
    const id = rec.Id;
    const run = l.run;
    if (this.#closed) return;
    let oom = false;
    try {
      oom = (await readOomKills(this.cgroupLayout, this.cgroupPath(id))) > 0;
    } catch { /* no memory cgroup */ }
    this.#health.stop(id);
    await this.#cleanupRun(id);
    l.cleaned = true;
    const ranMs = run !== null ? this.#o.clock.now() - run.startedAtMs : 0;
    rec.State = transition(rec.State, { type: 'exited', exitCode: st.exitCode, finishedAt: st.finishedAt, oomKilled: oom, error });
    rec.NetworkSettings = restingNetworkSettings(rec);
    const restart = !l.removing && shouldRestart(rec.HostConfig.RestartPolicy, st.exitCode, rec.RestartCount, rec.ManuallyStopped);
    if (restart) {
      l.backoffMs = nextBackoff(this.#o.backoff ?? DOCKER_BACKOFF, l.backoffMs, ranMs);
      rec.State = transition(rec.State, { type: 'restart-scheduled' });
    }
    await this.#store.save(rec).catch((err: unknown) => this.#o.log.error({ err, id }, 'save after exit failed'));
    if (oom) this.#emit(rec, 'oom');
    this.#emit(rec, 'die', { exitCode: String(st.exitCode), execDuration: String(Math.round(ranMs / 1000)) });
    l.run = null;
    run?.resolveDone();
    const resp: ContainerWaitResponse = { StatusCode: st.exitCode, Error: error === '' ? null : { Message: error } };
    for (const w of l.exitWaiters.splice(0)) w(resp);
    if (restart) {
      l.restartTimer = this.#jobs.after(l.backoffMs, async () => {
        l.restartTimer = null;
        await this.#locked(l, async () => {
          if (l.run !== null || l.removing || rec.ManuallyStopped || this.#closed) return;
          rec.RestartCount++;
          await this.#startLocked(l, true);
        }).catch((err: unknown) => {
          this.#o.log.warn({ err, id }, 'restart failed');
          this.#emit(rec, 'die', { exitCode: String(rec.State.ExitCode) });
        });
      });
    } else if (rec.HostConfig.AutoRemove === true && !l.removing) {
      await this.remove(id, { force: true, volumes: true }).catch((err: unknown) => this.#o.log.warn({ err, id }, 'auto-remove failed'));
    }
  }

  /** crun delete, unmount, network detach, bundle. Idempotent. */
  async #cleanupRun(id: string): Promise<void> {
    const p = this.#paths(id);
    const rec = this.#index.get(id)?.rec;
    // The rootfs mount lives in the host's mount namespace, independent of
    // crun's state: unmount while crun deletes (saves a tool round-trip).
    const steps = await Promise.allSettled([
      this.#crun.delete(id),
      unmountRootfs(this.#o.dataRoot, id),
      this.#o.network.detach(id),
      rm(p.bundle, { recursive: true, force: true }),
      rec === undefined ? undefined : releaseMounts(this.#o.volumes, id, this.#mountsOf(rec)),
    ]);
    for (const s of steps) if (s.status === 'rejected') this.#o.log.warn({ err: s.reason as unknown, id }, 'cleanup step failed');
  }

  // ---------------------------------------------------------------- stop / kill

  async stop(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (l.restartTimer !== null) {
        l.restartTimer.cancel();
        l.restartTimer = null;
        l.rec.ManuallyStopped = true;
        l.rec.State = transition(l.rec.State, { type: 'restart-cancelled' });
        await this.#store.save(l.rec);
        this.#emit(l.rec, 'stop');
        return;
      }
      if (l.run === null) throw containerErrors.make('ALREADY_STOPPED', `container ${l.rec.Id} is already stopped`);
      l.rec.ManuallyStopped = true;
      await this.#stopLocked(l, opts);
      this.#emit(l.rec, 'stop');
    });
  }

  async #stopLocked(l: Live, opts: { timeoutS?: number; signal?: string }): Promise<void> {
    const run = l.run;
    if (run === null) return;
    const sig = normalizeSignal(opts.signal ?? l.rec.Config.StopSignal ?? 'SIGTERM');
    const timeoutS = opts.timeoutS ?? l.rec.Config.StopTimeout ?? 10;
    if (l.rec.State.Paused) {
      // A frozen process cannot handle a signal: thaw after sending it, as Docker.
      await this.#crun.kill(l.rec.Id, sig).catch(() => undefined);
      await this.#crun.resume(l.rec.Id).catch(() => undefined);
    } else {
      this.#emit(l.rec, 'kill', { signal: String(STOP_SIGNALS[sig] ?? sig) });
      await this.#crun.kill(l.rec.Id, sig).catch(() => undefined);
    }
    if (timeoutS >= 0) {
      let timer: TimerHandle | undefined;
      const timedOut = await Promise.race([
        run.done.then(() => false),
        new Promise<boolean>((r) => { timer = this.#o.clock.setTimeout(() => r(true), timeoutS * 1000); }),
      ]);
      timer?.cancel();
      if (!timedOut) return;
    } else {
      await run.done;
      return;
    }
    this.#emit(l.rec, 'kill', { signal: '9' });
    await this.#crun.kill(l.rec.Id, 'SIGKILL', true).catch(() => undefined);
    await run.done;
  }

  async kill(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    const l = this.#find(idOrName);
    const sig = normalizeSignal(signal);
    await this.#locked(l, async () => {
      if (l.run === null) throw containerErrors.make('NOT_RUNNING', `Container ${l.rec.Id} is not running`);
      if (l.rec.State.Paused && sig !== 'SIGKILL') throw containerErrors.make('PAUSED', `Container ${l.rec.Id} is paused. Unpause the container before stopping or killing`);
      if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === 'SIGINT') l.rec.ManuallyStopped = true;
      this.#emit(l.rec, 'kill', { signal: String(STOP_SIGNALS[sig] ?? sig) });
      await this.#crun.kill(l.rec.Id, sig, sig === 'SIGKILL');
      if (l.rec.State.Paused) await this.#crun.resume(l.rec.Id).catch(() => undefined);
    });
  }

  async restart(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (l.restartTimer !== null) { l.restartTimer.cancel(); l.restartTimer = null; }
      if (l.run !== null) {
        l.rec.ManuallyStopped = true; // keep the restart policy from racing us
        await this.#stopLocked(l, opts);
        this.#emit(l.rec, 'stop');
      }
      l.rec.ManuallyStopped = false;
      l.backoffMs = 0;
      await this.#startLocked(l, false);
      this.#emit(l.rec, 'restart');
    });
  }

  // ---------------------------------------------------------------- pause

  async pause(idOrName: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (l.run === null) throw containerErrors.make('NOT_RUNNING', `Container ${l.rec.Id} is not running`);
      if (l.rec.State.Paused) throw containerErrors.make('PAUSED', `Container ${l.rec.Id} is already paused`);
      await this.#crun.pause(l.rec.Id);
      l.rec.State = transition(l.rec.State, { type: 'paused' });
      await this.#store.save(l.rec);
      this.#emit(l.rec, 'pause');
    });
  }

  async unpause(idOrName: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (!l.rec.State.Paused || l.run === null) throw containerErrors.make('NOT_PAUSED', `Container ${l.rec.Id} is not paused`);
      await this.#crun.resume(l.rec.Id);
      l.rec.State = transition(l.rec.State, { type: 'unpaused' });
      await this.#store.save(l.rec);
      this.#emit(l.rec, 'unpause');
    });
  }

  // ---------------------------------------------------------------- remove / wait

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    const l = this.#find(idOrName);
    if (l.removing) throw containerErrors.make('REMOVAL_IN_PROGRESS', `removal of container ${l.rec.Id} is already in progress`);
    await this.#locked(l, async () => {
      if (l.run !== null || l.rec.State.Restarting) {
        if (opts.force !== true) {
          const what = l.rec.State.Paused ? 'paused' : l.rec.State.Restarting ? 'restarting' : 'running';
          throw containerErrors.make('IS_RUNNING', `cannot remove container "${l.rec.Name}": container is ${what}: stop the container before removing or force remove`);
        }
      }
      l.removing = true;
      if (l.restartTimer !== null) { l.restartTimer.cancel(); l.restartTimer = null; }
      if (l.run !== null) {
        const run = l.run;
        this.#emit(l.rec, 'kill', { signal: '9' });
        await this.#crun.kill(l.rec.Id, 'SIGKILL', true).catch(() => undefined);
        if (l.rec.State.Paused) await this.#crun.resume(l.rec.Id).catch(() => undefined);
        await run.done;
      }
      const id = l.rec.Id;
      // After an exit the runtime state is gone already (saves a crun round-trip on --rm).
      if (!l.cleaned) await this.#cleanupRun(id);
      await Promise.all([
        removeRootfs(this.#o.dataRoot, id),
        rm(this.#paths(id).stateDir, { recursive: true, force: true }),
        this.#execs.removeFor(id),
      ]);
      await this.#store.remove(id);
      await releaseVolumes(this.#o.volumes, id, this.#mountsOf(l.rec), opts.volumes === true, this.#o.log);
      this.#index.delete(id);
      this.#emit(l.rec, 'destroy');
      const resp: ContainerWaitResponse = { StatusCode: l.rec.State.ExitCode, Error: null };
      for (const w of l.exitWaiters.splice(0)) w(resp);
      for (const w of l.removedWaiters.splice(0)) w(resp);
    });
  }

  wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<ContainerWaitResponse> {
    let l: Live;
    try {
      l = this.#find(idOrName);
    } catch (e) {
      return Promise.reject(e);
    }
    const running = l.run !== null || l.rec.State.Restarting;
    if (condition === 'not-running' && !running) {
      return Promise.resolve({ StatusCode: l.rec.State.ExitCode, Error: null });
    }
    return new Promise<ContainerWaitResponse>((resolve, reject) => {
      const list = condition === 'removed' ? l.removedWaiters : l.exitWaiters;
      const fn = (r: ContainerWaitResponse): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = (): void => {
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      list.push(fn);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---------------------------------------------------------------- rename / update

  async rename(idOrName: string, newName: string): Promise<void> {
    const l = this.#find(idOrName);
    const full = normalizeName(newName);
    if (full === l.rec.Name) throw containerErrors.make('INVALID_CONFIG', 'Renaming a container with the same name as its current name');
    const old = l.rec.Name;
    this.#index.rename(l.rec.Id, full);
    l.rec.Name = full;
    await this.#store.save(l.rec);
    await this.#o.network.rename(l.rec.Id, full.slice(1)).catch(() => undefined);
    this.#emit(l.rec, 'rename', { oldName: old });
  }

  // ---------------------------------------------------------------- networks

  /**
   * `docker network connect`: a running container is plugged in at once, a
   * stopped one joins at its next start. Throws the network subsystem's
   * 404/403s, INVALID_CONFIG (400) for a container that shares a namespace.
   */
  async connectNetwork(idOrName: string, network: string, cfg: EndpointSettings = {}): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      const net = this.#o.network.resolveNetwork(network);
      const rec = l.rec;
      const resolve = (ref: string): NetworkRef => this.#o.network.resolveNetwork(ref);
      const configured = configuredNetworks(rec, resolve);
      const primary = Object.keys(configured)[0];
      const exclusive = exclusiveNetworkMessage(rec.HostConfig.NetworkMode ?? '', primary !== undefined ? lenient(resolve)(primary).driver : '')
        ?? exclusiveNetworkMessage('', net.driver);
      if (exclusive !== undefined) throw containerErrors.make('INVALID_CONFIG', exclusive);
      if (configured[net.name] !== undefined) throw containerErrors.make('NETWORK_CONFLICT', `endpoint with name ${rec.Name.slice(1)} already exists in network ${net.name}`);
      if (l.run !== null) rec.NetworkSettings = await this.#o.network.connect(rec.Id, net.name, endpointRequestOf(cfg));
      rec.EndpointsConfig = { ...configured, [net.name]: { ...cfg } };
      if (l.run === null) rec.NetworkSettings = restingNetworkSettings(rec);
      await this.#store.save(rec);
    });
  }

  /** `docker network disconnect`: the reverse. Throws NETWORK_CONFLICT (403) when it is not on that network. */
  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      const net = this.#o.network.resolveNetwork(network);
      const rec = l.rec;
      const configured = configuredNetworks(rec, (ref) => this.#o.network.resolveNetwork(ref));
      if (configured[net.name] === undefined) throw containerErrors.make('NETWORK_CONFLICT', `container ${rec.Id} is not connected to network ${net.name}`);
      const exclusive = exclusiveNetworkMessage(rec.HostConfig.NetworkMode ?? '', net.driver);
      if (exclusive !== undefined) throw containerErrors.make('INVALID_CONFIG', exclusive);
      if (l.run !== null) rec.NetworkSettings = await this.#o.network.disconnect(rec.Id, net.name);
      const { [net.name]: _gone, ...rest } = configured;
      rec.EndpointsConfig = rest;
      if (l.run === null) rec.NetworkSettings = restingNetworkSettings(rec);
      await this.#store.save(rec);
    });
  }

  async update(idOrName: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] }> {
    const l = this.#find(idOrName);
    return this.#locked(l, async () => {
      const { RestartPolicy: rp, ...res } = body;
      const next: HostConfig = { ...l.rec.HostConfig };
      // As Docker's update: zero / empty fields mean "leave as is" (the CLI sends them all).
      for (const [k, v] of Object.entries(res)) {
        if (v === undefined || v === null || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)) continue;
        (next as Record<string, unknown>)[k] = v;
      }
      if ((res.Memory ?? 0) > 0 && res.MemorySwap === undefined && (l.rec.HostConfig.MemorySwap ?? 0) > 0 && (l.rec.HostConfig.MemorySwap ?? 0) < (res.Memory ?? 0)) {
        next.MemorySwap = (res.Memory ?? 0) * 2;
      }
      if (rp?.Name !== undefined && rp.Name !== '') next.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
      validateResources(next);
      validateRestartPolicy(next);
      if (l.run !== null) {
        const { devices: _d, ...r } = buildResources(next);
        await this.#crun.update(l.rec.Id, r, join(this.#paths(l.rec.Id).dir, 'update-resources.json')).catch((e: unknown) => {
          throw containerErrors.make('INVALID_CONFIG', `Cannot update container ${l.rec.Id}: ${(e as Error).message}`, { cause: e });
        });
      }
      l.rec.HostConfig = next;
      await this.#store.save(l.rec);
      this.#emit(l.rec, 'update');
      return { Warnings: [] };
    });
  }

  // ---------------------------------------------------------------- views

  async inspect(idOrName: string, opts?: { size?: boolean }): Promise<ContainerInspect> {
    const l = this.#find(idOrName);
    const p = this.#paths(l.rec.Id);
    const ov = overlayPaths(this.#o.dataRoot, l.rec.Id);
    const out = inspectOf(l.rec, { logPath: p.logPath, hostsPath: p.hosts, hostnamePath: p.hostname, resolvConfPath: p.resolvConf, overlay: ov, execIds: this.#execs.idsFor(l.rec.Id) });
    if (opts?.size === true) Object.assign(out, await this.#sizes(l.rec));
    return out;
  }

  /** SizeRw (the writable layer) and SizeRootFs (plus the image layers). Walks directories: only on request. */
  async #sizes(rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
    const rw = await dirSize(overlayPaths(this.#o.dataRoot, rec.Id).upper);
    const layers = await this.#o.images.layerPaths(rec.Image).catch(() => [] as string[]);
    const ro = (await Promise.all(layers.map((d) => dirSize(d)))).reduce((a, b) => a + b, 0);
    return { SizeRw: rw, SizeRootFs: rw + ro };
  }

  async list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    const f = opts.filters ?? {};
    validateFilters(f);
    const ctx = {
      lookup: (ref: string): ContainerRecord | undefined => { try { return this.#find(ref).rec; } catch { return undefined; } },
      imageIdsFor: (ref: string): string[] => [ref],
    };
    // Newest first, as Docker.
    let recs = [...this.#index.values()]
      .sort((a, b) => (a.rec.Created < b.rec.Created ? 1 : a.rec.Created > b.rec.Created ? -1 : b.seq - a.seq))
      .map((l) => l.rec);
    const showAll = opts.all === true || (opts.limit !== undefined && opts.limit > 0) || f.status !== undefined || f.exited !== undefined;
    if (!showAll) recs = recs.filter((r) => r.State.Running || r.State.Restarting);
    recs = recs.filter((r) => matchesFilters(r, f, ctx));
    if (opts.limit !== undefined && opts.limit > 0) recs = recs.slice(0, opts.limit);
    const now = this.#o.clock.now();
    if (opts.size !== true) return recs.map((r) => summaryOf(r, now));
    return Promise.all(recs.map(async (r) => ({ ...summaryOf(r, now), ...(await this.#sizes(r)) })));
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const l of this.#index.values()) {
      if (l.rec.State.Paused) paused++;
      else if (l.rec.State.Running) running++;
      else stopped++;
    }
    return { total: this.#index.size, running, paused, stopped };
  }

  async prune(filters?: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const f = filters ?? {};
    for (const k of Object.keys(f)) if (k !== 'label' && k !== 'label!' && k !== 'until') throw containerErrors.make('INVALID_FILTER', `invalid filter '${k}'`);
    const deleted: string[] = [];
    for (const l of [...this.#index.values()]) {
      const r = l.rec;
      if (r.State.Running || r.State.Restarting || r.State.Paused || l.removing) continue;
      if (f.label !== undefined && !matchesFilters(r, { label: f.label }, { lookup: () => undefined, imageIdsFor: () => [] })) continue;
      if (f['label!'] !== undefined && f['label!'].some((v) => matchesFilters(r, { label: [v] }, { lookup: () => undefined, imageIdsFor: () => [] }))) continue;
      if (f.until !== undefined && f.until.some((u) => Date.parse(r.Created) >= parseUntil(u, this.#o.clock.now()))) continue;
      await this.remove(r.Id, {}).then(() => deleted.push(r.Id), () => undefined);
    }
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }

  async top(idOrName: string, psArgs?: string): Promise<ContainerTop> {
    const l = this.#find(idOrName);
    if (l.run === null) throw containerErrors.make('NOT_RUNNING', `Container ${l.rec.Id} is not running`);
    return topOf(this.cgroupLayout, this.cgroupPath(l.rec.Id), psArgs);
  }

  stats(idOrName: string, opts: { stream: boolean; oneShot?: boolean }, signal?: AbortSignal): AsyncIterable<ContainerStats> {
    const l = this.#find(idOrName);
    return statsStream({
      layout: this.cgroupLayout, cgroupPath: this.cgroupPath(l.rec.Id), rec: () => l.rec, stream: opts.stream,
      oneShot: opts.oneShot === true, clock: this.#o.clock, signal,
    });
  }

  // ---------------------------------------------------------------- io

  async logs(idOrName: string, opts: LogsOptions, signal?: AbortSignal): Promise<{ tty: boolean; stream: Readable }> {
    const l = this.#find(idOrName);
    const tty = l.rec.Config.Tty === true;
    const stopped = l.run !== null ? l.run.done : Promise.resolve();
    return { tty, stream: this.#logs.read(this.#paths(l.rec.Id).logPath, { ...opts, tty }, stopped, signal) };
  }

  /** The configured log reader, or the json-file reader of logs/. */
  get #logs(): LogReader {
    return this.#o.logs ?? {
      read: (path, opts, stopped, signal) => readJsonFileLog(path, { ...opts, stopWhen: stopped, signal, clock: this.#o.clock }),
    };
  }

  async attach(idOrName: string, opts: AttachOptions, conn: Duplex): Promise<void> {
    const l = this.#find(idOrName);
    if (l.rec.State.Paused) throw containerErrors.make('PAUSED', `container ${l.rec.Id} is paused, unpause the container before attach`);
    const tty = l.rec.Config.Tty === true;
    if (opts.logs === true) {
      const replay = this.#logs.read(this.#paths(l.rec.Id).logPath, { stdout: opts.stdout, stderr: opts.stderr, tty: tty || opts.raw === true }, Promise.resolve());
      for await (const chunk of replay) conn.write(chunk as Buffer);
    }
    if (opts.stream !== true) {
      conn.end();
      return;
    }
    this.#emit(l.rec, 'attach');
    if (l.run === null) {
      // Not running yet (docker run: create, attach, start): connect at start.
      await new Promise<void>((resolve) => {
        l.pendingAttach.push({ opts, conn, resolve });
        conn.once('close', () => {
          const i = l.pendingAttach.findIndex((w) => w.conn === conn);
          if (i >= 0) { l.pendingAttach.splice(i, 1); resolve(); }
        });
      });
      return;
    }
    await attachStreams({ stateDir: l.run.stateDir, tty, opts, conn, stdinOnce: l.rec.Config.StdinOnce === true });
  }

  async resize(idOrName: string, h: number, w: number): Promise<void> {
    const l = this.#find(idOrName);
    if (l.run === null || l.run.monitor === null) throw containerErrors.make('NOT_RUNNING', `Container ${l.rec.Id} is not running`);
    // Any connection may send a resize frame: use the monitor's.
    l.run.monitor.resize(h, w);
    this.#emit(l.rec, 'resize', { height: String(h), width: String(w) });
  }

  execCreate(idOrName: string, body: ExecCreateBody): Promise<{ Id: string }> {
    const l = this.#find(idOrName);
    if (l.run === null) return Promise.reject(containerErrors.make('NOT_RUNNING', `Container ${l.rec.Id} is not running`));
    if (l.rec.State.Paused) return Promise.reject(containerErrors.make('PAUSED', `Container ${l.rec.Id} is paused, unpause the container before exec`));
    return this.#execs.create(l.rec, body, this.#paths(l.rec.Id).bundle);
  }

  execStart(execId: string, opts: { detach?: boolean; tty?: boolean }, conn?: Duplex): Promise<void> {
    return this.#execs.start(execId, opts, conn);
  }

  execResize(execId: string, h: number, w: number): Promise<void> {
    return this.#execs.resize(execId, h, w);
  }

  execInspect(execId: string): Promise<ExecInspect> {
    return this.#execs.inspect(execId);
  }

  // ---------------------------------------------------------------- daemon lifecycle

  /**
   * Reload every saved container. Running ones whose shim is alive are
   * adopted (monitor reconnected, network restored); those whose shim died
   * get their exit status from exit.json and are cleaned up; then restart
   * policies and daemon-start rules apply.
   */
  async restore(): Promise<void> {
    const { records, bad } = await this.#store.loadAll();
    for (const b of bad) this.#o.log.warn({ id: b }, 'unreadable container state skipped');
    records.sort((a, b) => (a.Created < b.Created ? -1 : a.Created > b.Created ? 1 : 0));
    for (const rec of records) {
      const l = this.#newLive(rec);
      this.#index.add(l);
      // A container recorded as running still uses its volumes; if it died meanwhile, its exit path unmounts them.
      const running = rec.State.Running || rec.State.Paused;
      for (const m of this.#mountsOf(rec)) if (m.type === 'volume') this.#o.volumes.restoreReference(m.source, rec.Id, running);
    }
    await Promise.all(records.map(async (rec) => {
      const l = this.#index.get(rec.Id);
      if (l === undefined) return;
      try {
        await this.#restoreOne(l);
      } catch (err) {
        this.#o.log.error({ err, id: rec.Id }, 'restore failed');
      }
    }));
  }

  async #restoreOne(l: Live): Promise<void> {
    const rec = l.rec;
    const p = this.#paths(rec.Id);
    const wasRunning = rec.State.Running || rec.State.Paused;
    if (wasRunning) {
      const shimPid = await readShimPid(p.stateDir);
      if (shimPid !== undefined && isAlive(shimPid, { expectShim: true })) {
        try {
          const monitor = await ShimClient.connect(p.stateDir);
          monitor.hello({ stdin: false, stdout: false, stderr: false });
          let resolveDone!: () => void;
          const done = new Promise<void>((r) => { resolveDone = r; });
          l.run = { stateDir: p.stateDir, monitor, done, resolveDone, startedAtMs: Date.parse(rec.State.StartedAt) || this.#o.clock.now() };
          await this.#o.network.restore(rec.Id, rec.NetworkSettings).catch((err: unknown) => this.#o.log.warn({ err, id: rec.Id }, 'network restore failed'));
          this.#jobs.track(monitor.exited.then((st) => this.#onExit(l, st), (err: unknown) => this.#onMonitorLost(l, err)));
          const probe = probeSpec(rec.Config.Healthcheck);
          if (probe !== null) this.#watchHealth(l, l.run, probe);
          this.#o.log.info({ id: rec.Id }, 'adopted running container');
          return;
        } catch (err) {
          this.#o.log.warn({ err, id: rec.Id }, 'shim alive but unreachable; reading exit.json');
        }
      }
      const st = await readExitFile(p.stateDir).catch(() => undefined);
      // The exit path applies the restart policy (always/unless-stopped/on-failure).
      await this.#onExit(l, st ?? { exitCode: 255, signal: null, finishedAt: rfc3339(this.#o.clock.now()) }, st === undefined ? 'shim died without an exit status' : '');
      return;
    }
    if (rec.State.Restarting || startOnDaemonStart(rec.HostConfig.RestartPolicy, rec.ManuallyStopped)) {
      if (rec.State.Restarting || rec.State.Status === 'exited') {
        await this.#locked(l, () => this.#startLocked(l, false)).catch((err: unknown) => this.#o.log.warn({ err, id: rec.Id }, 'start at daemon start failed'));
      }
    }
  }

  /**
   * Daemon stop: containers keep running (live-restore). Timers are
   * cancelled, monitors and exec sessions closed (so exit watchers and
   * probes end), then every job still running is waited for: nothing of
   * this manager runs after this resolves.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const l of this.#index.values()) {
      l.restartTimer?.cancel();
      l.restartTimer = null;
      this.#health.stop(l.rec.Id);
      l.run?.monitor?.close();
      for (const w of l.pendingAttach.splice(0)) { w.conn.destroy(); w.resolve(); }
    }
    await this.#execs.shutdown();
    await this.#jobs.close();
  }
}
