/**
 * A new endpoint record, checked against its network. Pure.
 */
import { commonErrors } from '@shoal/common';
import type { EndpointRequest } from './network-attacher.js';
import { networkErrors } from './network-errors.js';
import type { EndpointRecord, NetworkRecord } from './network-record.js';

/**
 * The endpoint of `containerId` on `net` as interface `ifname` (no address
 * yet). Aliases and a fixed address only on user-defined networks, as
 * Docker: ENGINE_NETWORK_INVALID_SPEC (400) otherwise; a malformed MAC is
 * INVALID_ARGUMENT (400).
 */
export function newEndpoint(net: NetworkRecord, containerId: string, endpointId: string, ifname: string, req: EndpointRequest | undefined): EndpointRecord {
  const aliases = req?.aliases ?? [];
  if (net.builtin && aliases.length > 0) throw networkErrors.make('INVALID_SPEC', 'network-scoped alias is supported only for containers in user defined networks');
  if (net.builtin && req?.ipv4Address !== undefined && req.ipv4Address !== '') {
    throw networkErrors.make('INVALID_SPEC', 'user specified IP address is supported on user defined networks only');
  }
  const mac = req?.macAddress;
  if (mac !== undefined && mac !== '' && !/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(mac)) {
    throw commonErrors.make('INVALID_ARGUMENT', `invalid MAC address "${mac}"`);
  }
  return { networkId: net.id, containerId, endpointId, ifname, aliases: [...aliases], ports: [], portKeys: [] };
}
