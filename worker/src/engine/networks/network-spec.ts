/**
 * POST /networks/create: the request checked and turned into a network
 * record, before anything is made. Pure: the caller gives the id, the
 * time, and what is taken (names, subnets, bridge names, host routes).
 */
import { DEFAULT_LOCAL_POOLS, formatIpv4, parseCidr, parseIpv4, pickSubnet, cidrsOverlap, formatSubnet, type Cidr } from '@shoal/common';
import { networkErrors } from './network-errors.js';
import type { NetworkRecord } from './network-record.js';
import { PREDEFINED } from './network-shapes.js';

/** Body of POST /networks/create (Docker's NetworkCreateRequest). */
export interface NetworkCreateBody {
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  ConfigOnly?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }> | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** What the plan needs to know of the engine. */
export interface NetworkCreateContext {
  id: string;
  created: string;
  existing: readonly NetworkRecord[];
  /** Subnets of the host's routes: a new network must not shadow them. */
  hostRoutes: readonly Cidr[];
  /** Where subnets come from (daemon.json default-address-pools); Docker's defaults when absent. */
  pools?: ReadonlyArray<{ base: string; size: number }>;
}

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const NOT_SWARM = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

function invalid(msg: string): Error {
  return networkErrors.make('INVALID_SPEC', msg);
}

/** Subnet and gateway: as requested (checked), or the first free subnet of the pools and its first address. */
function planAddressing(body: NetworkCreateBody, ctx: NetworkCreateContext): { subnet: string; gateway: string } {
  const configs = body.IPAM?.Config ?? [];
  const taken = ctx.existing.map((n) => parseCidr(n.subnet ?? '')).filter((c): c is Cidr => c !== null);
  if (configs.length > 1) throw invalid('only one IPv4 subnet per network is supported');
  const cfg = configs[0];
  if (cfg?.IPRange !== undefined && cfg.IPRange !== '') throw invalid('IPAM IPRange is not supported yet: give a --subnet of the size wanted');
  if (cfg?.AuxiliaryAddresses !== undefined && Object.keys(cfg.AuxiliaryAddresses).length > 0) throw invalid('IPAM auxiliary addresses are not supported yet');
  let subnet: Cidr;
  if (cfg?.Subnet !== undefined && cfg.Subnet !== '') {
    const c = parseCidr(cfg.Subnet);
    if (c === null) throw invalid(`invalid subnet ${cfg.Subnet}: want a.b.c.d/n`);
    if (c.prefix > 30 || c.prefix < 8) throw invalid(`invalid subnet ${cfg.Subnet}: the prefix must be between /8 and /30`);
    if (c.addr !== c.network) throw invalid(`invalid subnet ${cfg.Subnet}: host bits set, did you mean ${formatSubnet(c)}?`);
    if (taken.some((t) => cidrsOverlap(c, t))) throw networkErrors.make('POOL_OVERLAP', 'invalid pool request: Pool overlaps with other one on this address space');
    subnet = c;
  } else {
    if (cfg?.Gateway !== undefined && cfg.Gateway !== '') throw invalid('a gateway needs its --subnet');
    const picked = pickSubnet(ctx.pools ?? DEFAULT_LOCAL_POOLS, [...taken, ...ctx.hostRoutes]);
    if (picked === null) throw networkErrors.make('POOLS_EXHAUSTED', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    subnet = parseCidr(picked) as Cidr;
  }
  let gateway = subnet.network + 1;
  if (cfg?.Gateway !== undefined && cfg.Gateway !== '') {
    const g = parseIpv4(cfg.Gateway);
    if (g === null) throw invalid(`invalid gateway ${cfg.Gateway}`);
    if (g <= subnet.network || g >= subnet.broadcast) throw invalid(`gateway ${cfg.Gateway} is not a host address of ${formatSubnet(subnet)}`);
    gateway = g;
  }
  return { subnet: formatSubnet(subnet), gateway: formatIpv4(gateway) };
}

/**
 * The record of a new local network. Throws ENGINE_NETWORK_INVALID_SPEC
 * (400), PREDEFINED (403), NAME_CONFLICT (409), DRIVER_NOT_FOUND (404),
 * NOT_SWARM_MANAGER (503, overlay), POOL_OVERLAP / POOLS_EXHAUSTED (403).
 */
export function planNetworkCreate(body: NetworkCreateBody, ctx: NetworkCreateContext): NetworkRecord {
  const name = body.Name;
  if (typeof name !== 'string' || name === '') throw invalid('a network needs a name');
  if (!NAME_RE.test(name)) throw invalid(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const driver = body.Driver === undefined || body.Driver === '' ? 'bridge' : body.Driver;
  if (PREDEFINED.has(name)) throw networkErrors.make('PREDEFINED', `operation is not permitted on predefined ${name} network `);
  if (driver === 'host' || driver === 'null') throw networkErrors.make('PREDEFINED', `only one instance of "${driver}" network is allowed`);
  if (driver === 'overlay') throw networkErrors.make('NOT_SWARM_MANAGER', NOT_SWARM);
  if (driver !== 'bridge') throw networkErrors.make('DRIVER_NOT_FOUND', `plugin "${driver}" not found`);
  if (body.Scope !== undefined && body.Scope !== '' && body.Scope !== 'local') throw invalid(`scope ${body.Scope} is not supported for bridge networks`);
  if (body.EnableIPv6 === true) throw invalid('IPv6 networks are not supported (IPv4 only)');
  if (body.Ingress === true) throw networkErrors.make('NOT_SWARM_MANAGER', NOT_SWARM);
  if (body.ConfigOnly === true) throw invalid('config-only networks are not supported');
  const ipamDriver = body.IPAM?.Driver;
  if (ipamDriver !== undefined && ipamDriver !== '' && ipamDriver !== 'default') throw networkErrors.make('DRIVER_NOT_FOUND', `plugin "${ipamDriver}" not found`);
  if (ctx.existing.some((n) => n.name === name)) throw networkErrors.make('NAME_CONFLICT', `network with name ${name} already exists`);
  const options = { ...(body.Options ?? {}) };
  const bridgeName = options[BRIDGE_NAME_OPTION] ?? `br-${ctx.id.slice(0, 12)}`;
  if (!IFNAME_RE.test(bridgeName)) throw invalid(`invalid bridge name "${bridgeName}" (1-15 letters, digits, _ . -)`);
  if (ctx.existing.some((n) => n.bridgeName === bridgeName)) throw networkErrors.make('NAME_CONFLICT', `bridge name ${bridgeName} is used by another network`);
  const { subnet, gateway } = planAddressing(body, ctx);
  return {
    id: ctx.id,
    name,
    driver,
    scope: 'local',
    created: ctx.created,
    builtin: false,
    internal: body.Internal === true,
    attachable: body.Attachable === true,
    labels: { ...(body.Labels ?? {}) },
    options,
    subnet,
    gateway,
    bridgeName,
  };
}
