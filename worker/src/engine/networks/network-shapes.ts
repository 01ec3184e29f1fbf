/**
 * Docker API shapes of our networks and endpoints: NetworkResource for
 * `network ls/inspect`, NetworkSettings for `container inspect`. Pure.
 */
import type { EndpointSettings, Filters, NetworkResource, NetworkSettings, PortMap } from '@shoal/common';
import type { EndpointRecord, NetworkMode } from './endpoint-record.js';
import { networkErrors } from './network-errors.js';

/** A built-in network as persisted in networks.json. */
export interface BuiltinNetwork {
  name: NetworkMode;
  id: string;
  /** RFC 3339. */
  created: string;
}

/** The bridge's addressing. */
export interface BridgeConfig {
  bridgeName: string;
  /** `172.29.0.0/16` */
  subnet: string;
  gateway: string;
  prefixLen: number;
}

/** Docker's driver name of each built-in network. */
export const DRIVER_OF: Record<NetworkMode, string> = { bridge: 'bridge', host: 'host', none: 'null' };

/** A parsed HostConfig.NetworkMode. */
export type ParsedNetworkMode = { mode: NetworkMode } | { mode: 'container'; target: string };

/** HostConfig.NetworkMode to our network or `container:<id|name>`; throws NETWORK_NOT_FOUND for anything else. */
export function normalizeNetworkMode(mode: string): ParsedNetworkMode {
  if (mode === '' || mode === 'default' || mode === 'bridge') return { mode: 'bridge' };
  if (mode === 'host' || mode === 'none') return { mode };
  if (mode.startsWith('container:') && mode.length > 'container:'.length) return { mode: 'container', target: mode.slice('container:'.length) };
  throw networkErrors.make('NOT_FOUND', `network ${mode} not found`);
}

/** NetworkSettings.Ports: every port key, null when not published, else its host bindings. */
export function buildPortMap(rec: Pick<EndpointRecord, 'ports' | 'portKeys'>): PortMap {
  const out: PortMap = {};
  for (const k of rec.portKeys) out[k] = null;
  for (const p of rec.ports) {
    const key = `${p.containerPort}/${p.proto}`;
    const list = out[key] ?? [];
    list.push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    out[key] = list;
  }
  return out;
}

/** Docker's NetworkSettings of a container attached as `rec`. */
export function buildNetworkSettings(rec: EndpointRecord, networkId: string, bridge: BridgeConfig): NetworkSettings {
  if (rec.mode === 'container') {
    // Docker shows nothing of its own for a container sharing another's namespace.
    return {
      Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '', Networks: {},
    };
  }
  const isBridge = rec.mode === 'bridge';
  const gateway = isBridge ? bridge.gateway : '';
  const ip = rec.ip ?? '';
  const prefix = isBridge ? bridge.prefixLen : 0;
  const mac = rec.mac ?? '';
  const endpoint: EndpointSettings = {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: mac,
    DriverOpts: null,
    NetworkID: networkId,
    EndpointID: rec.endpointId,
    Gateway: gateway,
    IPAddress: ip,
    IPPrefixLen: prefix,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
  return {
    Bridge: '',
    SandboxID: rec.sandboxId,
    SandboxKey: rec.netnsPath ?? '',
    Ports: isBridge ? buildPortMap(rec) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: isBridge ? rec.endpointId : '',
    Gateway: gateway,
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: ip,
    IPPrefixLen: prefix,
    IPv6Gateway: '',
    MacAddress: mac,
    Networks: { [rec.mode]: endpoint },
  };
}

/** Docker's NetworkResource of a built-in network with the endpoints attached to it. */
export function buildNetworkResource(net: BuiltinNetwork, endpoints: readonly EndpointRecord[], bridge: BridgeConfig): NetworkResource {
  const containers: NetworkResource['Containers'] = {};
  for (const e of endpoints) {
    if (e.mode !== net.name) continue;
    containers[e.containerId] = {
      Name: e.name,
      EndpointID: e.endpointId,
      MacAddress: e.mac ?? '',
      IPv4Address: e.ip !== undefined ? `${e.ip}/${bridge.prefixLen}` : '',
      IPv6Address: '',
    };
  }
  const isBridge = net.name === 'bridge';
  return {
    Name: net.name,
    Id: net.id,
    Created: net.created,
    Scope: 'local',
    Driver: DRIVER_OF[net.name],
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: isBridge ? [{ Subnet: bridge.subnet, Gateway: bridge.gateway }] : [],
    },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: isBridge
      ? {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          'com.docker.network.bridge.name': bridge.bridgeName,
          'com.docker.network.driver.mtu': '1500',
        }
      : {},
    Labels: {},
  };
}

/** Docker's label filter: `key` (present) or `key=value`. */
function labelMatches(labels: Record<string, string>, f: string): boolean {
  const eq = f.indexOf('=');
  if (eq < 0) return labels[f] !== undefined;
  return labels[f.slice(0, eq)] === f.slice(eq + 1);
}

/**
 * Docker's network list filters: `name` (substring), `id` (prefix),
 * `driver`, `scope`, `type` (`builtin`/`custom`), `label`, `dangling`.
 * Values of one key are OR-ed (label: AND-ed), keys AND-ed. Unknown keys
 * throw ENGINE_NETWORK_INVALID_FILTER (400).
 */
export function matchesNetworkFilters(n: NetworkResource, filters: Filters | undefined): boolean {
  for (const [key, values] of Object.entries(filters ?? {})) {
    if (values.length === 0) continue;
    const any = (pred: (v: string) => boolean): boolean => values.some(pred);
    switch (key) {
      case 'name':
        if (!any((v) => n.Name.includes(v))) return false;
        break;
      case 'id':
        if (!any((v) => n.Id.startsWith(v))) return false;
        break;
      case 'driver':
        if (!any((v) => n.Driver === v)) return false;
        break;
      case 'scope':
        if (!any((v) => n.Scope === v)) return false;
        break;
      case 'type':
        // All our networks are predefined.
        if (!any((v) => v === 'builtin')) return false;
        break;
      case 'label':
        if (!values.every((v) => labelMatches(n.Labels, v))) return false;
        break;
      case 'dangling':
        // Built-in networks are never dangling (never pruned).
        if (!any((v) => v === 'false' || v === '0')) return false;
        break;
      default:
        throw networkErrors.make('INVALID_FILTER', `invalid filter '${key}'`);
    }
  }
  return true;
}
