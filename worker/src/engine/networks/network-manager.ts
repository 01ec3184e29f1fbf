/**
 * NetworkManager: the networks of one shoald (built-in bridge, host, none
 * and user-defined bridge networks). It implements the API's network verbs
 * (list, inspect, create, remove, prune) and the containers engine's
 * NetworkAttacher (attach, detach, connect, disconnect, restore, rename).
 *
 * The manager owns records, addresses (one IPAM per network), port
 * reservations and our nftables table; drivers (drivers.ts) own the kernel
 * objects of their networks and plan how an interface is plugged into a
 * sandbox. Endpoints are keyed by (network, container); a container has one
 * sandbox (its netns) and one endpoint per network it is on.
 *
 * Kernel state outlives the daemon (running containers keep their network
 * across a restart); `close()` only releases sockets.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  allocateIp, commonErrors, formatIpv4, macFromIpv4, newIpam, parseCidr, parseIpv4, releaseIp, releaseOwner, systemClock, silentLogger,
  writeJsonAtomic, type Cidr, type Clock, type EngineEventInput, type Filters, type IpamState, type Logger, type NetworkResource, type NetworkSettings,
} from '@shoal/common';
import {
  Coalescer, NftTable, createNetns, deleteLink, ensureNetnsDir, flushConntrackTo, hostRouteDestinations, ipBatch, listNetnsFiles, netnsIpBatch,
  removeNetns, vethPeerCounters, writeSysctl, type InterfaceCounters,
} from '@shoal/overlay-net';
import type { AttachRequest, AttachResult, EndpointRequest, NetworkAttacher } from './network-attacher.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './network-record.js';
import { hostDriver, nullDriver, type NetworkDriver } from './drivers.js';
import { bridgeDriver } from './bridge-driver.js';
import { networkErrors } from './network-errors.js';
import { planPorts } from './port-spec.js';
import { mappingKey, planNftDelta, planNftScript, type PortMapping } from './nft-plan.js';
import { reserveEndpointPort, reservePort, type HeldPort } from './port-reserver.js';
import { newEndpoint } from './endpoint-plan.js';
import { sandboxFiles } from './sandbox-files.js';
import { buildNetworkResource, buildNetworkSettings, matchesNetworkFilters, parseNetworkMode } from './network-shapes.js';
import { planNetworkCreate, type NetworkCreateBody } from './network-spec.js';
import { StateFiles, readJsonOrNull } from './state-files.js';
import { findJoinTarget } from './join-target.js';
import { reconcileState } from './loaded-state.js';

/** Options of {@link NetworkManager.open}. */
export interface NetworkManagerOptions {
  /** Persistent state goes to `<dataRoot>/network/`. */
  dataRoot: string;
  /** Netns bind mounts go to `<execRoot>/netns/`. */
  execRoot: string;
  /** The default bridge's interface name (max 15 chars). Default `shoal0`. */
  bridgeName?: string;
  /** The default bridge's address in CIDR, the gateway of its containers. Default `172.29.0.1/16`. */
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
  /** Subnets of new networks (daemon.json default-address-pools); Docker's defaults when absent or empty. */
  addressPools?: ReadonlyArray<{ base: string; size: number }>;
  /** Docker's `network` events: create, destroy, connect, disconnect. */
  events?: (e: EngineEventInput) => void;
}

interface LiveSandbox {
  rec: SandboxRecord;
  /** Port sockets held for the primary endpoint (empty until restore after a daemon restart). */
  held: HeldPort[];
}

const DRIVERS: readonly NetworkDriver[] = [bridgeDriver, hostDriver, nullDriver];

function defaultRandomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The networks subsystem of one shoald. Create with {@link NetworkManager.open}. */
export class NetworkManager implements NetworkAttacher {
  #files: StateFiles;
  #netnsDir: string;
  #defaultBridge: { bridgeName: string; subnet: string; gateway: string };
  #table: string;
  #log: Logger;
  #clock: Clock;
  #hex: (bytes: number) => string;
  #resolvConfPath: string;
  #hostsPath: string;
  #pools: ReadonlyArray<{ base: string; size: number }> | undefined;
  #events: (e: EngineEventInput) => void;
  #networks = new Map<string, NetworkRecord>();
  #ipam = new Map<string, IpamState>();
  #sandboxes = new Map<string, LiveSandbox>();
  /** Endpoints by network id, then container id. */
  #endpoints = new Map<string, Map<string, EndpointRecord>>();
  /** Per-container serialization of attach/detach/connect/disconnect/restore. */
  #ops = new Map<string, Promise<unknown>>();
  #nft: NftTable;
  #ipamWriter: Coalescer;
  #networksWriter: Coalescer;
  #closed = false;
  #warnedNoConntrack = false;

  private constructor(opts: NetworkManagerOptions) {
    this.#files = new StateFiles(opts.dataRoot);
    this.#netnsDir = join(opts.execRoot, 'netns');
    const bridgeName = opts.bridgeName ?? 'shoal0';
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridgeName)) {
      throw networkErrors.make('INVALID_CONFIG', `invalid bridge name "${bridgeName}" (1-15 letters, digits, _ . -)`);
    }
    const bip = opts.bip ?? '172.29.0.1/16';
    const c = parseCidr(bip);
    if (c === null || c.prefix > 30 || c.addr === c.network || c.addr === c.broadcast) {
      throw networkErrors.make('INVALID_CONFIG', `invalid bip "${bip}": want a host address with a prefix of at most /30, e.g. 172.29.0.1/16`);
    }
    this.#table = opts.nftTable ?? 'shoal';
    if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(this.#table)) {
      throw networkErrors.make('INVALID_CONFIG', `invalid nft table name "${this.#table}"`);
    }
    this.#defaultBridge = { bridgeName, subnet: `${formatIpv4(c.network)}/${c.prefix}`, gateway: formatIpv4(c.addr) };
    this.#log = opts.log ?? silentLogger();
    this.#clock = opts.clock ?? systemClock;
    this.#hex = opts.randomHex ?? defaultRandomHex;
    this.#resolvConfPath = opts.resolvConfPath ?? '/etc/resolv.conf';
    this.#hostsPath = opts.hostsPath ?? '/etc/hosts';
    this.#pools = opts.addressPools !== undefined && opts.addressPools.length > 0 ? opts.addressPools : undefined;
    this.#events = opts.events ?? (() => undefined);
    this.#nft = new NftTable({ table: this.#table, planFull: () => this.#planTable(), log: this.#log });
    this.#ipamWriter = new Coalescer(() => writeJsonAtomic(this.#files.ipamPath, Object.fromEntries(this.#ipam)));
    this.#networksWriter = new Coalescer(() => writeJsonAtomic(this.#files.networksPath, [...this.#networks.values()]));
  }

  /**
   * Load state, set up every network (the default bridge from the config),
   * enable forwarding, remove orphans and (re)install our nft table from the
   * recorded endpoints. Port sockets of running containers are re-taken by
   * {@link restore}. Throws ENGINE_NETWORK_INVALID_CONFIG, NET_SETUP_FAILED.
   */
  static async open(opts: NetworkManagerOptions): Promise<NetworkManager> {
    const m = new NetworkManager(opts);
    await m.#load();
    return m;
  }

  /** The full table: bridges of every bridge network; endpoints holding their ports win a key conflict with a stale record. */
  #planTable(): string {
    const bridges = [...this.#networks.values()]
      .filter((n) => n.bridgeName !== undefined && n.subnet !== undefined)
      .map((n) => ({ name: n.bridgeName ?? '', subnet: n.subnet ?? '', internal: n.internal }));
    const sbs = [...this.#sandboxes.values()];
    const mappings = [...sbs.filter((s) => s.held.length > 0), ...sbs.filter((s) => s.held.length === 0)].flatMap((s) => s.rec.endpoints.flatMap((e) => e.ports));
    return planNftScript({ table: this.#table, bridges, mappings });
  }

  async #load(): Promise<void> {
    await this.#files.init();
    const ipam = await readJsonOrNull<Record<string, IpamState>>(this.#files.ipamPath).catch((e: unknown) => {
      this.#log.warn({ err: e }, 'ipam.json unreadable: rebuilt from the sandbox records');
      return null;
    });
    const sandboxes = await this.#files.readAllSandboxes((file, err) => this.#log.error({ err, file }, 'unreadable sandbox record ignored'));
    const state = reconcileState(
      { networks: await readJsonOrNull<Array<Partial<NetworkRecord>>>(this.#files.networksPath), ipam, sandboxes },
      this.#defaultBridge,
      { id: () => this.#hex(32), created: new Date(this.#clock.now()).toISOString() },
    );
    for (const n of state.networks) this.#networks.set(n.id, n);
    this.#ipam = state.ipam;
    for (const m of state.misplaced) this.#log.warn(m, 'recorded endpoint address outside its network subnet');
    for (const rec of sandboxes) this.#index({ rec, held: [] });
    await this.#networksWriter.run();
    await this.#ipamWriter.run();

    await ensureNetnsDir(this.#netnsDir);
    await writeSysctl('net/ipv4/ip_forward', '1');
    for (const n of this.#networks.values()) {
      try {
        await this.#driverOf(n).setUp(n);
      } catch (e) {
        // The default bridge is needed; a broken user network only fails its own containers.
        if (n.builtin) throw e;
        this.#log.error({ err: e, network: n.name }, 'cannot set up a network');
      }
    }
    await this.#removeOrphans();
    await this.#nft.rebuild();
    this.#log.info({ bridge: this.#defaultBridge.bridgeName, subnet: this.#defaultBridge.subnet, table: this.#table, networks: this.#networks.size, sandboxes: this.#sandboxes.size }, 'networks ready');
  }

  /**
   * Kernel objects in what we own (our netns directory, our networks'
   * bridges) that no record claims: left by a lost data root or a crash
   * outside the attach/detach protocol. Removed, so they cannot hold
   * addresses or ports.
   */
  async #removeOrphans(): Promise<void> {
    const recs = [...this.#sandboxes.values()].map((s) => s.rec);
    const netns = new Set(recs.filter((r) => r.kind === 'own').map((r) => r.netnsPath ?? ''));
    const veths = new Set(recs.flatMap((r) => r.endpoints.map((e) => e.vethHost ?? '')));
    for (const path of await listNetnsFiles(this.#netnsDir)) {
      if (netns.has(path)) continue;
      this.#log.warn({ path }, 'removing a network namespace no sandbox claims');
      await removeNetns(path);
    }
    for (const n of this.#networks.values()) {
      for (const name of await this.#driverOf(n).strayLinks(n, veths).catch(() => [])) {
        this.#log.warn({ name, network: n.name }, 'removing a veth no endpoint claims');
        await deleteLink(name);
      }
    }
  }

  /** Release the port sockets. Kernel state (bridges, rules, netns) stays for the running containers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#ops.values()]);
    await Promise.all([...this.#sandboxes.values()].flatMap((s) => s.held.map((h) => h.release())));
    for (const s of this.#sandboxes.values()) s.held = [];
  }

  #driverOf(n: NetworkRecord): NetworkDriver {
    const d = DRIVERS.find((x) => x.name === n.driver);
    if (d === undefined) throw networkErrors.make('DRIVER_NOT_FOUND', `plugin "${n.driver}" not found`);
    return d;
  }

  #index(s: LiveSandbox): void {
    this.#sandboxes.set(s.rec.containerId, s);
    for (const e of s.rec.endpoints) this.#indexEndpoint(e);
  }

  #indexEndpoint(e: EndpointRecord): void {
    let m = this.#endpoints.get(e.networkId);
    if (m === undefined) this.#endpoints.set(e.networkId, (m = new Map()));
    m.set(e.containerId, e);
  }

  #unindexEndpoint(e: EndpointRecord): void {
    const m = this.#endpoints.get(e.networkId);
    if (m?.get(e.containerId) === e) m.delete(e.containerId);
    if (m?.size === 0) this.#endpoints.delete(e.networkId);
  }

  #unindex(containerId: string): void {
    const s = this.#sandboxes.get(containerId);
    if (s === undefined) return;
    this.#sandboxes.delete(containerId);
    for (const e of s.rec.endpoints) this.#unindexEndpoint(e);
  }

  /** A `network` event as Docker's: the network's id, its name and driver, the container for (dis)connect. */
  #emit(action: 'create' | 'destroy' | 'connect' | 'disconnect', net: NetworkRecord, containerId?: string): void {
    const attributes: Record<string, string> = { name: net.name, type: net.driver, ...(containerId !== undefined ? { container: containerId } : {}) };
    try {
      this.#events({ Type: 'network', Action: action, Actor: { ID: net.id, Attributes: attributes } });
    } catch (err) {
      this.#log.warn({ err }, 'event sink threw');
    }
  }

  #nameOf = (containerId: string): string => this.#sandboxes.get(containerId)?.rec.name ?? '';

  #networkOf = (id: string): NetworkRecord | undefined => this.#networks.get(id);

  #resource(n: NetworkRecord): NetworkResource {
    return buildNetworkResource(n, [...(this.#endpoints.get(n.id)?.values() ?? [])], this.#nameOf);
  }

  #find(ref: string): NetworkRecord {
    const name = ref === 'default' || ref === '' ? 'bridge' : ref;
    const nets = [...this.#networks.values()];
    let net = nets.find((n) => n.id === name) ?? nets.find((n) => n.name === name);
    if (net === undefined && name !== '') {
      const byPrefix = nets.filter((n) => n.id.startsWith(name));
      if (byPrefix.length > 1) throw networkErrors.make('AMBIGUOUS', `network ${ref} is ambiguous (${byPrefix.length} matches found)`);
      net = byPrefix[0];
    }
    if (net === undefined) throw networkErrors.make('NOT_FOUND', `network ${ref} not found`);
    return net;
  }

  // ---- NetworkEngine (the API) ----

  /** GET /networks */
  async list(filters?: Filters): Promise<NetworkResource[]> {
    return [...this.#networks.values()].map((n) => this.#resource(n)).filter((n) => matchesNetworkFilters(n, filters));
  }

  /** GET /networks/{id}: by name, full id or unique id prefix. Throws NOT_FOUND (404), AMBIGUOUS (400). */
  async inspect(idOrName: string): Promise<NetworkResource> {
    return this.#resource(this.#find(idOrName));
  }

  resolveNetwork(ref: string): { id: string; name: string; driver: string; builtin: boolean } {
    const n = this.#find(ref);
    return { id: n.id, name: n.name, driver: n.driver, builtin: n.builtin };
  }

  /**
   * POST /networks/create: a user-defined bridge network, its bridge up and
   * in the nft table before this returns. All or nothing. Throws what
   * planNetworkCreate throws, NET_SETUP_FAILED.
   */
  async create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }> {
    if (this.#closed) throw networkErrors.make('SETUP_FAILED', 'the network manager is closed');
    const routes = (await hostRouteDestinations()).map((d) => parseCidr(d)).filter((c): c is Cidr => c !== null);
    // Plan and claim the name and subnet in one step: a concurrent create sees them.
    const net = planNetworkCreate(body, { id: this.#hex(32), created: new Date(this.#clock.now()).toISOString(), existing: [...this.#networks.values()], hostRoutes: routes, pools: this.#pools });
    this.#networks.set(net.id, net);
    try {
      await this.#driverOf(net).setUp(net);
      this.#ipam.set(net.id, newIpam(net.subnet ?? '', net.gateway ?? ''));
      await this.#networksWriter.run();
      await this.#nft.rebuild();
    } catch (e) {
      this.#networks.delete(net.id);
      this.#ipam.delete(net.id);
      await this.#driverOf(net).tearDown(net).catch((te: unknown) => this.#log.error({ err: te, network: net.name }, 'undo of a failed network create failed'));
      await this.#networksWriter.run().catch(() => undefined);
      throw e;
    }
    this.#log.info({ network: net.name, id: net.id.slice(0, 12), subnet: net.subnet, bridge: net.bridgeName }, 'network created');
    this.#emit('create', net);
    return { Id: net.id, Warning: '' };
  }

  /** DELETE /networks/{id}. Throws NOT_FOUND (404), PREDEFINED (403), ACTIVE_ENDPOINTS (403). */
  async remove(idOrName: string): Promise<void> {
    const net = this.#find(idOrName);
    if (net.builtin) throw networkErrors.make('PREDEFINED', `${net.name} is a pre-defined network and cannot be removed`);
    if ((this.#endpoints.get(net.id)?.size ?? 0) > 0) {
      throw networkErrors.make('ACTIVE_ENDPOINTS', `error while removing network: network ${net.name} id ${net.id} has active endpoints`);
    }
    // Gone from the map at once: no attach can pick it from here on.
    this.#networks.delete(net.id);
    try {
      await this.#nft.rebuild();
      await this.#driverOf(net).tearDown(net);
    } catch (e) {
      this.#networks.set(net.id, net);
      await this.#nft.rebuild().catch(() => undefined);
      throw e;
    }
    this.#ipam.delete(net.id);
    await this.#networksWriter.run();
    await this.#ipamWriter.run();
    this.#log.info({ network: net.name, id: net.id.slice(0, 12) }, 'network removed');
    this.#emit('destroy', net);
  }

  /** POST /networks/prune: user-defined networks without endpoints (filters `label`, `until`). */
  async prune(filters?: Filters, untilMs?: number): Promise<{ NetworksDeleted: string[] }> {
    const deleted: string[] = [];
    for (const n of [...this.#networks.values()]) {
      if (n.builtin || (this.#endpoints.get(n.id)?.size ?? 0) > 0) continue;
      if (untilMs !== undefined && Date.parse(n.created) >= untilMs) continue;
      if (!matchesNetworkFilters(this.#resource(n), filters)) continue;
      try {
        await this.remove(n.id);
        deleted.push(n.name);
      } catch (e) {
        this.#log.warn({ err: e, network: n.name }, 'prune: network not removed');
      }
    }
    return { NetworksDeleted: deleted };
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

  connect(containerId: string, network: string, req: EndpointRequest): Promise<NetworkSettings> {
    return this.#serial(containerId, () => this.#connect(containerId, network, req));
  }

  disconnect(containerId: string, network: string): Promise<NetworkSettings> {
    return this.#serial(containerId, () => this.#disconnect(containerId, network));
  }

  async rename(containerId: string, newName: string): Promise<void> {
    await this.#serial(containerId, async () => {
      const s = this.#sandboxes.get(containerId);
      if (s === undefined) return;
      s.rec = { ...s.rec, name: newName };
      await this.#files.writeSandbox(s.rec);
    });
  }

  /**
   * Per-interface counters for `docker stats` (`networks` of ContainerStats):
   * `{ eth0: {...}, eth1: {...} }` for the veth endpoints, undefined when
   * there are none (host, none, container mode, not attached), as Docker
   * omits them.
   */
  async interfaceStats(containerId: string): Promise<Record<string, InterfaceCounters> | undefined> {
    const eps = this.#sandboxes.get(containerId)?.rec.endpoints.filter((e) => e.vethHost !== undefined) ?? [];
    const out: Record<string, InterfaceCounters> = {};
    for (const e of eps) {
      const c = await vethPeerCounters(e.vethHost ?? '');
      if (c !== null) out[e.ifname] = c;
    }
    return Object.keys(out).length > 0 ? out : undefined;
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

  /** Give `ep` an address of its network (and its MAC and veth name). Returns the undo. */
  async #address(ep: EndpointRecord, req: EndpointRequest | undefined): Promise<() => Promise<void>> {
    const state = this.#ipam.get(ep.networkId);
    if (state === undefined) throw networkErrors.make('SETUP_FAILED', `network ${ep.networkId} has no address pool`);
    const preferred = req?.ipv4Address !== undefined && req.ipv4Address !== '' ? req.ipv4Address : undefined;
    const alloc = allocateIp(state, ep.containerId, preferred);
    this.#ipam.set(ep.networkId, alloc.state);
    ep.ip = alloc.ip;
    ep.mac = req?.macAddress !== undefined && req.macAddress !== '' ? req.macAddress : macFromIpv4(parseIpv4(alloc.ip) ?? 0);
    ep.vethHost = `veth${this.#hex(4)}`;
    await this.#ipamWriter.run();
    return async () => {
      const s = this.#ipam.get(ep.networkId);
      if (s !== undefined && ep.ip !== undefined) this.#ipam.set(ep.networkId, releaseIp(s, ep.ip));
      await this.#ipamWriter.run();
    };
  }

  /** The networks of an attach: the primary (networkMode) first, then the other requested ones by name. */
  #networksOf(req: AttachRequest, primaryRef: string): Array<{ net: NetworkRecord; req: EndpointRequest | undefined }> {
    const primary = this.#find(primaryRef);
    const byId = new Map<string, { net: NetworkRecord; req: EndpointRequest | undefined }>([[primary.id, { net: primary, req: undefined }]]);
    for (const [ref, epReq] of Object.entries(req.endpoints ?? {})) {
      const net = this.#find(ref);
      byId.set(net.id, { net, req: epReq });
    }
    const [first, ...rest] = [...byId.values()];
    rest.sort((a, b) => a.net.name.localeCompare(b.net.name));
    const all = [first ?? { net: primary, req: undefined }, ...rest];
    if (all.length > 1 && all.some((x) => this.#driverOf(x.net).attachment !== 'interface')) {
      throw networkErrors.make('EXCLUSIVE_NETWORK', 'conflicting options: cannot attach both user-defined and non-user-defined network-modes');
    }
    return all;
  }

  async #attach(req: AttachRequest): Promise<AttachResult> {
    if (this.#closed) throw networkErrors.make('SETUP_FAILED', 'the network manager is closed');
    if (this.#sandboxes.has(req.containerId)) {
      throw networkErrors.make('ALREADY_ATTACHED', `container ${req.containerId} is already attached to a network`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(req.containerId)) {
      throw commonErrors.make('INVALID_ARGUMENT', `invalid container id "${req.containerId}"`);
    }
    const parsed = parseNetworkMode(req.networkMode);
    if (parsed.kind === 'container') return this.#join(req, parsed.target);
    const nets = this.#networksOf(req, parsed.ref);
    const primaryDriver = this.#driverOf(nets[0]?.net ?? this.#find('bridge'));
    const withMac = (r: EndpointRequest | undefined, i: number): EndpointRequest | undefined =>
      i === 0 && req.macAddress !== undefined && req.macAddress !== '' ? { ...r, macAddress: r?.macAddress ?? req.macAddress } : r;
    const eps = nets.map((x, i) => newEndpoint(x.net, req.containerId, this.#hex(32), this.#driverOf(x.net).attachment === 'interface' ? `eth${i}` : '', withMac(x.req, i)));
    const host = primaryDriver.attachment === 'host';
    const live: LiveSandbox = {
      rec: {
        containerId: req.containerId, name: req.name, kind: host ? 'host' : 'own', sandboxId: this.#hex(32),
        netnsPath: host ? null : join(this.#netnsDir, req.containerId), endpoints: eps,
      },
      held: [],
    };
    // Indexed at once: a network with an endpoint being made cannot be removed.
    this.#index(live);
    const undo: Array<() => Promise<void>> = [async () => this.#unindex(req.containerId)];
    try {
      const primary = eps[0];
      const primaryNet = nets[0]?.net;
      if (primary !== undefined && primaryNet !== undefined && primaryDriver.attachment === 'interface') {
        // 1. Validate and reserve the host ports before programming anything (not on internal networks, as Docker).
        const plan = planPorts(req.portBindings, req.exposedPorts, req.publishAllPorts);
        primary.portKeys = plan.portKeys;
        const requests = primaryNet.internal ? [] : plan.requests;
        undo.push(async () => {
          await Promise.all(live.held.map((h) => h.release()));
        });
        for (const r of requests) live.held.push(await reserveEndpointPort(r, req.name, primary.endpointId));
        // 2. Addresses.
        for (const [i, ep] of eps.entries()) undo.push(await this.#address(ep, withMac(nets[i]?.req, i)));
        primary.ports = requests.map((r, i): PortMapping => ({
          proto: r.proto, hostIp: r.hostIp, hostPort: live.held[i]?.hostPort ?? 0, containerIp: primary.ip ?? '', containerPort: r.containerPort,
        }));
      }
      // 3. Record the sandbox before making kernel objects, so detach can always clean up.
      await this.#files.writeSandbox(live.rec);
      undo.push(() => this.#files.removeSandbox(req.containerId));
      // 4. Kernel objects: the netns with every interface made from inside, then the host ends.
      const path = live.rec.netnsPath;
      if (path !== null) {
        const plans = nets.map((x, i) => this.#driverOf(x.net).planJoin(x.net, eps[i] as EndpointRecord, { hostNetns: `/proc/${process.pid}/ns/net`, defaultRoute: i === 0 }));
        undo.push(async () => {
          for (const [i, x] of nets.entries()) await this.#driverOf(x.net).leave(x.net, eps[i] as EndpointRecord);
          await removeNetns(path);
        });
        await createNetns(path, ['link set dev lo up', ...plans.flatMap((p) => p.inside)]);
        const hostLines = plans.flatMap((p) => p.host);
        if (hostLines.length > 0) await ipBatch(hostLines, `cannot plug ${req.name} into its networks`);
      }
      // 5. Publish.
      undo.push(() => this.#unpublish(live.rec));
      if (primary !== undefined && primary.ports.length > 0) await this.#nft.applyDelta(planNftDelta(this.#table, primary.ports, []));
    } catch (e) {
      await this.#runUndo(undo, req.containerId);
      throw e;
    }
    this.#log.debug({ containerId: req.containerId.slice(0, 12), networks: nets.map((x) => x.net.name), ip: eps[0]?.ip }, 'network attached');
    for (const x of nets) this.#emit('connect', x.net, req.containerId);
    return this.#result(live.rec, req);
  }

  async #runUndo(undo: Array<() => Promise<void>>, containerId: string): Promise<void> {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (ue) {
        this.#log.error({ err: ue, containerId }, 'undo of a failed network change failed');
      }
    }
  }

  /**
   * `container:<target>`: share the namespace of a running container (full
   * id, unique id prefix or name). Nothing is created: the target owns the
   * netns; the record only lets `detach` and the listings know.
   */
  async #join(req: AttachRequest, target: string): Promise<AttachResult> {
    const found = findJoinTarget([...this.#sandboxes.values()].map((s) => s.rec).filter((r) => r.kind !== 'container'), target, req.containerId);
    if (found === undefined) {
      throw networkErrors.make('JOIN_TARGET_NOT_RUNNING', `cannot join network namespace of a non running container: ${target}`);
    }
    const rec: SandboxRecord = {
      containerId: req.containerId, name: req.name, kind: 'container', joinedTo: found.containerId, sandboxId: '', netnsPath: found.netnsPath, endpoints: [],
    };
    await this.#files.writeSandbox(rec);
    this.#index({ rec, held: [] });
    return this.#result(rec, req, found);
  }

  async #result(rec: SandboxRecord, req: AttachRequest, joined?: SandboxRecord): Promise<AttachResult> {
    const primary = (joined ?? rec).endpoints[0];
    const gateway = primary !== undefined ? (this.#networks.get(primary.networkId)?.gateway ?? this.#defaultBridge.gateway) : undefined;
    const files = await sandboxFiles({ sandbox: joined ?? rec, req, gateway, resolvConfPath: this.#resolvConfPath, hostsPath: this.#hostsPath });
    return { netnsPath: rec.netnsPath, settings: buildNetworkSettings(rec, this.#networkOf), ...files };
  }

  #liveOwnSandbox(containerId: string): LiveSandbox {
    const live = this.#sandboxes.get(containerId);
    if (live === undefined) throw networkErrors.make('SETUP_FAILED', `container ${containerId} has no network sandbox (is it running?)`);
    if (live.rec.kind === 'host') throw networkErrors.make('EXCLUSIVE_NETWORK', 'container cannot be disconnected from host network or connected to host network');
    if (live.rec.kind === 'container') throw networkErrors.make('EXCLUSIVE_NETWORK', 'container sharing network namespace with another container or host cannot be connected to any other network');
    return live;
  }

  async #connect(containerId: string, ref: string, req: EndpointRequest): Promise<NetworkSettings> {
    const live = this.#liveOwnSandbox(containerId);
    const net = this.#find(ref);
    if (this.#endpoints.get(net.id)?.has(containerId) === true) {
      throw networkErrors.make('ENDPOINT_EXISTS', `endpoint with name ${live.rec.name} already exists in network ${net.name}`);
    }
    const driver = this.#driverOf(net);
    const isolated = live.rec.endpoints.some((e) => this.#networks.get(e.networkId)?.driver === nullDriver.name);
    if (driver.attachment !== 'interface' || isolated) {
      throw networkErrors.make('EXCLUSIVE_NETWORK', 'container cannot be connected to multiple networks with one of the networks in private (none) mode');
    }
    const used = new Set(live.rec.endpoints.map((e) => e.ifname));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const ep = newEndpoint(net, containerId, this.#hex(32), `eth${n}`, req);
    this.#indexEndpoint(ep);
    const undo: Array<() => Promise<void>> = [async () => this.#unindexEndpoint(ep)];
    const before = live.rec;
    try {
      undo.push(await this.#address(ep, req));
      live.rec = { ...before, endpoints: [...before.endpoints, ep] };
      await this.#files.writeSandbox(live.rec);
      undo.push(async () => {
        live.rec = before;
        await this.#files.writeSandbox(before);
      });
      const plan = driver.planJoin(net, ep, { hostNetns: `/proc/${process.pid}/ns/net`, defaultRoute: before.endpoints.length === 0 });
      undo.push(() => driver.leave(net, ep));
      await netnsIpBatch(live.rec.netnsPath ?? '', plan.inside, `cannot connect ${live.rec.name} to ${net.name}`);
      if (plan.host.length > 0) await ipBatch(plan.host, `cannot connect ${live.rec.name} to ${net.name}`);
    } catch (e) {
      await this.#runUndo(undo, containerId);
      throw e;
    }
    this.#log.debug({ containerId: containerId.slice(0, 12), network: net.name, ip: ep.ip }, 'network connected');
    this.#emit('connect', net, containerId);
    return buildNetworkSettings(live.rec, this.#networkOf);
  }

  async #disconnect(containerId: string, ref: string): Promise<NetworkSettings> {
    const net = this.#find(ref);
    const live = this.#liveOwnSandbox(containerId);
    const ep = this.#endpoints.get(net.id)?.get(containerId);
    if (ep === undefined) throw networkErrors.make('NOT_CONNECTED', `container ${containerId} is not connected to network ${net.name}`);
    if (this.#driverOf(net).attachment !== 'interface') {
      throw networkErrors.make('EXCLUSIVE_NETWORK', `container cannot be disconnected from the ${net.name} network`);
    }
    const isPrimary = live.rec.endpoints[0] === ep;
    await this.#unpublishPorts(ep.ports);
    await this.#driverOf(net).leave(net, ep);
    if (isPrimary && ep.ports.length > 0) {
      await Promise.all(live.held.map((h) => h.release()));
      live.held = [];
    }
    live.rec = { ...live.rec, endpoints: live.rec.endpoints.filter((e) => e !== ep) };
    this.#unindexEndpoint(ep);
    await this.#release(ep);
    await this.#files.writeSandbox(live.rec);
    this.#log.debug({ containerId: containerId.slice(0, 12), network: net.name }, 'network disconnected');
    this.#emit('disconnect', net, containerId);
    return buildNetworkSettings(live.rec, this.#networkOf);
  }

  /** Its address back to its network's pool. */
  async #release(ep: EndpointRecord): Promise<void> {
    const s = this.#ipam.get(ep.networkId);
    if (s === undefined || !Object.values(s.allocated).includes(ep.containerId)) return;
    this.#ipam.set(ep.networkId, releaseOwner(s, ep.containerId));
    await this.#ipamWriter.run();
  }

  async #detach(containerId: string): Promise<void> {
    const live = this.#sandboxes.get(containerId);
    const rec = live?.rec ?? (await this.#files.readSandbox(containerId));
    if (rec === null) return;
    this.#unindex(containerId);
    // Rules go before the sockets are released, so a port is never free while
    // still forwarded to this container. The veths, the netns and the rules
    // are independent: removed concurrently.
    const results = await Promise.allSettled([
      this.#unpublish(rec),
      ...rec.endpoints.map(async (e) => {
        const net = this.#networks.get(e.networkId);
        if (net !== undefined) await this.#driverOf(net).leave(net, e);
        else if (e.vethHost !== undefined) await deleteLink(e.vethHost);
      }),
      // container mode: the netns belongs to the joined container.
      rec.netnsPath !== null && rec.kind === 'own' ? removeNetns(rec.netnsPath) : Promise.resolve(),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // Keep the record (and the sandbox) so that a later detach retries.
      if (live !== undefined) this.#index(live);
      throw failed.reason;
    }
    for (const e of rec.endpoints) if (e.ports.length > 0 && e.ip !== undefined) await this.#flushConntrack(e.ip);
    if (live !== undefined) {
      await Promise.all(live.held.map((h) => h.release()));
      live.held = [];
    }
    for (const e of rec.endpoints) await this.#release(e);
    await this.#files.removeSandbox(containerId);
    this.#log.debug({ containerId: containerId.slice(0, 12) }, 'network detached');
    for (const e of rec.endpoints) {
      const net = this.#networks.get(e.networkId);
      if (net !== undefined) this.#emit('disconnect', net, containerId);
    }
  }

  async #restore(containerId: string, settings: NetworkSettings): Promise<void> {
    let live = this.#sandboxes.get(containerId);
    if (live === undefined) {
      const rec = await this.#files.readSandbox(containerId);
      if (rec === null) {
        this.#log.warn({ containerId, sandboxKey: settings.SandboxKey }, 'restore of a container without a network record: nothing to restore');
        return;
      }
      live = { rec, held: [] };
      this.#index(live);
    }
    if (live.held.length > 0) return;
    const ports = live.rec.endpoints.flatMap((e) => e.ports);
    const held: HeldPort[] = [];
    try {
      for (const p of ports) held.push(await reservePort(p.proto, p.hostIp, p.hostPort, p.hostPort));
    } catch (e) {
      await Promise.all(held.map((h) => h.release()));
      throw e;
    }
    live.held = held;
    // The rules were rebuilt at open; a stale record may have won a key while this one held no sockets.
    if (ports.length > 0) await this.#nft.rebuild();
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

  #unpublish(rec: SandboxRecord): Promise<void> {
    return this.#unpublishPorts(rec.endpoints.flatMap((e) => e.ports));
  }

  /**
   * Take `ports` (of an endpoint already out of the index) out of the table.
   * A key another endpoint also claims (a stale record after a restart)
   * needs a rebuild: deleting the element would unpublish the other one too.
   */
  #unpublishPorts(ports: readonly PortMapping[]): Promise<void> {
    if (ports.length === 0) return Promise.resolve();
    const mine = new Set(ports);
    const others = new Set([...this.#sandboxes.values()].flatMap((s) => s.rec.endpoints.flatMap((e) => e.ports.filter((p) => !mine.has(p)).map(mappingKey))));
    if (ports.some((p) => others.has(mappingKey(p)))) return this.#nft.rebuild();
    return this.#nft.applyDelta(planNftDelta(this.#table, [], ports));
  }
}
