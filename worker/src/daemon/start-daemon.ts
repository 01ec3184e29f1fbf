import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger, systemClock, type Clock, type DaemonConfig, type EngineEvent, type Logger } from '@shoal/common';
import { buildApp } from '../engine/api/index.js';
import { EventBus } from '../engine/events/index.js';
import { ImageStore } from '../engine/images/index.js';
import { NetworkManager } from '../engine/networks/index.js';
import { ContainerManager } from '../engine/containers/index.js';
import { daemonErrors } from './daemon-errors.js';
import { acquirePidfile } from './pidfile.js';
import { gatherHostFacts, systemInfo } from './host-facts.js';
import { ImageUsage } from './image-usage.js';
import { withDefaultUlimits } from './default-ulimits.js';
import { listenTls, listenUnix, type ApiListener } from './listeners.js';

/** Options of {@link startDaemon} beyond the config (tests). */
export interface StartDaemonOptions {
  log?: Logger;
  clock?: Clock;
  /** crun binary (default /usr/bin/crun). */
  crunPath?: string;
}

/** A running shoald. */
export interface Daemon {
  readonly config: DaemonConfig;
  /** The addresses actually listened on (tcp with the real port). */
  readonly addresses: string[];
  readonly events: EventBus;
  readonly app: FastifyInstance;
  /**
   * Stop: close the listeners (cutting open streams), stop the subsystems
   * and remove the pid file. Containers keep running under their shims
   * (live-restore) unless live-restore is off, then they are stopped first.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Compose and start shoald: event bus, image store, networks, containers
 * (which restores the containers of the previous run), the Engine API on
 * every --host; pid file first, so that a second daemon on the same files
 * is refused before it touches anything.
 */
export async function startDaemon(config: DaemonConfig, opts: StartDaemonOptions = {}): Promise<Daemon> {
  const log = opts.log ?? createLogger({ level: config.logLevel, name: 'shoald' });
  const clock = opts.clock ?? systemClock;
  const crunPath = opts.crunPath ?? '/usr/bin/crun';
  if (process.getuid?.() !== 0) {
    throw daemonErrors.make('NOT_ROOT', 'shoald needs to run as root (namespaces, cgroups, mounts, nftables)');
  }
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o711 });
  const releasePid = await acquirePidfile(config.pidfile);
  // Undo list, run in reverse on a failed start and on close.
  const undo: Array<() => Promise<void>> = [releasePid];
  // Two daemons with their own pid files must still not share state directories.
  try {
    for (const dir of [config.dataRoot, config.execRoot]) undo.push(await acquirePidfile(join(dir, 'shoald.lock')));
  } catch (err) {
    for (const fn of undo.splice(0).reverse()) await fn();
    throw err;
  }
  const unwind = async (): Promise<void> => {
    for (const fn of undo.splice(0).reverse()) {
      await fn().catch((err: unknown) => { log.error({ err }, 'shutdown step failed'); });
    }
  };

  try {
    const facts = await gatherHostFacts(config, { crunPath });
    const events = new EventBus({ clock });
    const emit = (e: EngineEvent): void => { events.emit(e); };

    const images = await ImageStore.open({ root: join(config.dataRoot, 'image'), log: log.child({ subsystem: 'images' }), events: emit, clock });
    const networks = await NetworkManager.open({
      dataRoot: config.dataRoot, execRoot: config.execRoot, bridgeName: config.bridge, bip: config.bip,
      nftTable: config.nftTable, log: log.child({ subsystem: 'networks' }), clock,
    });
    undo.push(() => networks.close());
    const containers = new ContainerManager({
      dataRoot: config.dataRoot, execRoot: config.execRoot, cgroupParent: config.cgroupParent,
      images, network: networks, events: emit, clock, log: log.child({ subsystem: 'containers' }), crunPath,
      logMaxSize: config.logOpts.maxSize, logMaxFiles: config.logOpts.maxFile,
    });
    await containers.open();
    undo.push(async () => {
      if (!config.liveRestore) {
        for (const c of await containers.list({})) {
          await containers.stop(c.Id, {}).catch((err: unknown) => { log.warn({ err, id: c.Id }, 'stop at shutdown failed'); });
        }
      }
      await containers.shutdown();
    });

    const usage = new ImageUsage(containers);
    await usage.refresh();
    images.setInUseCheck(usage.check);
    const usageStop = new AbortController();
    const usageLoop = usage.run(events, usageStop.signal, (err) => { log.warn({ err }, 'image usage refresh failed'); }).catch((err: unknown) => { log.error({ err }, 'image usage tracker stopped'); });
    undo.push(async () => { usageStop.abort(); await usageLoop; });

    const app = await buildApp({ containers: withDefaultUlimits(containers, config.defaultUlimits), images, networks, events, system: systemInfo(facts), log: log.child({ subsystem: 'api' }), clock });
    await app.ready();
    undo.push(() => app.close());

    const listeners: ApiListener[] = [];
    for (const host of config.hosts) {
      const l = host.startsWith('unix://')
        ? await listenUnix(app, host.slice('unix://'.length), log)
        : await listenTls(app, host, config, log);
      listeners.push(l);
      undo.push(() => l.close());
    }
    const addresses = listeners.map((l) => l.address);
    log.info({ addresses, dataRoot: config.dataRoot, execRoot: config.execRoot, version: facts.version }, 'shoald is serving the Engine API');

    let closing: Promise<void> | undefined;
    return {
      config, addresses, events, app,
      close: () => {
        closing ??= (async () => {
          log.info('shoald is shutting down');
          await unwind();
        })();
        return closing;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
