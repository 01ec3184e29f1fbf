import type { Command } from 'commander';
import type { ContainerInspect, PortMap } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';

/**
 * `docker port` lines for a container's published ports: `80/tcp ->
 * 0.0.0.0:8080`, sorted by port; only `private` (`80`, `80/udp`) when given.
 */
export function portLines(ports: PortMap | null | undefined, filter?: string): string[] {
  const out: string[] = [];
  let want: string | undefined;
  if (filter !== undefined) {
    const [port = '', proto = 'tcp'] = filter.split('/');
    if (!/^\d+$/.test(port)) throw cliErrors.make('INVALID_FLAG', `invalid port: ${filter}`);
    want = `${port}/${proto}`;
  }
  const keys = Object.keys(ports ?? {}).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    if (want !== undefined && key !== want) continue;
    for (const b of ports?.[key] ?? []) {
      const ip = b.HostIp ?? '';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      out.push(want !== undefined ? `${host}:${b.HostPort ?? ''}` : `${key} -> ${host}:${b.HostPort ?? ''}`);
    }
  }
  return out;
}

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]` */
export function definePort(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List port mappings or a specific mapping for the container')
    .argument('<container>')
    .argument('[private-port]')
    .action(act(ctx, async (name: string, filter: string | undefined) => {
      const c = await ctx.client.json<ContainerInspect>('GET', `/containers/${encodeURIComponent(name)}/json`);
      const lines = portLines(c.NetworkSettings?.Ports, filter);
      if (filter !== undefined && lines.length === 0) throw cliErrors.make('USAGE', `Error: No public port '${filter.includes('/') ? filter : `${filter}/tcp`}' published for ${name}`);
      for (const l of lines) ctx.out(`${l}\n`);
    }));
}
