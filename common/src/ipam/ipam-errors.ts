import { defineErrors } from '../errors/index.js';

/** Errors of IPv4 address management (codes `IPAM_*`), shared by the engine's bridge and the manager's allocator. */
export const ipamErrors = defineErrors('IPAM', {
  INVALID_SUBNET: { status: 400, doc: 'A subnet or gateway does not parse, is smaller than /30, or the gateway is not a host address of the subnet; fix the bip or the network\'s subnet.' },
  ADDRESS_UNAVAILABLE: { status: 400, doc: 'A requested address (--ip) is outside the subnet, is its gateway, network or broadcast address, or is taken; pick another or let IPAM choose.' },
  POOL_EXHAUSTED: { status: 500, doc: 'Every address of the subnet is in use; remove containers or use a larger subnet.' },
});
