import type { FastifyPluginAsync } from 'fastify';
import { parseDockerTimestamp, timestampMs } from '@shoal/common';
import type { Clock, Filters, Logger } from '@shoal/common';
import type { ContainerEngine, EventSource, ImageEngine, VolumeEngine } from './engine-deps.js';
import type { SystemInfo } from './system-facts.js';
import { swarmPingHeader, type SwarmInfo, type SwarmSwitch } from './swarm-role.js';
import { MAX_API_VERSION, MIN_API_VERSION } from './api-version.js';
import { parseFilters } from './filters-param.js';
import { apiErrors } from './api-errors.js';
import { abortOnDisconnect, jsonLines, openStream, writeStream } from './stream-reply.js';

/** Options of {@link systemPlugin}. */
export interface SystemPluginOptions {
  containers: ContainerEngine;
  images: ImageEngine;
  volumes: VolumeEngine;
  events: EventSource;
  system: SystemInfo;
  clock: Clock;
  log: Logger;
  /** The node's swarm role in force (read per request). */
  swarm: SwarmSwitch;
}

const PING_HEADERS = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

/**
 * Parse Docker's `since`/`until` of /events: unix seconds with an optional
 * fraction ("1700000000.123456789", a negative one too), else what
 * parseDockerTimestamp takes (an RFC 3339 date, a Go duration before now).
 * Unix seconds out.
 */
export function parseEventTime(name: string, raw: string | undefined, nowMs: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  try {
    return timestampMs(parseDockerTimestamp(raw, nowMs)) / 1000;
  } catch (e) {
    throw apiErrors.make('BAD_PARAMETER', `invalid value for ${name}: "${raw}": ${(e as Error).message}`, { cause: e });
  }
}

/** /_ping, /version, /info, /system/df and /events. */
export const systemPlugin: FastifyPluginAsync<SystemPluginOptions> = async (app, opts) => {
  const { facts } = opts.system;
  let eventListeners = 0;
  const swarmInfo = (): SwarmInfo => opts.swarm.role.info();

  app.get<{ Querystring: { type?: string | string[] } }>('/system/df', {
    schema: { querystring: { type: 'object', properties: { type: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } } } },
  }, async (request) => {
    // API 1.42+: `type` picks what to compute (container, image, volume, build-cache); none = all.
    const types = new Set([request.query.type ?? []].flat());
    const want = (t: string): boolean => types.size === 0 || types.has(t);
    const containers = want('container') || want('image') ? await opts.containers.list({ all: true, size: want('container') }) : [];
    const users = new Map<string, number>();
    for (const c of containers) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
    const usage = want('image') ? opts.images.diskUsage() : undefined;
    return {
      LayersSize: usage?.layersSize,
      // Containers and SharedSize as Docker fills them here (they are -1 in /images/json): the CLI's RECLAIMABLE needs both.
      Images: usage === undefined ? undefined : (await opts.images.list({ all: false }))
        .map((i) => ({ ...i, Containers: users.get(i.Id) ?? 0, SharedSize: usage.sharedSize[i.Id] ?? 0, VirtualSize: i.Size })),
      Containers: want('container') ? containers : undefined,
      Volumes: want('volume') ? await opts.volumes.usage() : undefined,
      BuildCache: want('build-cache') ? [] : undefined,
    };
  });

  app.get('/_ping', async (_req, reply) => {
    return reply.headers({ ...PING_HEADERS, Swarm: swarmPingHeader(swarmInfo()) }).type('text/plain; charset=utf-8').send('OK');
  });
  app.head('/_ping', async (_req, reply) => {
    return reply.headers({ ...PING_HEADERS, Swarm: swarmPingHeader(swarmInfo()), 'Content-Length': '0' }).type('text/plain; charset=utf-8').send();
  });

  app.get('/version', async () => ({
    Platform: { Name: `shoal ${facts.version}` },
    Components: [{
      Name: 'Engine',
      Version: facts.version,
      Details: {
        ApiVersion: MAX_API_VERSION, Arch: facts.arch, BuildTime: facts.buildTime, Experimental: String(facts.experimental),
        GitCommit: facts.gitCommit, GoVersion: facts.runtimeVersion, KernelVersion: facts.kernelVersion,
        MinAPIVersion: MIN_API_VERSION, Os: 'linux',
      },
    }],
    Version: facts.version,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: facts.gitCommit,
    GoVersion: facts.runtimeVersion,
    Os: 'linux',
    Arch: facts.arch,
    KernelVersion: facts.kernelVersion,
    Experimental: facts.experimental,
    BuildTime: facts.buildTime,
  }));

  app.get('/info', async () => {
    const c = opts.containers.counts();
    const { images } = opts.images.counts();
    const insecureCidrs = facts.insecureRegistries.filter((r) => r.includes('/'));
    const insecureHosts = facts.insecureRegistries.filter((r) => !r.includes('/'));
    const indexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }> = {
      'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true },
    };
    for (const h of insecureHosts) indexConfigs[h] = { Name: h, Mirrors: [], Secure: false, Official: false };
    return {
      ID: facts.id,
      Containers: c.total,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: images,
      Driver: 'overlay2',
      DriverStatus: facts.driverStatus,
      DockerRootDir: facts.dockerRootDir,
      Plugins: { Volume: [], Network: ['bridge', 'host', 'null'], Authorization: null, Log: [facts.loggingDriver] },
      MemoryLimit: facts.memoryLimit,
      SwapLimit: facts.swapLimit,
      CpuCfsPeriod: facts.cpuCfsPeriod,
      CpuCfsQuota: facts.cpuCfsQuota,
      CPUShares: facts.cpuShares,
      CPUSet: facts.cpuSet,
      PidsLimit: facts.pidsLimit,
      OomKillDisable: facts.oomKillDisable,
      IPv4Forwarding: facts.ipv4Forwarding,
      BridgeNfIptables: facts.bridgeNfIptables,
      BridgeNfIp6tables: facts.bridgeNfIp6tables,
      Debug: facts.debug,
      NFd: opts.system.openFds(),
      NGoroutines: 0,
      SystemTime: new Date(opts.clock.now()).toISOString(),
      LoggingDriver: facts.loggingDriver,
      CgroupDriver: facts.cgroupDriver,
      CgroupVersion: facts.cgroupVersion,
      NEventsListener: eventListeners,
      KernelVersion: facts.kernelVersion,
      OperatingSystem: facts.operatingSystem,
      OSVersion: facts.osVersion,
      OSType: 'linux',
      Architecture: facts.architecture,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        AllowNondistributableArtifactsCIDRs: null,
        AllowNondistributableArtifactsHostnames: null,
        InsecureRegistryCIDRs: insecureCidrs,
        IndexConfigs: indexConfigs,
        Mirrors: null,
      },
      NCPU: facts.ncpu,
      MemTotal: facts.memTotal,
      GenericResources: null,
      HttpProxy: facts.httpProxy,
      HttpsProxy: facts.httpsProxy,
      NoProxy: facts.noProxy,
      Name: facts.name,
      Labels: facts.labels,
      ExperimentalBuild: facts.experimental,
      ServerVersion: facts.version,
      Runtimes: facts.runtimes,
      DefaultRuntime: facts.defaultRuntime,
      Swarm: swarmInfo(),
      LiveRestoreEnabled: facts.liveRestore,
      Isolation: '',
      InitBinary: '',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
      SecurityOptions: facts.securityOptions,
      DefaultAddressPools: facts.defaultAddressPools,
      Warnings: facts.warnings,
      CDISpecDirs: [],
    };
  });

  app.get<{ Querystring: { since?: string; until?: string; filters?: string } }>('/events', {
    schema: {
      querystring: {
        type: 'object',
        properties: { since: { type: 'string' }, until: { type: 'string' }, filters: { type: 'string' } },
      },
    },
  }, async (request, reply) => {
    const since = parseEventTime('since', request.query.since, opts.clock.now());
    const until = parseEventTime('until', request.query.until, opts.clock.now());
    const filters: Filters = parseFilters(request.query.filters);
    const signal = abortOnDisconnect(reply);
    // subscribe validates filters synchronously, so a bad filter is a 400 before the stream opens.
    const events = opts.events.subscribe({ since, until, filters }, signal);
    openStream(reply, 'application/json');
    eventListeners += 1;
    try {
      await writeStream(reply, jsonLines(events));
    } catch (err) {
      opts.log.warn({ err }, 'events stream ended with an error');
      reply.raw.destroy();
    } finally {
      eventListeners -= 1;
    }
  });
};
