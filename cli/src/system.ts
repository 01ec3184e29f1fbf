import type { Command } from 'commander';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { Template, binarySize } from './format/index.js';

/** The CLI's own version (the package version). */
export const CLI_VERSION = '0.1.0';
/** The Engine API version the CLI speaks. */
export const CLI_API_VERSION = '1.44';

interface ServerVersion { Version?: string; ApiVersion?: string; MinAPIVersion?: string; GitCommit?: string; GoVersion?: string; Os?: string; Arch?: string; KernelVersion?: string; BuildTime?: string }

/** `version [--format]` */
export function defineVersion(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Show the shoal version information')
    .option('-f, --format <format>', "Format output using a custom template: 'json' or a Go template")
    .action(act(ctx, async (opts: { format?: string }) => {
      const client = {
        Version: CLI_VERSION, ApiVersion: CLI_API_VERSION, GoVersion: `node ${process.version}`, Os: process.platform, Arch: process.arch,
      };
      let server: ServerVersion | undefined;
      let serverErr: unknown;
      try {
        server = await ctx.client.json<ServerVersion>('GET', '/version');
      } catch (e) {
        serverErr = e;
      }
      const data = { Client: client, Server: server ?? null };
      if (opts.format === 'json') ctx.out(`${JSON.stringify(data)}\n`);
      else if (opts.format !== undefined && opts.format !== '') ctx.out(`${new Template(opts.format).execute(data)}\n`);
      else {
        ctx.out(`Client:\n Version:           ${client.Version}\n API version:       ${client.ApiVersion}\n Runtime:           ${client.GoVersion}\n OS/Arch:           ${client.Os}/${client.Arch}\n`);
        if (server !== undefined) {
          ctx.out(`\nServer:\n Engine:\n  Version:          ${server.Version ?? ''}\n  API version:      ${server.ApiVersion ?? ''} (minimum version ${server.MinAPIVersion ?? ''})\n`
            + `  Git commit:       ${server.GitCommit ?? ''}\n  OS/Arch:          ${server.Os ?? ''}/${server.Arch ?? ''}\n  Kernel version:   ${server.KernelVersion ?? ''}\n`);
        }
      }
      if (serverErr !== undefined) throw serverErr;
    }));
}

type Info = Record<string, unknown> & {
  Containers?: number; ContainersRunning?: number; ContainersPaused?: number; ContainersStopped?: number; Images?: number;
  ServerVersion?: string; Driver?: string; LoggingDriver?: string; CgroupDriver?: string; CgroupVersion?: string; KernelVersion?: string;
  OperatingSystem?: string; OSType?: string; Architecture?: string; NCPU?: number; MemTotal?: number; DockerRootDir?: string; Name?: string; ID?: string;
  Swarm?: { LocalNodeState?: string };
};

/** `info [--format]` / `system info` */
export function defineInfo(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Display system-wide information')
    .option('-f, --format <format>', "Format output using a custom template: 'json' or a Go template")
    .action(act(ctx, async (opts: { format?: string }) => {
      const info = await ctx.client.json<Info>('GET', '/info');
      if (opts.format === 'json') { ctx.out(`${JSON.stringify(info)}\n`); return; }
      if (opts.format !== undefined && opts.format !== '') { ctx.out(`${new Template(opts.format).execute(info)}\n`); return; }
      const v = (x: unknown) => (x === undefined || x === null ? '' : String(x));
      ctx.out([
        'Client:', ` Version:    ${CLI_VERSION}`, '', 'Server:',
        ` Containers: ${v(info.Containers)}`, `  Running: ${v(info.ContainersRunning)}`, `  Paused: ${v(info.ContainersPaused)}`, `  Stopped: ${v(info.ContainersStopped)}`,
        ` Images: ${v(info.Images)}`, ` Server Version: ${v(info.ServerVersion)}`, ` Storage Driver: ${v(info.Driver)}`, ` Logging Driver: ${v(info.LoggingDriver)}`,
        ` Cgroup Driver: ${v(info.CgroupDriver)}`, ` Cgroup Version: ${v(info.CgroupVersion)}`, ` Swarm: ${v(info.Swarm?.LocalNodeState)}`,
        ` Kernel Version: ${v(info.KernelVersion)}`, ` Operating System: ${v(info.OperatingSystem)}`, ` OSType: ${v(info.OSType)}`, ` Architecture: ${v(info.Architecture)}`,
        ` CPUs: ${v(info.NCPU)}`, ` Total Memory: ${info.MemTotal === undefined ? '' : binarySize(info.MemTotal)}`, ` Name: ${v(info.Name)}`, ` ID: ${v(info.ID)}`,
        ` Shoal Root Dir: ${v(info.DockerRootDir)}`, '',
      ].join('\n'));
    }));
}
