import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger, systemClock, type Clock, type DaemonConfig, type EngineEventInput, type Logger } from '@shoal/common';
import { buildApp, SwarmSwitch } from '../engine/api/index.js';
import { SwarmHost } from './swarm/lifecycle.js';
import { EventBus } from '../engine/events/index.js';
import { ImageStore } from '../engine/images/index.js';
import { NetworkManager } from '../engine/networks/index.js';
import { VolumeManager } from '../engine/volumes/index.js';
import { ContainerManager } from '../engine/containers/index.js';
import { runsChrooted } from './chroot-check.js';
import { daemonErrors } from './daemon-errors.js';
import { acquirePidfile } from './pidfile.js';
import { gatherHostFacts, systemInfo } from './host-facts.js';
import { withDefaultUlimits } from './default-ulimits.js';
import { listenTls, listenUnix, type ApiListener } from './listeners.js';
import { SubsystemStack, closer } from './subsystems.js';

/** daemon.json key of each config field (for reload messages). */
const CONFIG_KEYS: Record<keyof DaemonConfig, string> = {
  dataRoot: 'data-root', execRoot: 'exec-root', hosts: 'hosts', pidfile: 'pidfile', configFile: 'config-file', bip: 'bip', bridge: 'bridge',
  logLevel: 'log-level', debug: 'debug', logDriver: 'log-driver', logOpts: 'log-opts', cgroupParent: 'cgroup-parent',
  defaultUlimits: 'default-ulimits', liveRestore: 'live-restore', nftTable: 'nft-table', userlandProxy: 'userland-proxy',
  insecureRegistries: 'insecure-registries', defaultAddressPools: 'default-address-pools', labels: 'labels',
  tlsverify: 'tlsverify', tlscacert: 'tlscacert', tlscert: 'tlscert', tlskey: 'tlskey',
};

/** What a SIGHUP reload applies live. */
const RELOADABLE: ReadonlyArray<keyof DaemonConfig> = ['logLevel', 'debug', 'labels', 'liveRestore', 'insecureRegistries'];

/** Options of {@link startDaemon} beyond the config (tests). */
export interface StartDaemonOptions {
  log?: Logger;
  clock?: Clock;
  /** crun binary (default /usr/bin/crun). */
  crunPath?: string;
  /** The node's swarm role, swapped at runtime by swarm init/join/leave (manager/ installs roles). */
  swarm?: SwarmSwitch;
}

/** A running shoald. */
export interface Daemon {
  readonly config: DaemonConfig;
  /** The addresses actually listened on (tcp with the real port). */
  readonly addresses: string[];
  readonly events: EventBus;
  readonly app: FastifyInstance;
  /**
   * SIGHUP: apply what can change live (log-level, debug, labels,
   * live-restore, insecure-registries as reported by /info) and emit
   * Docker's `daemon reload` event. Returns the daemon.json keys applied and
   * those that changed but need a restart (they are left as they were).
   */
  reload(next: DaemonConfig): { applied: string[]; restartNeeded: string[] };
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
  // Started in this order, closed in the reverse one (on a failed start too).
  const stack = new SubsystemStack(log);
  const unwind = (): Promise<void> => stack.closeAll();

  // What reload may change; the rest of `config` is fixed for the daemon's life.
  let current: DaemonConfig = { ...config };
  try {
    await stack.start('pidfile', async () => closer(await acquirePidfile(config.pidfile)));
    // Two daemons with their own pid files must still not share state directories.
    for (const dir of [config.dataRoot, config.execRoot]) {
      await stack.start(`lock ${dir}`, async () => closer(await acquirePidfile(join(dir, 'shoald.lock'))));
    }
    const facts = await gatherHostFacts(config, { crunPath });
    const events = new EventBus({ clock });
    const emit = (e: EngineEventInput): void => { events.emit(e); };

    // Every logger, so that a reload of log-level reaches them all.
    const loggers = [log];
    const child = (subsystem: string): Logger => { const l = log.child({ subsystem }); loggers.push(l); return l; };
    const images = await stack.start('images', () => ImageStore.open({ root: join(config.dataRoot, 'image'), log: child('images'), events: emit, clock }));
    const networks = await stack.start('networks', () => NetworkManager.open({
      dataRoot: config.dataRoot, execRoot: config.execRoot, bridgeName: config.bridge, bip: config.bip,
      nftTable: config.nftTable, log: child('networks'), clock, addressPools: config.defaultAddressPools, events: emit,
    }));
    const volumes = await stack.start('volumes', () => VolumeManager.open({ dataRoot: config.dataRoot, events: emit, clock, log: child('volumes') }));
    const containers = await stack.start('containers', async () => {
      const c = new ContainerManager({
        dataRoot: config.dataRoot, execRoot: config.execRoot, cgroupParent: config.cgroupParent,
        images, network: networks, volumes, events: emit, clock, log: child('containers'), crunPath,
        logMaxSize: config.logOpts.maxSize, logMaxFiles: config.logOpts.maxFile,
      });
      await c.open();
      return c;
    });
    // Without live-restore the containers stop before the engine closes (this runs before containers.close()).
    await stack.start('stop containers without live-restore', async () => closer(async () => {
      if (current.liveRestore) return;
      for (const c of await containers.list({})) {
        await containers.stop(c.Id, {}).catch((err: unknown) => { log.warn({ err, id: c.Id }, 'stop at shutdown failed'); });
      }
    }));

    // `rmi` asks the containers engine who uses an image, synchronously from its own index.
    images.setInUseCheck((imageId) => containers.imageUser(imageId));

    // What the API and the swarm agent create containers through: with daemon.json's default ulimits.
    const engineContainers = withDefaultUlimits(containers, config.defaultUlimits);

    // The swarm role: back into the swarm of the previous run, if any; `swarm init` makes one.
    let swarmHost: SwarmHost | undefined;
    const swarm = opts.swarm ?? new SwarmSwitch({
      init: (request) => (swarmHost as SwarmHost).init(request),
      join: (request) => (swarmHost as SwarmHost).join(request),
    });
    if (opts.swarm === undefined) {
      swarmHost = await stack.start('swarm', async () => {
        const h = new SwarmHost({ dataRoot: config.dataRoot, clock, log: child('swarm'), facts, swarm, engine: { containers: engineContainers, images } });
        await h.open();
        return h;
      });
    }

    const app = await stack.start('api', () => buildApp({ containers: engineContainers, images, networks, volumes, events, system: systemInfo(facts), log: child('api'), clock, swarm }));
    await app.ready();

    const listeners: ApiListener[] = [];
    for (const host of config.hosts) {
      const l = await stack.start(`listener ${host}`, () => (host.startsWith('unix://')
        ? listenUnix(app, host.slice('unix://'.length), log)
        : listenTls(app, host, config, log)));
      listeners.push(l);
    }
    const addresses = listeners.map((l) => l.address);
    if (await runsChrooted()) {
      log.warn('shoald runs under chroot: crun cannot pivot_root, and `exec` into a container would run in the host\'s root filesystem; run shoald outside a chroot');
    }
    log.info({ addresses, dataRoot: config.dataRoot, execRoot: config.execRoot, version: facts.version }, 'shoald is serving the Engine API');

    let closing: Promise<void> | undefined;
    const reload = (next: DaemonConfig): { applied: string[]; restartNeeded: string[] } => {
      const changed = (Object.keys(CONFIG_KEYS) as Array<keyof DaemonConfig>)
        .filter((f) => JSON.stringify(next[f]) !== JSON.stringify(current[f]));
      const live = changed.filter((f) => RELOADABLE.includes(f));
      const restartNeeded = changed.filter((f) => !RELOADABLE.includes(f)).map((f) => CONFIG_KEYS[f]);
      current = { ...current, logLevel: next.logLevel, debug: next.debug, labels: next.labels, liveRestore: next.liveRestore, insecureRegistries: next.insecureRegistries };
      for (const l of loggers) l.level = current.logLevel;
      facts.debug = current.debug;
      facts.labels = [...current.labels];
      facts.liveRestore = current.liveRestore;
      facts.insecureRegistries = ['127.0.0.0/8', ...current.insecureRegistries.filter((r) => r !== '127.0.0.0/8')];
      const applied = live.map((f) => CONFIG_KEYS[f]);
      events.emit({
        Type: 'daemon', Action: 'reload',
        Actor: { ID: facts.id, Attributes: { name: facts.name, labels: JSON.stringify(current.labels), debug: String(current.debug), 'live-restore': String(current.liveRestore) } },
      });
      if (restartNeeded.length > 0) log.warn({ keys: restartNeeded }, 'these settings changed but take effect only after a restart');
      log.info({ applied }, 'configuration reloaded');
      return { applied, restartNeeded };
    };
    return {
      config, addresses, events, app, reload,
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
