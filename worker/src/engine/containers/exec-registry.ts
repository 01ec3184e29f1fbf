import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { duplexPair, type Duplex } from 'node:stream';
import type { Clock, ExecCreateBody, ExecInspect, Logger } from '@shoal/common';
import { spawnShim, ShimClient } from '@shoal/native';
import { ALL_CAPS, resolveUser, type CrunRuntime, type OciSpec } from '../runtime/index.js';
import { attachStreams } from './attach-stream.js';
import type { ContainerRecord } from './container-record.js';
import { containerErrors } from './errors.js';

interface ExecState {
  id: string;
  containerId: string;
  body: ExecCreateBody;
  bundle: string;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  stateDir: string;
  client: ShimClient | null;
  /** Resolves with the exit code once the exec ended (or could not start). */
  done: Promise<number>;
  resolveDone: (code: number) => void;
}

/** What the exec registry needs from the container manager. */
export interface ExecRegistryOptions {
  execRoot: string;
  crun: CrunRuntime;
  events: (action: string, containerId: string, attrs: Record<string, string>) => void;
  container: (id: string) => { rec: ContainerRecord; running: boolean; paused: boolean };
  log: Logger;
  /** The daemon's bounding capabilities (what --privileged gets). */
  hostCaps: () => readonly string[] | undefined;
}

/** Exec instances: one shim per exec (`crun exec` run by the shim). */
export class ExecRegistry {
  readonly #execs = new Map<string, ExecState>();
  readonly #o: ExecRegistryOptions;

  constructor(o: ExecRegistryOptions) {
    this.#o = o;
  }

  async create(rec: ContainerRecord, body: ExecCreateBody, bundle: string): Promise<{ Id: string }> {
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw containerErrors.make('INVALID_CONFIG', 'No exec command specified');
    const id = randomBytes(32).toString('hex');
    let resolveDone!: (code: number) => void;
    const done = new Promise<number>((r) => { resolveDone = r; });
    this.#execs.set(id, {
      id, containerId: rec.Id, body, bundle, running: false, started: false, exitCode: null, pid: 0,
      stateDir: join(this.#o.execRoot, 'execs', id), client: null, done, resolveDone,
    });
    this.#o.events(`exec_create: ${body.Cmd.join(' ')}`, rec.Id, { execID: id });
    return { Id: id };
  }

  #get(id: string): ExecState {
    const e = this.#execs.get(id);
    if (e === undefined) throw containerErrors.make('EXEC_NOT_FOUND', `No such exec instance: ${id}`);
    return e;
  }

  /** Ids of a container's execs (inspect ExecIDs). */
  idsFor(containerId: string): string[] | null {
    const ids = [...this.#execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
    return ids.length > 0 ? ids : null;
  }

  async start(execId: string, opts: { detach?: boolean; tty?: boolean }, conn?: Duplex): Promise<void> {
    const e = this.#get(execId);
    if (e.started) throw containerErrors.make('EXEC_CONFLICT', `Error: Exec command ${execId} has already run`);
    const c = this.#o.container(e.containerId);
    if (!c.running) throw containerErrors.make('NOT_RUNNING', `Container ${e.containerId} is not running`);
    if (c.paused) throw containerErrors.make('PAUSED', `Container ${e.containerId} is paused, unpause the container before exec`);
    e.started = true;
    const spec = JSON.parse(await readFile(join(e.bundle, 'config.json'), 'utf8')) as OciSpec;
    const b = e.body;
    const tty = opts.tty ?? b.Tty === true;
    const proc = { ...spec.process, terminal: tty, args: b.Cmd, cwd: b.WorkingDir !== undefined && b.WorkingDir !== '' ? b.WorkingDir : spec.process.cwd };
    const env = new Map<string, string>();
    for (const kv of [...spec.process.env, ...(b.Env ?? [])]) { const i = kv.indexOf('='); if (i > 0) env.set(kv.slice(0, i), kv); }
    proc.env = [...env.values()];
    if (b.User !== undefined && b.User !== '') {
      const root = spec.root.path;
      const [passwd, group] = await Promise.all([readFile(join(root, 'etc/passwd'), 'utf8').catch(() => null), readFile(join(root, 'etc/group'), 'utf8').catch(() => null)]);
      const u = resolveUser(b.User, passwd, group);
      proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    }
    if (b.Privileged === true) {
      const all = [...(this.#o.hostCaps() ?? ALL_CAPS)];
      proc.capabilities = { bounding: all, effective: all, permitted: all };
    }
    await mkdir(e.stateDir, { recursive: true });
    const procFile = join(e.stateDir, 'process.json');
    await writeFile(procFile, JSON.stringify(proc));
    const stdin = b.AttachStdin === true && conn !== undefined && opts.detach !== true;
    await spawnShim({ id: e.containerId, runtime: this.#o.crun.bin, runtimeRoot: this.#o.crun.root, stateDir: e.stateDir, execProcess: procFile, tty, stdin, stdinOnce: stdin });
    const onStarted = async (client: ShimClient): Promise<void> => {
      e.client = client;
      try {
        const { pid } = await client.start();
        e.pid = pid;
        e.running = true;
      } catch (err) {
        e.exitCode = 126;
        e.resolveDone(126);
        throw containerErrors.make('CMD_NOT_FOUND', `OCI runtime exec failed: ${(err as Error).message}: unknown`, { cause: err });
      }
      this.#o.events(`exec_start: ${b.Cmd.join(' ')}`, e.containerId, { execID: e.id });
      void client.exited.then((st) => {
        e.running = false;
        e.exitCode = st.exitCode;
        e.resolveDone(st.exitCode);
        this.#o.events('exec_die', e.containerId, { execID: e.id, exitCode: String(st.exitCode) });
      }, () => {
        e.running = false;
        if (e.exitCode === null) e.exitCode = 126;
        e.resolveDone(e.exitCode);
      }).finally(() => rm(e.stateDir, { recursive: true, force: true }).catch(() => undefined));
    };
    if (opts.detach === true || conn === undefined) {
      const client = await ShimClient.connect(e.stateDir);
      client.hello({ stdin: false, stdout: false, stderr: false });
      await onStarted(client);
      return;
    }
    await attachStreams({
      stateDir: e.stateDir, tty, conn, stdinOnce: true,
      opts: { stdin, stdout: b.AttachStdout !== false, stderr: b.AttachStderr !== false, detachKeys: b.DetachKeys },
      beforeResolve: onStarted,
    });
  }

  /**
   * Run `cmd` in the container and capture its output (healthchecks).
   * After `timeoutMs` the process is killed and `timedOut` is set.
   */
  async runCaptured(rec: ContainerRecord, bundle: string, cmd: string[], timeoutMs: number, clock: Clock): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
    const { Id } = await this.create(rec, { Cmd: cmd, AttachStdout: true, AttachStderr: true }, bundle);
    const e = this.#get(Id);
    const [client, server] = duplexPair();
    let output = '';
    client.on('data', (b: Buffer) => { if (output.length < 4096) output += decodeFrames(b); });
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      if (e.pid > 0) { try { process.kill(e.pid, 'SIGKILL'); } catch { /* gone */ } }
    }, timeoutMs);
    try {
      await this.start(Id, {}, server);
      const exitCode = await e.done;
      return { exitCode, output: output.slice(0, 4096), timedOut };
    } finally {
      timer.cancel();
      client.destroy();
      this.#execs.delete(Id);
    }
  }

  async resize(execId: string, h: number, w: number): Promise<void> {
    const e = this.#get(execId);
    if (!e.running || e.client === null) throw containerErrors.make('NOT_RUNNING', `Exec ${execId} is not running`);
    e.client.resize(h, w);
  }

  async inspect(execId: string): Promise<ExecInspect> {
    const e = this.#get(execId);
    const [entrypoint = '', ...args] = e.body.Cmd;
    return {
      CanRemove: false, DetachKeys: e.body.DetachKeys ?? '', ID: e.id, Running: e.running, ExitCode: e.exitCode,
      ProcessConfig: { privileged: e.body.Privileged === true, user: e.body.User ?? '', tty: e.body.Tty === true, entrypoint, arguments: args },
      OpenStdin: e.body.AttachStdin === true, OpenStderr: e.body.AttachStderr === true, OpenStdout: e.body.AttachStdout === true,
      ContainerID: e.containerId, Pid: e.pid,
    };
  }

  /** Forget a removed container's execs. */
  async removeFor(containerId: string): Promise<void> {
    for (const e of [...this.#execs.values()]) {
      if (e.containerId !== containerId) continue;
      e.client?.close();
      this.#execs.delete(e.id);
      await rm(e.stateDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Daemon stop: drop connections (exec processes end with their container or on their own). */
  async shutdown(): Promise<void> {
    for (const e of this.#execs.values()) e.client?.close();
  }
}

/** Payload text of stdcopy frames (a chunk may hold several; a split frame loses its tail, fine for probe output). */
function decodeFrames(b: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= b.length) {
    const len = b.readUInt32BE(i + 4);
    out += b.subarray(i + 8, Math.min(b.length, i + 8 + len)).toString();
    i += 8 + len;
  }
  return out;
}
