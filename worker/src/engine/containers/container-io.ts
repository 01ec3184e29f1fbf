/**
 * The I/O verbs of containers, apart from their lifecycle: logs, attach,
 * resize, top, stats, exec creation and disk sizes. They read a container's state and
 * never change it (but for events); the manager owns the state and hands
 * this a narrow view of it.
 */
import type { Duplex, Readable } from 'node:stream';
import { dirSize, type Clock, type ContainerStats, type ContainerTop, type ExecCreateBody } from '@shoal/common';
import type { ShimClient } from '@shoal/native';
import { readJsonFileLog } from '../logs/index.js';
import { overlayPaths, type CgroupLayout } from '../runtime/index.js';
import { attachStreams } from './attach-stream.js';
import type { ContainerRecord } from './container-record.js';
import type { ImageSource, LogReader } from './deps.js';
import { containerErrors } from './errors.js';
import type { ExecRegistry } from './exec-registry.js';
import type { AttachOptions, LogsOptions } from './options.js';
import type { ContainerPaths } from './start-sequence.js';
import { statsStream } from './stats.js';
import { topOf } from './top.js';
import type { Waiters } from './waiters.js';

/** What the I/O verbs see of one container. */
export interface IoView {
  rec: ContainerRecord;
  run: { stateDir: string; monitor: ShimClient | null; done: Promise<void> } | null;
  waiters: Waiters;
}

/** What the I/O verbs need of the manager. */
export interface IoDeps {
  find(ref: string): IoView;
  paths(id: string): ContainerPaths;
  emit(rec: ContainerRecord, action: string, attrs?: Record<string, string>): void;
  cgroupLayout(): CgroupLayout;
  cgroupPath(id: string): string;
  execs: ExecRegistry;
  logs: LogReader | undefined;
  clock: Clock;
}

function notRunning(rec: ContainerRecord): Error {
  return containerErrors.make('NOT_RUNNING', `Container ${rec.Id} is not running`);
}

/** The I/O verbs over one engine's containers. */
export class ContainerIo {
  readonly #d: IoDeps;

  constructor(deps: IoDeps) {
    this.#d = deps;
  }

  /** The configured log reader, or the json-file reader of logs/. */
  get #logs(): LogReader {
    return this.#d.logs ?? {
      read: (path, opts, stopped, signal) => readJsonFileLog(path, { ...opts, stopWhen: stopped, signal, clock: this.#d.clock }),
    };
  }

  async logs(idOrName: string, opts: LogsOptions, signal?: AbortSignal): Promise<{ tty: boolean; stream: Readable }> {
    const l = this.#d.find(idOrName);
    const tty = l.rec.Config.Tty === true;
    const stopped = l.run !== null ? l.run.done : Promise.resolve();
    return { tty, stream: this.#logs.read(this.#d.paths(l.rec.Id).logPath, { ...opts, tty }, stopped, signal) };
  }

  async attach(idOrName: string, opts: AttachOptions, conn: Duplex): Promise<void> {
    const l = this.#d.find(idOrName);
    if (l.rec.State.Paused) throw containerErrors.make('PAUSED', `container ${l.rec.Id} is paused, unpause the container before attach`);
    const tty = l.rec.Config.Tty === true;
    if (opts.logs === true) {
      const replay = this.#logs.read(this.#d.paths(l.rec.Id).logPath, { stdout: opts.stdout, stderr: opts.stderr, tty: tty || opts.raw === true }, Promise.resolve());
      for await (const chunk of replay) conn.write(chunk as Buffer);
    }
    if (opts.stream !== true) {
      conn.end();
      return;
    }
    this.#d.emit(l.rec, 'attach');
    // Not running yet (docker run: create, attach, start): connect at start.
    if (l.run === null) return l.waiters.attachAtStart({ opts, conn });
    await attachStreams({ stateDir: l.run.stateDir, tty, opts, conn, stdinOnce: l.rec.Config.StdinOnce === true });
  }

  async resize(idOrName: string, h: number, w: number): Promise<void> {
    const l = this.#d.find(idOrName);
    if (l.run === null || l.run.monitor === null) throw notRunning(l.rec);
    // Any connection may send a resize frame: use the monitor's.
    l.run.monitor.resize(h, w);
    this.#d.emit(l.rec, 'resize', { height: String(h), width: String(w) });
  }

  async top(idOrName: string, psArgs?: string): Promise<ContainerTop> {
    const l = this.#d.find(idOrName);
    if (l.run === null) throw notRunning(l.rec);
    return topOf(this.#d.cgroupLayout(), this.#d.cgroupPath(l.rec.Id), psArgs);
  }

  stats(idOrName: string, opts: { stream: boolean; oneShot?: boolean }, signal?: AbortSignal): AsyncIterable<ContainerStats> {
    const l = this.#d.find(idOrName);
    return statsStream({
      layout: this.#d.cgroupLayout(), cgroupPath: this.#d.cgroupPath(l.rec.Id), rec: () => l.rec, stream: opts.stream,
      oneShot: opts.oneShot === true, clock: this.#d.clock, signal,
    });
  }

  execCreate(idOrName: string, body: ExecCreateBody): Promise<{ Id: string }> {
    const l = this.#d.find(idOrName);
    if (l.run === null) return Promise.reject(notRunning(l.rec));
    if (l.rec.State.Paused) return Promise.reject(containerErrors.make('PAUSED', `Container ${l.rec.Id} is paused, unpause the container before exec`));
    return this.#d.execs.create(l.rec, body, this.#d.paths(l.rec.Id).bundle);
  }
}

/** SizeRw (the writable layer) and SizeRootFs (plus the image layers). Walks directories: only on request. */
export async function sizesOf(dataRoot: string, rec: ContainerRecord, images: Pick<ImageSource, 'layerPaths'>): Promise<{ SizeRw: number; SizeRootFs: number }> {
  const rw = await dirSize(overlayPaths(dataRoot, rec.Id).upper);
  const layers = await images.layerPaths(rec.Image).catch(() => [] as string[]);
  const ro = (await Promise.all(layers.map((d) => dirSize(d)))).reduce((a, b) => a + b, 0);
  return { SizeRw: rw, SizeRootFs: rw + ro };
}
