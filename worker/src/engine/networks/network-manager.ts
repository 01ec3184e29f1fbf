/**
 * NetworkManager: the bridge, host and none networks of one shoald. It
 * implements the API's NetworkEngine (list/inspect) and the containers
 * engine's NetworkAttacher (attach/detach/restore/rename).
 *
 * Ownership: the bridge, our nft table, `<execRoot>/netns/*`, the `veth*`
 * host ends we made, `<dataRoot>/network/*` and the port sockets. Kernel
 * state outlives the daemon (running containers keep their network across
 * a restart); `close()` only releases sockets.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  allocateIp, commonErrors, formatIpv4, hasCode, macFromIpv4, newIpam, parseCidr, parseIpv4, releaseIp, releaseOwner, systemClock, silentLogger,
  type Clock, type Filters, type IpamState, type Logger, type NetworkResource, type NetworkSettings,
} from '@shoal/common';
import type { AttachRequest, AttachResult, NetworkAttacher } from './network-attacher.js';
import type { EndpointMode, EndpointRecord, NetworkMode } from './endpoint-record.js';
import { networkErrors } from './network-errors.js';
import { planPorts } from './port-spec.js';
import { mappingKey, planNftDelta, planNftScript, type PortMapping } from './nft-plan.js';
import { reservePort, type HeldPort } from './port-reserver.js';
import { buildHosts, buildResolvConf } from './host-files.js';
import { buildNetworkResource, buildNetworkSettings, matchesNetworkFilters, normalizeNetworkMode, type BridgeConfig, type BuiltinNetwork } from './network-shapes.js';
import { writeJsonAtomic } from '@shoal/common';
import { StateFiles, readJsonOrNull } from './state-files.js';
import { planSandbox } from './sandbox-plan.js';
import { findJoinTarget } from './join-target.js';
import {
  Coalescer, NftTable, bridgePortNames, flushConntrackTo, vethPeerCounters, type InterfaceCounters, createNetns, deleteLink, ensureBridge,
  ensureNetnsDir, ipBatch, listNetnsFiles, removeNetns, writeSysctl,
} from '@shoal/overlay-net';

/** Options of {@link NetworkManager.open}. */
export interface NetworkManagerOptions {
  /** Persistent state goes to `<dataRoot>/network/`. */
  dataRoot: string;
  /** Netns bind mounts go to `<execRoot>/netns/`. */
  execRoot: string;
  /** Bridge interface name (max 15 chars). Default `shoal0`. */
  bridgeName?: string;
  /** Bridge address in CIDR, the gateway of containers. Default `172.29.0.1/16`. */
  bip?: string;
  /** Name of our nft table (family ip). Default `shoal`. */
  nftTable?: string;
  log?: Logger;
  clock?: Clock;
  /** Random bytes as hex (ids, veth names). Default node:crypto. */
  randomHex?: (bytes: number) => string;
  /** The host's resolv.conf and hosts (bases of the containers' files). */
  resolvConfPath?: string;
  hostsPath?: string;
}

interface LiveEndpoint {
  rec: EndpointRecord;
  /** Port sockets held for this endpoint (empty until restore after a daemon restart). */
  held: HeldPort[];
}

const MODES: NetworkMode[] = ['bridge', 'host', 'none'];

function defaultRandomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The networks subsystem of one shoald. Create with {@link NetworkManager.open}. */
export class NetworkManager implements NetworkAttacher {
  #files: StateFiles;
  #netnsDir: string;
  #bridge: BridgeConfig;
  #bip: string;
  #table: string;
  #log: Logger;
  #clock: Clock;
  #hex: (bytes: number) => string;
  #resolvConfPath: string;
  #hostsPath: string;
  #networks: BuiltinNetwork[] = [];
  #ipam: IpamState;
  #endpoints = new Map<string, LiveEndpoint>();
  /** Per-container serialization of attach/detach/restore. */
  #ops = new Map<string, Promise<unknown>>();
  #nft: NftTable;
  #ipamWriter: Coalescer;
  #closed = false;
  #warnedNoConntrack = false;

  private constructor(opts: NetworkManagerOptions) {
    this.#files = new StateFiles(opts.dataRoot);
    this.#netnsDir = join(opts.execRoot, 'netns');
    const bridgeName = opts.bridgeName ?? 'shoal0';
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridgeName)) {
      throw networkErrors.make('INVALID_CONFIG', `invalid bridge name "${bridgeName}" (1-15 letters, digits, _ . -)`);
    }
    this.#bip = opts.bip ?? '172.29.0.1/16';
    const c = parseCidr(this.#bip);
    if (c === null || c.prefix > 30 || c.addr === c.network || c.addr === c.broadcast) {
      throw networkErrors.make('INVALID_CONFIG', `invalid bip "${this.#bip}": want a host address with a prefix of at most /30, e.g. 172.29.0.1/16`);
    }
    this.#table = opts.nftTable ?? 'shoal';
    if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(this.#table)) {
      throw networkErrors.make('INVALID_CONFIG', `invalid nft table name "${this.#table}"`);
    }
    this.#bridge = { bridgeName, subnet: `${formatIpv4(c.network)}/${c.prefix}`, gateway: formatIpv4(c.addr), prefixLen: c.prefix };
    this.#log = opts.log ?? silentLogger();
    this.#clock = opts.clock ?? systemClock;
    this.#hex = opts.randomHex ?? defaultRandomHex;
    this.#resolvConfPath = opts.resolvConfPath ?? '/etc/resolv.conf';
    this.#hostsPath = opts.hostsPath ?? '/etc/hosts';
    this.#ipam = newIpam(this.#bridge.subnet, this.#bridge.gateway);
    this.#nft = new NftTable({
      table: this.#table,
      planFull: () => {
        // Endpoints holding their ports first: they win a key conflict with a stale record.
        const eps = [...this.#endpoints.values()];
        const mappings = [...eps.filter((e) => e.held.length > 0), ...eps.filter((e) => e.held.length === 0)].flatMap((e) => e.rec.ports);
        return planNftScript({ table: this.#table, bridge: this.#bridge.bridgeName, subnet: this.#bridge.subnet, mappings });
      },
      log: this.#log,
    });
    this.#ipamWriter = new Coalescer(() => writeJsonAtomic(this.#files.ipamPath, this.#ipam));
  }

  /**
   * Load state, create the bridge if missing, enable forwarding and
   * route_localnet, and (re)install our nft table from the recorded
   * endpoints. Port sockets of running containers are re-taken by
   * {@link restore}. Throws ENGINE_NETWORK_INVALID_CONFIG, NET_SETUP_FAILED.
   */
  static async open(opts: NetworkManagerOptions): Promise<NetworkManager> {
    const m = new NetworkManager(opts);
    await m.#load();
    return m;
  }

  async #load(): Promise<void> {
    await this.#files.init();
    const saved = await readJsonOrNull<BuiltinNetwork[]>(this.#files.networksPath);
    const created = new Date(this.#clock.now()).toISOString();
    this.#networks = MODES.map((name) => saved?.find((n) => n.name === name) ?? { name, id: this.#hex(32), created });
    if (saved === null || saved.length !== this.#networks.length) await writeJsonAtomic(this.#files.networksPath, this.#networks);

    // ipam.json is a cache of what the endpoint records say: unreadable means rebuilt from them.
    const ipam = await readJsonOrNull<IpamState>(this.#files.ipamPath).catch((e: unknown) => {
      this.#log.warn({ err: e }, 'ipam.json unreadable: rebuilt from the endpoint records');
      return null;
    });
    if (ipam !== null && ipam.subnet === this.#bridge.subnet && ipam.gateway === this.#bridge.gateway) this.#ipam = ipam;
    else if (ipam !== null) this.#log.warn({ old: ipam.subnet, new: this.#bridge.subnet }, 'bridge subnet changed: IP allocations reset');
    const recs = await this.#files.readAllEndpoints((file, err) => this.#log.error({ err, file }, 'unreadable endpoint record ignored'));
    // Addresses no record holds (a crash between the IPAM write and the record write) go back to the pool.
    const held = new Set(recs.filter((r) => r.ip !== undefined).map((r) => `${r.ip ?? ''} ${r.containerId}`));
    for (const [ip, owner] of Object.entries(this.#ipam.allocated)) {
      if (!held.has(`${ip} ${owner}`)) this.#ipam = releaseIp(this.#ipam, ip);
    }
    for (const rec of recs) {
      this.#endpoints.set(rec.containerId, { rec, held: [] });
      // Endpoints are the truth: make sure their addresses are marked taken.
      if (rec.ip !== undefined && this.#ipam.allocated[rec.ip] === undefined) {
        try {
          this.#ipam = allocateIp(this.#ipam, rec.containerId, rec.ip).state;
        } catch (e) {
          this.#log.warn({ err: e, containerId: rec.containerId }, 'recorded endpoint address outside the bridge subnet');
        }
      }
    }
    await this.#ipamWriter.run();

    await ensureNetnsDir(this.#netnsDir);
    await ensureBridge(this.#bridge.bridgeName, this.#bip);
    await this.#removeOrphans();
    await writeSysctl('net/ipv4/ip_forward', '1');
    await writeSysctl(`net/ipv4/conf/${this.#bridge.bridgeName}/route_localnet`, '1');
    await this.#nft.rebuild();
    this.#log.info({ bridge: this.#bridge.bridgeName, subnet: this.#bridge.subnet, table: this.#table, endpoints: this.#endpoints.size }, 'networks ready');
  }

  /**
   * Kernel objects in what we own (our netns directory, our bridge) that no
   * endpoint record claims: left by a lost data root or a crash outside the
   * attach/detach protocol. Removed, so they cannot hold addresses or ports.
   */
  async #removeOrphans(): Promise<void> {
    const recs = [...this.#endpoints.values()].map((e) => e.rec);
    const netns = new Set(recs.map((r) => r.netnsPath).filter((p): p is string => p !== null));
    const veths = new Set(recs.map((r) => r.vethHost).filter((v): v is string => v !== undefined));
    for (const path of await listNetnsFiles(this.#netnsDir)) {
      if (netns.has(path)) continue;
      this.#log.warn({ path }, 'removing a network namespace no endpoint claims');
      await removeNetns(path);
    }
    for (const name of await bridgePortNames(this.#bridge.bridgeName)) {
      if (veths.has(name) || !name.startsWith('veth')) continue;
      this.#log.warn({ name, bridge: this.#bridge.bridgeName }, 'removing a veth no endpoint claims');
      await deleteLink(name);
    }
  }

  /** Release the port sockets. Kernel state (bridge, rules, netns) stays for the running containers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#ops.values()]);
    await Promise.all([...this.#endpoints.values()].flatMap((e) => e.held.map((h) => h.release())));
    for (const e of this.#endpoints.values()) e.held = [];
  }

  /** The bridge's name, subnet and gateway. */
  get bridge(): Readonly<BridgeConfig> {
    return this.#bridge;
  }

  /** The nft table name. */
  get nftTable(): string {
    return this.#table;
  }

  // ---- NetworkEngine ----

  /** GET /networks */
  async list(filters?: Filters): Promise<NetworkResource[]> {
    const eps = [...this.#endpoints.values()].map((e) => e.rec);
    return this.#networks.map((n) => buildNetworkResource(n, eps, this.#bridge)).filter((n) => matchesNetworkFilters(n, filters));
  }

  /** GET /networks/{id}: by name, full id or unique id prefix. Throws NETWORK_NOT_FOUND (404). */
  async inspect(idOrName: string): Promise<NetworkResource> {
    const eps = [...this.#endpoints.values()].map((e) => e.rec);
    let net = this.#networks.find((n) => n.name === idOrName || n.id === idOrName);
    if (net === undefined && idOrName !== '') {
      const byPrefix = this.#networks.filter((n) => n.id.startsWith(idOrName));
      if (byPrefix.length > 1) throw networkErrors.make('AMBIGUOUS', `network ${idOrName} is ambiguous (${byPrefix.length} matches found)`);
      net = byPrefix[0];
    }
    if (net === undefined) throw networkErrors.make('NOT_FOUND', `network ${idOrName} not found`);
    return buildNetworkResource(net, eps, this.#bridge);
  }

  // ---- NetworkAttacher ----

  attach(req: AttachRequest): Promise<AttachResult> {
    return this.#serial(req.containerId, () => this.#attach(req));
  }

  detach(containerId: string): Promise<void> {
    return this.#serial(containerId, () => this.#detach(containerId));
  }

  restore(containerId: string, settings: NetworkSettings): Promise<void> {
    return this.#serial(containerId, () => this.#restore(containerId, settings));
  }

  async rename(containerId: string, newName: string): Promise<void> {
    await this.#serial(containerId, async () => {
      const ep = this.#endpoints.get(containerId);
      if (ep === undefined) return;
      ep.rec = { ...ep.rec, name: newName };
      await this.#files.writeEndpoint(ep.rec);
    });
  }

  /**
   * Per-interface counters for `docker stats` (`networks` of ContainerStats):
   * `{ eth0: {...} }` for a bridge endpoint, undefined otherwise (host, none,
   * container mode, not attached), as Docker omits them.
   */
  async interfaceStats(containerId: string): Promise<Record<string, InterfaceCounters> | undefined> {
    const veth = this.#endpoints.get(containerId)?.rec.vethHost;
    if (veth === undefined) return undefined;
    const c = await vethPeerCounters(veth);
    return c === null ? undefined : { eth0: c };
  }

  /** Run `fn` after any other operation on the same container. */
  #serial<T>(containerId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#ops.get(containerId) ?? Promise.resolve();
    const p = prev.then(fn, fn);
    const tail = p.catch(() => undefined);
    this.#ops.set(containerId, tail);
    void tail.then(() => {
      if (this.#ops.get(containerId) === tail) this.#ops.delete(containerId);
    });
    return p;
  }

  #networkId(mode: EndpointMode): string {
    return this.#networks.find((n) => n.name === mode)?.id ?? '';
  }

  async #attach(req: AttachRequest): Promise<AttachResult> {
    if (this.#closed) throw networkErrors.make('SETUP_FAILED', 'the network manager is closed');
    if (this.#endpoints.has(req.containerId)) {
      throw networkErrors.make('ALREADY_ATTACHED', `container ${req.containerId} is already attached to a network`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(req.containerId)) {
      throw commonErrors.make('INVALID_ARGUMENT', `invalid container id "${req.containerId}"`);
    }
    if (req.macAddress !== undefined && req.macAddress !== '' && !/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(req.macAddress)) {
      throw commonErrors.make('INVALID_ARGUMENT', `invalid MAC address "${req.macAddress}"`);
    }
    const parsed = normalizeNetworkMode(req.networkMode);
    if (parsed.mode === 'container') return this.#join(req, parsed.target);
    const mode = parsed.mode;
    const short = req.containerId.slice(0, 12);
    const rec: EndpointRecord = {
      containerId: req.containerId,
      name: req.name,
      mode,
      endpointId: this.#hex(32),
      sandboxId: this.#hex(32),
      netnsPath: mode === 'host' ? null : join(this.#netnsDir, req.containerId),
      ports: [],
      portKeys: [],
    };
    const held: HeldPort[] = [];
    // Undo steps, run in reverse on failure.
    const undo: Array<() => Promise<void>> = [];
    try {
      if (mode === 'bridge') {
        // 1. Validate and reserve the host ports before programming anything.
        const plan = planPorts(req.portBindings, req.exposedPorts, req.publishAllPorts);
        rec.portKeys = plan.portKeys;
        undo.push(async () => {
          await Promise.all(held.map((h) => h.release()));
        });
        for (const r of plan.requests) {
          try {
            held.push(await reservePort(r.proto, r.hostIp, r.hostPortMin, r.hostPortMax));
          } catch (e) {
            if (hasCode(e, networkErrors.codes.PORT_IN_USE)) {
              throw networkErrors.make(
                'PORT_IN_USE',
                `driver failed programming external connectivity on endpoint ${req.name} (${rec.endpointId}): ${e.message}`,
                { cause: e, details: { ...e.details } },
              );
            }
            throw e;
          }
        }
        // 2. An address.
        const alloc = allocateIp(this.#ipam, req.containerId);
        this.#ipam = alloc.state;
        undo.push(async () => {
          this.#ipam = releaseOwner(this.#ipam, req.containerId);
          await this.#ipamWriter.run();
        });
        await this.#ipamWriter.run();
        rec.ip = alloc.ip;
        rec.mac = req.macAddress !== undefined && req.macAddress !== '' ? req.macAddress : macFromIpv4(parseIpv4(alloc.ip) ?? 0);
        rec.vethHost = `veth${this.#hex(4)}`;
        rec.ports = plan.requests.map((r, i): PortMapping => ({
          proto: r.proto,
          hostIp: r.hostIp,
          hostPort: held[i]?.hostPort ?? 0,
          containerIp: alloc.ip,
          containerPort: r.containerPort,
        }));
      }
      // 3. Record the endpoint before making kernel objects, so detach can always clean up.
      await this.#files.writeEndpoint(rec);
      undo.push(() => this.#files.removeEndpoint(req.containerId));

      // 4. Kernel objects.
      if (rec.netnsPath !== null) {
        const plan = planSandbox(rec, this.#bridge, `/proc/${process.pid}/ns/net`);
        const path = rec.netnsPath;
        const veth = rec.vethHost;
        // Undo before create: a failure half-way through the batch may leave the veth's host end.
        undo.push(async () => {
          if (veth !== undefined) await deleteLink(veth);
          await removeNetns(path);
        });
        await createNetns(path, plan.inside);
        if (plan.host.length > 0) await ipBatch(plan.host, `cannot attach ${veth ?? ''} to ${this.#bridge.bridgeName}`);
      }
      // 5. Publish: the endpoint becomes live, the table is rebuilt with its ports.
      this.#endpoints.set(req.containerId, { rec, held });
      undo.push(async () => {
        this.#endpoints.delete(req.containerId);
        await this.#unpublish(rec);
      });
      if (rec.ports.length > 0) await this.#nft.applyDelta(planNftDelta(this.#table, rec.ports, []));
    } catch (e) {
      for (const step of undo.reverse()) {
        try {
          await step();
        } catch (ue) {
          this.#log.error({ err: ue, containerId: req.containerId }, 'undo of a failed network attach failed');
        }
      }
      throw e;
    }
    this.#log.debug({ containerId: short, mode, ip: rec.ip, ports: rec.ports.length }, 'network attached');
    return this.#result(rec, req);
  }

  /**
   * `container:<target>`: share the namespace of a running container (full
   * id, unique id prefix or name). Nothing is created: the target owns the
   * netns; the record only lets `detach` and the listings know.
   */
  async #join(req: AttachRequest, target: string): Promise<AttachResult> {
    const found = findJoinTarget([...this.#endpoints.values()].map((e) => e.rec), target, req.containerId);
    if (found === undefined) {
      throw networkErrors.make('JOIN_TARGET_NOT_RUNNING', `cannot join network namespace of a non running container: ${target}`);
    }
    const rec: EndpointRecord = {
      containerId: req.containerId,
      name: req.name,
      mode: 'container',
      joinedTo: found.containerId,
      endpointId: '',
      sandboxId: '',
      netnsPath: found.netnsPath,
      ports: [],
      portKeys: [],
    };
    await this.#files.writeEndpoint(rec);
    this.#endpoints.set(req.containerId, { rec, held: [] });
    return this.#result(rec, req, found);
  }

  async #result(rec: EndpointRecord, req: AttachRequest, joined?: EndpointRecord): Promise<AttachResult> {
    const settings = buildNetworkSettings(rec, rec.mode === 'container' ? '' : this.#networkId(rec.mode), this.#bridge);
    const base = joined ?? rec;
    const hostMode = base.mode === 'host';
    const hostResolv = await readFile(this.#resolvConfPath, 'utf8').catch(() => '');
    const hostHosts = hostMode ? await readFile(this.#hostsPath, 'utf8').catch(() => '') : undefined;
    const overrides = { dns: req.dns, dnsSearch: req.dnsSearch, dnsOptions: req.dnsOptions };
    return {
      netnsPath: rec.netnsPath,
      settings,
      hosts: buildHosts({
        ip: base.ip,
        hostname: req.hostname,
        domainname: req.domainname,
        extraHosts: req.extraHosts ?? [],
        gatewayIp: base.mode === 'bridge' ? this.#bridge.gateway : undefined,
        hostHosts,
      }),
      resolvConf: buildResolvConf(hostResolv, overrides, hostMode),
      hostnameFile: `${req.hostname}\n`,
    };
  }

  async #detach(containerId: string): Promise<void> {
    const live = this.#endpoints.get(containerId);
    const rec = live?.rec ?? (await this.#files.readEndpoint(containerId));
    if (rec === null) return;
    this.#endpoints.delete(containerId);
    // Rules go before the sockets are released, so a port is never free while
    // still forwarded to this container. The veth, the netns and the rules
    // are independent: removed concurrently.
    const results = await Promise.allSettled([
      this.#unpublish(rec),
      rec.vethHost !== undefined ? deleteLink(rec.vethHost) : Promise.resolve(),
      // container mode: the netns belongs to the joined container.
      rec.netnsPath !== null && rec.mode !== 'container' ? removeNetns(rec.netnsPath) : Promise.resolve(),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // Keep the record (and the endpoint) so that a later detach retries.
      if (live !== undefined) this.#endpoints.set(containerId, live);
      throw failed.reason;
    }
    if (rec.ports.length > 0 && rec.ip !== undefined) await this.#flushConntrack(rec.ip);
    if (live !== undefined) {
      await Promise.all(live.held.map((h) => h.release()));
      live.held = [];
    }
    if (Object.values(this.#ipam.allocated).includes(containerId)) {
      this.#ipam = releaseOwner(this.#ipam, containerId);
      await this.#ipamWriter.run();
    }
    await this.#files.removeEndpoint(containerId);
    this.#log.debug({ containerId: containerId.slice(0, 12) }, 'network detached');
  }

  async #restore(containerId: string, settings: NetworkSettings): Promise<void> {
    let live = this.#endpoints.get(containerId);
    if (live === undefined) {
      const rec = await this.#files.readEndpoint(containerId);
      if (rec === null) {
        this.#log.warn({ containerId, sandboxKey: settings.SandboxKey }, 'restore of a container without a network record: nothing to restore');
        return;
      }
      live = { rec, held: [] };
      this.#endpoints.set(containerId, live);
    }
    if (live.held.length > 0) return;
    const held: HeldPort[] = [];
    try {
      for (const p of live.rec.ports) held.push(await reservePort(p.proto, p.hostIp, p.hostPort, p.hostPort));
    } catch (e) {
      await Promise.all(held.map((h) => h.release()));
      throw e;
    }
    live.held = held;
    // The rules were rebuilt at open; a stale record may have won a key while this one held no sockets.
    if (live.rec.ports.length > 0) await this.#nft.rebuild();
  }

  /** Best effort: flows DNATed to a detached endpoint die with it (after its rules are gone). */
  async #flushConntrack(ip: string): Promise<void> {
    try {
      if (!(await flushConntrackTo(ip)) && !this.#warnedNoConntrack) {
        this.#warnedNoConntrack = true;
        this.#log.warn('conntrack tool not installed: stale UDP flows to removed containers last until they time out');
      }
    } catch (e) {
      this.#log.warn({ err: e, ip }, 'conntrack flush failed');
    }
  }

  /**
   * Take the ports of `rec` (already out of #endpoints) out of the table. A
   * key another endpoint also claims (a stale record after a restart) needs a
   * rebuild: deleting the element would unpublish the other one too.
   */
  #unpublish(rec: EndpointRecord): Promise<void> {
    if (rec.ports.length === 0) return Promise.resolve();
    const others = new Set([...this.#endpoints.values()].flatMap((e) => e.rec.ports.map(mappingKey)));
    if (rec.ports.some((p) => others.has(mappingKey(p)))) return this.#nft.rebuild();
    return this.#nft.applyDelta(planNftDelta(this.#table, [], rec.ports));
  }
}
