/**
 * Docker API shapes of our networks and endpoints: NetworkResource for
 * `network ls/inspect`, NetworkSettings for `container inspect`. Pure.
 */
import { parseCidr, type EndpointSettings, type Filters, type NetworkResource, type NetworkSettings, type PortMap } from '@shoal/common';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './network-record.js';
import { networkErrors } from './network-errors.js';

/** Names of the networks every engine has; they cannot be created or removed. */
export const PREDEFINED: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);

/** A parsed HostConfig.NetworkMode. */
export type ParsedNetworkMode = { kind: 'network'; ref: string } | { kind: 'container'; target: string };

/**
 * HostConfig.NetworkMode: `container:<id|name>`, or a network name or id
 * (`` and `default` mean `bridge`). Throws NETWORK_NOT_FOUND for `container:`.
 */
export function parseNetworkMode(mode: string): ParsedNetworkMode {
  if (mode === '' || mode === 'default') return { kind: 'network', ref: 'bridge' };
  if (mode.startsWith('container:')) {
    if (mode.length === 'container:'.length) throw networkErrors.make('NOT_FOUND', `network ${mode} not found`);
    return { kind: 'container', target: mode.slice('container:'.length) };
  }
  return { kind: 'network', ref: mode };
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

function prefixOf(net: NetworkRecord): number {
  return parseCidr(net.subnet ?? '')?.prefix ?? 0;
}

/** Docker's EndpointSettings of one endpoint. */
export function buildEndpointSettings(ep: EndpointRecord, net: NetworkRecord, containerName: string): EndpointSettings {
  const addressed = ep.ip !== undefined;
  // Names the embedded DNS answers on user-defined networks: the name, the short id, the aliases.
  const dnsNames = net.builtin ? null : [containerName, ep.containerId.slice(0, 12), ...ep.aliases];
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: ep.aliases.length > 0 ? [...ep.aliases] : null,
    MacAddress: ep.mac ?? '',
    DriverOpts: null,
    NetworkID: net.id,
    EndpointID: ep.endpointId,
    Gateway: addressed ? (net.gateway ?? '') : '',
    IPAddress: ep.ip ?? '',
    IPPrefixLen: addressed ? prefixOf(net) : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: dnsNames,
  };
}

/** Docker's empty NetworkSettings (a stopped container, or one sharing another's namespace). */
export function emptySettings(): NetworkSettings {
  return {
    Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '', Networks: {},
  };
}

/**
 * Docker's NetworkSettings of a container's sandbox: one entry per network
 * in `Networks`; the top-level address fields are those of the default
 * `bridge` network only (empty on user-defined networks, as in Docker);
 * `Ports` from the primary endpoint. A container sharing another's
 * namespace shows nothing of its own.
 */
export function buildNetworkSettings(sb: SandboxRecord, networkOf: (id: string) => NetworkRecord | undefined): NetworkSettings {
  const out = emptySettings();
  if (sb.kind === 'container') return out;
  out.SandboxID = sb.sandboxId;
  out.SandboxKey = sb.netnsPath ?? '';
  const primary = sb.endpoints[0];
  if (primary !== undefined) out.Ports = primary.ifname !== '' ? buildPortMap(primary) : {};
  for (const ep of sb.endpoints) {
    const net = networkOf(ep.networkId);
    if (net === undefined) continue;
    const es = buildEndpointSettings(ep, net, sb.name);
    out.Networks[net.name] = es;
    if (net.builtin && net.driver === 'bridge') {
      out.EndpointID = ep.endpointId;
      out.Gateway = es.Gateway as string;
      out.IPAddress = es.IPAddress as string;
      out.IPPrefixLen = es.IPPrefixLen as number;
      out.MacAddress = es.MacAddress as string;
    }
  }
  return out;
}

/** Docker's NetworkResource of a network with the endpoints attached to it (`names`: container id to name). */
export function buildNetworkResource(net: NetworkRecord, endpoints: readonly EndpointRecord[], names: (containerId: string) => string): NetworkResource {
  const containers: NetworkResource['Containers'] = {};
  const prefix = prefixOf(net);
  for (const e of endpoints) {
    containers[e.containerId] = {
      Name: names(e.containerId),
      EndpointID: e.endpointId,
      MacAddress: e.mac ?? '',
      IPv4Address: e.ip !== undefined ? `${e.ip}/${prefix}` : '',
      IPv6Address: '',
    };
  }
  const options: Record<string, string> = net.builtin && net.driver === 'bridge'
    ? {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': net.bridgeName ?? '',
        'com.docker.network.driver.mtu': '1500',
      }
    : { ...net.options };
  return {
    Name: net.name,
    Id: net.id,
    Created: net.created,
    Scope: net.scope,
    Driver: net.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: net.builtin ? null : {},
      Config: net.subnet !== undefined ? [{ Subnet: net.subnet, Gateway: net.gateway ?? '' }] : [],
    },
    Internal: net.internal,
    Attachable: net.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: options,
    Labels: { ...net.labels },
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
        if (!any((v) => v === (PREDEFINED.has(n.Name) ? 'builtin' : 'custom'))) return false;
        break;
      case 'label':
        if (!values.every((v) => labelMatches(n.Labels, v))) return false;
        break;
      case 'dangling': {
        // Dangling: a custom network no container is on (built-ins never are).
        const dangling = !PREDEFINED.has(n.Name) && Object.keys(n.Containers).length === 0;
        if (!any((v) => (v === 'true' || v === '1') === dangling)) return false;
        break;
      }
      default:
        throw networkErrors.make('INVALID_FILTER', `invalid filter '${key}'`);
    }
  }
  return true;
}
