import { randomBytes } from 'node:crypto';
import { hostname as hostHostname } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import type {
  ContainerCreateBody, ContainerInspect, ContainerStats, ContainerSummary, ContainerTop, ContainerUpdateBody,
  ContainerWaitResponse, EndpointSettings, ExecCreateBody, ExecInspect, Filters, TimerHandle,
} from '@shoal/common';
import { JobGroup, hasCode, isShoalError } from '@shoal/common';
import { shimErrors } from '@shoal/native';
import type { ExitStatus, ShimClient } from '@shoal/native';
import type { AttachOptions, LogsOptions } from './options.js';
import {
  CrunRuntime, buildResources, removeRootfs, unmountRootfs, readOomKills, prepareCgroups, overlayPaths, readBoundingCaps,
  type CgroupLayout,
} from '../runtime/index.js';
import type { ContainerManagerOptions, ContainerImage } from './deps.js';
import { containerErrors } from './errors.js';
import { ContainerStore } from './container-store.js';
import { rfc3339, type ContainerRecord } from './container-record.js';
import { buildRecord, planUpdate } from './create-config.js';
import { inheritMounts, legacyPlan, mountPointOf, parseVolumesFrom, type PlannedMount } from './mount-plan.js';
import { bindVolumes, releaseMounts, releaseVolumes } from './volume-binding.js';
import { generateName, normalizeName } from './names.js';
import { shouldRestart } from './backoff.js';
import { probeRun, restoreAction, restoreAll } from './restore-step.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { countStates, selectForList, selectForPrune } from './list-filters.js';
import { normalizeSignal, STOP_SIGNALS } from './signals.js';
import { containerPaths, startSequence, type ContainerPaths } from './start-sequence.js';
import { transition } from './state-machine.js';
import { ContainerIndex } from './container-index.js';
import { ExecRegistry } from './exec-registry.js';
import { summaryOf, inspectOf } from './views.js';
import { initialHealth, probeSpec, type ProbeSpec } from './health.js';
import { HealthMonitor } from './health-monitor.js';
import { Waiters } from './waiters.js';
import { ContainerIo, sizesOf } from './container-io.js';
import { connectRecord, disconnectRecord, planEndpointsConfig, restingNetworkSettings } from './network-config.js';

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
  /** `docker wait` callers and attach connections waiting for the start. */
  waiters: Waiters;
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
  readonly #restarts: RestartSupervisor;
  readonly #io: ContainerIo;

  constructor(opts: ContainerManagerOptions) {
    this.#o = opts;
    this.#store = new ContainerStore(opts.dataRoot);
    this.#crun = new CrunRuntime({ runtimeRoot: join(opts.execRoot, 'runtime'), bin: opts.crunPath });
    this.#rand = opts.rand ?? Math.random;
    this.#parent = (opts.cgroupParent ?? 'shoal').replace(/^\/+|\/+$/g, '');
    this.#jobs = new JobGroup({ clock: opts.clock, onError: (err) => opts.log.warn({ err }, 'container job failed') });
    this.#health = new HealthMonitor({ jobs: this.#jobs, clock: opts.clock, log: opts.log });
    this.#restarts = new RestartSupervisor({ jobs: this.#jobs, backoff: opts.backoff });
    this.#execs = new ExecRegistry({
      execRoot: opts.execRoot, crun: this.#crun, log: opts.log, hostCaps: () => this.#hostCaps,
      events: (a, id, attrs) => { const l = this.#index.get(id); if (l !== undefined) this.#emit(l.rec, a, attrs); },
      container: (id) => { const { rec } = this.#find(id); return { rec, running: rec.State.Running, paused: rec.State.Paused }; },
    });
    this.#io = new ContainerIo({
      find: (ref) => this.#find(ref), paths: (id) => this.#paths(id), emit: (rec, a, attrs) => this.#emit(rec, a, attrs),
      cgroupLayout: () => this.cgroupLayout, cgroupPath: (id) => this.cgroupPath(id), execs: this.#execs, logs: opts.logs, clock: opts.clock,
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
    return containerPaths(this.#store.dir(id), this.#o.execRoot, id);
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
    return { rec, run: null, waiters: new Waiters(), lock: Promise.resolve(), removing: false, cleaned: false, seq: ++this.#seq };
  }

  // ---------------------------------------------------------------- start

  async start(idOrName: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      if (l.removing) throw containerErrors.make('REMOVAL_IN_PROGRESS', `container ${l.rec.Id} is marked for removal and cannot be started`);
      if (l.rec.State.Paused) throw containerErrors.make('PAUSED', 'cannot start a paused container, try unpause instead');
      if (l.run !== null) throw containerErrors.make('ALREADY_STARTED', `container ${l.rec.Id} is already started`);
      this.#restarts.reset(l.rec.Id);
      l.rec.ManuallyStopped = false;
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
      }, rec, l.waiters.takeAttaches());
    } catch (e) {
      rec.State = transition(rec.State, {
        type: 'start-failed', error: (e as Error).message, exitCode: isShoalError(e) && e.code === containerErrors.codes.CMD_NOT_FOUND ? 127 : 128,
      });
      rec.NetworkSettings = restingNetworkSettings(rec);
      l.cleaned = true; // the start sequence undid everything it made
      await this.#store.save(rec).catch(() => undefined);
      l.waiters.dropAttaches();
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
      this.#restarts.nextDelay(id, ranMs);
      rec.State = transition(rec.State, { type: 'restart-scheduled' });
    }
    await this.#store.save(rec).catch((err: unknown) => this.#o.log.error({ err, id }, 'save after exit failed'));
    if (oom) this.#emit(rec, 'oom');
    this.#emit(rec, 'die', { exitCode: String(st.exitCode), execDuration: String(Math.round(ranMs / 1000)) });
    l.run = null;
    run?.resolveDone();
    const resp: ContainerWaitResponse = { StatusCode: st.exitCode, Error: error === '' ? null : { Message: error } };
    l.waiters.exited(resp);
    if (restart) {
      this.#restarts.schedule(id, async () => {
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
      if (this.#restarts.cancel(l.rec.Id)) {
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
      this.#restarts.reset(l.rec.Id);
      if (l.run !== null) {
        l.rec.ManuallyStopped = true; // keep the restart policy from racing us
        await this.#stopLocked(l, opts);
        this.#emit(l.rec, 'stop');
      }
      l.rec.ManuallyStopped = false;
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
      this.#restarts.forget(l.rec.Id);
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
      l.waiters.removed({ StatusCode: l.rec.State.ExitCode, Error: null });
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
    return l.waiters.wait(condition, signal);
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
      await connectRecord(l.rec, l.run !== null, this.#o.network, network, cfg);
      await this.#store.save(l.rec);
    });
  }

  /** `docker network disconnect`: the reverse. Throws NETWORK_CONFLICT (403) when it is not on that network. */
  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const l = this.#find(idOrName);
    await this.#locked(l, async () => {
      await disconnectRecord(l.rec, l.run !== null, this.#o.network, network);
      await this.#store.save(l.rec);
    });
  }

  async update(idOrName: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] }> {
    const l = this.#find(idOrName);
    return this.#locked(l, async () => {
      const next = planUpdate(l.rec.HostConfig, body);
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
    if (opts?.size === true) Object.assign(out, await sizesOf(this.#o.dataRoot, l.rec, this.#o.images));
    return out;
  }

  async list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    const recs = selectForList(this.#index.values(), opts, {
      lookup: (ref: string): ContainerRecord | undefined => { try { return this.#find(ref).rec; } catch { return undefined; } },
      imageIdsFor: (ref: string): string[] => [ref],
    });
    const now = this.#o.clock.now();
    if (opts.size !== true) return recs.map((r) => summaryOf(r, now));
    return Promise.all(recs.map(async (r) => ({ ...summaryOf(r, now), ...(await sizesOf(this.#o.dataRoot, r, this.#o.images)) })));
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    return countStates([...this.#index.values()].map((l) => l.rec));
  }

  async prune(filters?: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const removing = new Set([...this.#index.values()].filter((l) => l.removing).map((l) => l.rec.Id));
    const deleted: string[] = [];
    for (const r of selectForPrune([...this.#index.values()].map((l) => l.rec).filter((x) => !removing.has(x.Id)), filters, this.#o.clock.now())) {
      await this.remove(r.Id, {}).then(() => deleted.push(r.Id), () => undefined);
    }
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }

  top(idOrName: string, psArgs?: string): Promise<ContainerTop> { return this.#io.top(idOrName, psArgs); }

  stats(idOrName: string, opts: { stream: boolean; oneShot?: boolean }, signal?: AbortSignal): AsyncIterable<ContainerStats> { return this.#io.stats(idOrName, opts, signal); }

  // ---------------------------------------------------------------- io (container-io.ts)

  logs(idOrName: string, opts: LogsOptions, signal?: AbortSignal): Promise<{ tty: boolean; stream: Readable }> { return this.#io.logs(idOrName, opts, signal); }

  attach(idOrName: string, opts: AttachOptions, conn: Duplex): Promise<void> { return this.#io.attach(idOrName, opts, conn); }

  resize(idOrName: string, h: number, w: number): Promise<void> { return this.#io.resize(idOrName, h, w); }

  execCreate(idOrName: string, body: ExecCreateBody): Promise<{ Id: string }> { return this.#io.execCreate(idOrName, body); }

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
    await restoreAll({
      load: () => this.#store.loadAll(),
      log: this.#o.log,
      add: (rec) => {
        this.#index.add(this.#newLive(rec));
        // A container recorded as running still uses its volumes; if it died meanwhile, its exit path unmounts them.
        const running = rec.State.Running || rec.State.Paused;
        for (const m of this.#mountsOf(rec)) if (m.type === 'volume') this.#o.volumes.restoreReference(m.source, rec.Id, running);
      },
      restoreOne: async (rec) => {
        const l = this.#index.get(rec.Id);
        if (l !== undefined) await this.#restoreOne(l);
      },
    });
  }

  async #restoreOne(l: Live): Promise<void> {
    const rec = l.rec;
    const p = this.#paths(rec.Id);
    const action = restoreAction(rec, await probeRun(rec, p.stateDir, this.#o.log), rfc3339(this.#o.clock.now()));
    switch (action.kind) {
      case 'adopt': {
        let resolveDone!: () => void;
        const done = new Promise<void>((r) => { resolveDone = r; });
        l.run = { stateDir: p.stateDir, monitor: action.monitor, done, resolveDone, startedAtMs: Date.parse(rec.State.StartedAt) || this.#o.clock.now() };
        await this.#o.network.restore(rec.Id, rec.NetworkSettings).catch((err: unknown) => this.#o.log.warn({ err, id: rec.Id }, 'network restore failed'));
        this.#jobs.track(action.monitor.exited.then((st) => this.#onExit(l, st), (err: unknown) => this.#onMonitorLost(l, err)));
        const probe = probeSpec(rec.Config.Healthcheck);
        if (probe !== null) this.#watchHealth(l, l.run, probe);
        this.#o.log.info({ id: rec.Id }, 'adopted running container');
        return;
      }
      case 'exited':
        // The exit path applies the restart policy (always/unless-stopped/on-failure).
        return this.#onExit(l, action.status, action.error);
      case 'start':
        return this.#locked(l, () => this.#startLocked(l, false)).catch((err: unknown) => this.#o.log.warn({ err, id: rec.Id }, 'start at daemon start failed'));
      case 'none':
        return;
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
    this.#restarts.cancelAll();
    for (const l of this.#index.values()) {
      this.#health.stop(l.rec.Id);
      l.run?.monitor?.close();
      l.waiters.dropAttaches();
    }
    await this.#execs.shutdown();
    await this.#jobs.close();
  }
}
