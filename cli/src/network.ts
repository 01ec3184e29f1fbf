import type { Command } from 'commander';
import { isShoalError, type NetworkResource } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { NETWORK_HEADERS, NETWORK_TABLE, formatMode, networkContext, renderList } from './format/index.js';
import { parseFilterFlags, parseKeyValues } from './parse/index.js';
import { confirm } from './prompt.js';
import { forEachName } from './lifecycle.js';

const enc = encodeURIComponent;

/** `network ls` */
export function defineNetworkLs(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List networks')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=bridge')", collect)
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(act(ctx, async (opts: { filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }) => {
      const filters = parseFilterFlags(opts.filter ?? []);
      const list = await ctx.client.json<NetworkResource[]>('GET', '/networks', {
        query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
      });
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.ID}}';
      const rows = [...list].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map((n) => networkContext(n, { trunc: opts.trunc !== false }));
      ctx.out(renderList(formatMode(format, NETWORK_TABLE), rows, NETWORK_HEADERS));
    }));
}

/** `network create [-d DRIVER] [--subnet CIDR] [--gateway IP] [--internal] [--attachable] [--label K=V]... [-o K=V]... NAME`: prints the id. */
export function defineNetworkCreate(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Create a network')
    .option('-d, --driver <driver>', 'Driver to manage the Network', 'bridge')
    .option('--subnet <subnet>', 'Subnet in CIDR format that represents a network segment')
    .option('--gateway <gateway>', 'IPv4 Gateway for the master subnet')
    .option('--ip-range <range>', 'Allocate container ip from a sub-range')
    .option('--internal', 'Restrict external access to the network')
    .option('--attachable', 'Enable manual container attachment')
    .option('--label <label>', 'Set metadata on a network', collect)
    .option('-o, --opt <opt>', 'Set driver specific options', collect)
    .argument('<network>')
    .action(act(ctx, async (name: string, opts: {
      driver: string; subnet?: string; gateway?: string; ipRange?: string; internal?: boolean; attachable?: boolean; label?: string[]; opt?: string[];
    }) => {
      const config = opts.subnet !== undefined || opts.gateway !== undefined || opts.ipRange !== undefined
        ? [{ Subnet: opts.subnet, Gateway: opts.gateway, IPRange: opts.ipRange }] : [];
      const r = await ctx.client.json<{ Id: string; Warning?: string }>('POST', '/networks/create', {
        body: {
          Name: name, Driver: opts.driver, Internal: opts.internal === true, Attachable: opts.attachable === true,
          IPAM: { Driver: 'default', Config: config }, Options: parseKeyValues(opts.opt ?? [], 'opt', true), Labels: parseKeyValues(opts.label ?? [], 'label'),
        },
      });
      if (r.Warning !== undefined && r.Warning !== '') ctx.err(`${r.Warning}\n`);
      ctx.out(`${r.Id}\n`);
    }));
}

/** `network rm NETWORK...`: prints each removed name; any failure makes the status 1. */
export function defineNetworkRm(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove one or more networks')
    .option('-f, --force', 'Do not error if the network does not exist')
    .argument('<network...>')
    .action(act(ctx, async (names: string[], opts: { force?: boolean }) => forEachName(ctx, names, async (n) => {
      try {
        await ctx.client.request('DELETE', `/networks/${enc(n)}`);
      } catch (e) {
        if (opts.force === true && isShoalError(e) && e.code === 'CLI_DAEMON_ERROR' && e.details.status === 404) return;
        throw e;
      }
      ctx.out(`${n}\n`);
    })));
}

/** `network prune [-f] [--filter F]...` */
export function defineNetworkPrune(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove all unused networks')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", collect)
    .action(act(ctx, async (opts: { force?: boolean; filter?: string[] }) => {
      if (opts.force !== true && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) return 0;
      const filters = parseFilterFlags(opts.filter ?? []);
      const r = await ctx.client.json<{ NetworksDeleted: string[] | null }>('POST', '/networks/prune', { query: { filters: JSON.stringify(filters) } });
      const deleted = r.NetworksDeleted ?? [];
      if (deleted.length > 0) ctx.out(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}`);
    }));
}

/** `network connect [--alias A]... [--ip IP] NETWORK CONTAINER` */
export function defineNetworkConnect(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Connect a container to a network')
    .option('--alias <alias>', 'Add network-scoped alias for the container', collect)
    .option('--ip <ip>', 'IPv4 address (e.g., "172.30.100.104")')
    .argument('<network>')
    .argument('<container>')
    .action(act(ctx, async (network: string, container: string, opts: { alias?: string[]; ip?: string }) => {
      await ctx.client.request('POST', `/networks/${enc(network)}/connect`, {
        body: { Container: container, EndpointConfig: { Aliases: opts.alias ?? null, IPAMConfig: opts.ip !== undefined ? { IPv4Address: opts.ip } : null } },
      });
    }));
}

/** `network disconnect [-f] NETWORK CONTAINER` */
export function defineNetworkDisconnect(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Disconnect a container from a network')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .argument('<network>')
    .argument('<container>')
    .action(act(ctx, async (network: string, container: string, opts: { force?: boolean }) => {
      await ctx.client.request('POST', `/networks/${enc(network)}/disconnect`, { body: { Container: container, Force: opts.force === true } });
    }));
}
