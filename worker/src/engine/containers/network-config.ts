/**
 * Which networks a container is on, as its record keeps them (Docker's
 * NetworkingConfig.EndpointsConfig, changed by `network connect/disconnect`
 * while stopped), and what the network subsystem is asked at start and on
 * connect/disconnect. Pure but for the two verbs at the end.
 */
import { isShoalError, type ContainerCreateBody, type EndpointSettings, type NetworkSettings } from '@shoal/common';
import { containerErrors } from './errors.js';
import type { ContainerNetworkEndpoint, ContainerNetworking, NetworkRef } from './deps.js';
import { emptyNetworkSettings, type ContainerRecord } from './container-record.js';

/** The network a ref names (throws the network subsystem's 404), as the record keeps it. */
export type ResolveNetwork = (ref: string) => NetworkRef;

/** `resolve`, but a network that does not exist is kept by the name given (driver ''). */
export function lenient(resolve: ResolveNetwork): ResolveNetwork {
  return (ref) => {
    try {
      return resolve(ref);
    } catch (e) {
      if (isShoalError(e) && e.status === 404) return { id: '', name: ref, driver: '' };
      throw e;
    }
  };
}

/** The networks a container is configured on (records from before EndpointsConfig: its NetworkMode's). */
export function configuredNetworks(rec: ContainerRecord, resolve: ResolveNetwork): Record<string, EndpointSettings> {
  if (rec.EndpointsConfig !== undefined) return rec.EndpointsConfig;
  const mode = rec.HostConfig.NetworkMode ?? 'bridge';
  return mode.startsWith('container:') ? {} : { [lenient(resolve)(mode).name]: {} };
}

/** Docker's message when a container that shares a namespace is connected to a network. */
export function exclusiveNetworkMessage(networkMode: string, driver: string): string | undefined {
  if (networkMode.startsWith('container:')) return 'container sharing network namespace with another container or host cannot be connected to any other network';
  if (driver === 'host') return 'container cannot be disconnected from host network or connected to host network';
  if (driver === 'null') return 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
  return undefined;
}

/**
 * The record's EndpointsConfig for a create body: every network of
 * NetworkingConfig plus the one of NetworkMode, keyed by network name (ids
 * and prefixes resolved). A network that does not exist (yet) is kept by the
 * name given, as Docker: the start fails with the network subsystem's 404.
 * A container on host or none, or sharing another's namespace, can be on
 * no other network (400).
 */
export function planEndpointsConfig(body: ContainerCreateBody, networkMode: string, resolveStrict: ResolveNetwork): Record<string, EndpointSettings> {
  const resolve = lenient(resolveStrict);
  const out: Record<string, EndpointSettings> = {};
  const wanted = Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {});
  if (networkMode.startsWith('container:')) {
    if (wanted.length > 0) throw containerErrors.make('INVALID_CONFIG', 'conflicting options: container type network can\'t be used with other networks');
    return out;
  }
  const primary = resolve(networkMode);
  const nets = new Map([[primary.name, primary]]);
  out[primary.name] = {};
  for (const [ref, cfg] of wanted) {
    const net = resolve(ref);
    nets.set(net.name, net);
    out[net.name] = { ...(cfg ?? {}) };
  }
  if (nets.size > 1 && [...nets.values()].some((n) => n.driver === 'host' || n.driver === 'null')) {
    throw containerErrors.make('INVALID_CONFIG', 'conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  }
  return out;
}

/** The endpoint settings the network subsystem honours, from Docker's EndpointSettings. */
export function endpointRequestOf(cfg: EndpointSettings | undefined): ContainerNetworkEndpoint {
  const ipam = cfg?.IPAMConfig as { IPv4Address?: string } | null | undefined;
  const aliases = Array.isArray(cfg?.Aliases) ? cfg.Aliases.filter((a) => typeof a === 'string' && a !== '') : [];
  return {
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(ipam?.IPv4Address !== undefined && ipam.IPv4Address !== '' ? { ipv4Address: ipam.IPv4Address } : {}),
    ...(typeof cfg?.MacAddress === 'string' && cfg.MacAddress !== '' ? { macAddress: cfg.MacAddress } : {}),
  };
}

/** The endpoint requests of a start: every configured network. */
export function endpointRequestsOf(rec: ContainerRecord): Record<string, ContainerNetworkEndpoint> {
  return Object.fromEntries(Object.entries(rec.EndpointsConfig ?? {}).map(([name, cfg]) => [name, endpointRequestOf(cfg)]));
}

/** A stopped container's NetworkSettings: its configured networks with no addresses, as Docker shows them. */
export function restingNetworkSettings(rec: ContainerRecord): NetworkSettings {
  const s = emptyNetworkSettings();
  for (const [name, cfg] of Object.entries(rec.EndpointsConfig ?? {})) {
    s.Networks[name] = { ...cfg, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' };
  }
  return s;
}

/**
 * `docker network connect` on a container's record: a running container
 * (`running`) is plugged in at once, a stopped one joins at its next start.
 * Throws the network subsystem's 404/403s, NETWORK_CONFLICT (403) when it is
 * on that network already, INVALID_CONFIG (400) for a container that is on
 * host or none or shares another's namespace. The caller saves the record.
 */
export async function connectRecord(rec: ContainerRecord, running: boolean, network: ContainerNetworking, ref: string, cfg: EndpointSettings): Promise<void> {
  const resolve: ResolveNetwork = (r) => network.resolveNetwork(r);
  const net = resolve(ref);
  const configured = configuredNetworks(rec, resolve);
  const primary = Object.keys(configured)[0];
  const exclusive = exclusiveNetworkMessage(rec.HostConfig.NetworkMode ?? '', primary !== undefined ? lenient(resolve)(primary).driver : '')
    ?? exclusiveNetworkMessage('', net.driver);
  if (exclusive !== undefined) throw containerErrors.make('INVALID_CONFIG', exclusive);
  if (configured[net.name] !== undefined) throw containerErrors.make('NETWORK_CONFLICT', `endpoint with name ${rec.Name.slice(1)} already exists in network ${net.name}`);
  if (running) rec.NetworkSettings = await network.connect(rec.Id, net.name, endpointRequestOf(cfg));
  rec.EndpointsConfig = { ...configured, [net.name]: { ...cfg } };
  if (!running) rec.NetworkSettings = restingNetworkSettings(rec);
}

/** `docker network disconnect` on a container's record; the caller saves it. Throws NETWORK_CONFLICT (403) when it is not on that network. */
export async function disconnectRecord(rec: ContainerRecord, running: boolean, network: ContainerNetworking, ref: string): Promise<void> {
  const net = network.resolveNetwork(ref);
  const configured = configuredNetworks(rec, (r) => network.resolveNetwork(r));
  if (configured[net.name] === undefined) throw containerErrors.make('NETWORK_CONFLICT', `container ${rec.Id} is not connected to network ${net.name}`);
  const exclusive = exclusiveNetworkMessage(rec.HostConfig.NetworkMode ?? '', net.driver);
  if (exclusive !== undefined) throw containerErrors.make('INVALID_CONFIG', exclusive);
  if (running) rec.NetworkSettings = await network.disconnect(rec.Id, net.name);
  const { [net.name]: _gone, ...rest } = configured;
  rec.EndpointsConfig = rest;
  if (!running) rec.NetworkSettings = restingNetworkSettings(rec);
}
