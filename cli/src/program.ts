import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { CliContext, reportError } from './context.js';
import type { CliIo, ConnectionFlags } from './context.js';
import { defineLabDown, defineLabUp } from './lab.js';
import { defineEvents } from './events.js';
import { defineAttach, defineExec } from './exec.js';
import { newCommand, rewriteBooleanFlags } from './flags.js';
import { defineImport, defineLoad, defineSave } from './image-transfer.js';
import { defineHistory, defineImagePrune, defineImages, defineRmi, defineTag } from './images.js';
import { defineInspect, defineTypedInspect } from './inspect.js';
import {
  defineKill, definePause, defineRename, defineRestart, defineRm, defineStop, defineUnpause, defineUpdate, defineWait,
} from './lifecycle.js';
import { defineLogs } from './logs.js';
import { defineNetworkConnect, defineNetworkCreate, defineNetworkDisconnect, defineNetworkLs, defineNetworkPrune, defineNetworkRm } from './network.js';
import { defineVolumeCreate, defineVolumeLs, defineVolumePrune, defineVolumeRm } from './volume.js';
import { defineContainerPrune, definePs } from './ps.js';
import { defineCreate, defineRun, defineStart } from './run.js';
import { defineStats } from './stats.js';
import { CLI_VERSION, defineInfo, defineVersion } from './system.js';
import { defineTop } from './top.js';
import { definePort } from './port.js';
import { definePull } from './pull.js';

type Define = (cmd: Command) => Command;

function commandPathOf(parent: Command, name: string): string {
  const names = [name];
  for (let c: Command | null = parent; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function add(ctx: CliContext, parent: Command, name: string, define: Define, aliases: readonly string[] = []): Command {
  const c = parent.command(name);
  const path = commandPathOf(parent, name);
  c.configureOutput({
    writeOut: (s) => { ctx.io.stdout.write(s); },
    writeErr: (s) => { ctx.io.stderr.write(s); },
    outputError: (s, write) => { write(`shoal: ${s.replace(/^error: /, '')}See 'shoal ${path} --help'.\n`); },
  });
  define(c);
  for (const a of aliases) c.alias(a);
  return c;
}

/** The whole command tree: docker's verbs, management commands and their aliases. */
export function buildProgram(ctx: CliContext): Command {
  const program = newCommand('shoal')
    .description('A Swarm-mode container orchestrator (Docker Engine API client)')
    .enablePositionalOptions()
    .option('-H, --host <host>', 'Daemon socket to connect to (unix:///path or tcp://host:port)')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('--tlscacert <file>', 'Trust certs signed only by this CA (default ~/.shoal/ca.pem)')
    .option('--tlscert <file>', 'Path to TLS certificate file (default ~/.shoal/cert.pem)')
    .option('--tlskey <file>', 'Path to TLS key file (default ~/.shoal/key.pem)')
    .version(`shoal version ${CLI_VERSION}`, '-v, --version', 'Print version information and quit')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => { ctx.io.stdout.write(s); },
      writeErr: (s) => { ctx.io.stderr.write(s); },
      outputError: (s, write) => { write(`shoal: ${s.replace(/^error: /, '')}See 'shoal --help'.\n`); },
    });
  program.hook('preAction', () => { ctx.setConnection(program.opts() as ConnectionFlags); });

  const containerVerbs: Array<[string, Define, string[]]> = [
    ['run', defineRun(ctx), []],
    ['create', defineCreate(ctx), []],
    ['start', defineStart(ctx), []],
    ['stop', defineStop(ctx), []],
    ['restart', defineRestart(ctx), []],
    ['kill', defineKill(ctx), []],
    ['pause', definePause(ctx), []],
    ['unpause', defineUnpause(ctx), []],
    ['wait', defineWait(ctx), []],
    ['rename', defineRename(ctx), []],
    ['update', defineUpdate(ctx), []],
    ['top', defineTop(ctx), []],
    ['stats', defineStats(ctx), []],
    ['exec', defineExec(ctx), []],
    ['attach', defineAttach(ctx), []],
    ['logs', defineLogs(ctx), []],
    ['port', definePort(ctx), []],
  ];
  for (const [name, define] of containerVerbs) add(ctx, program, name, define);
  add(ctx, program, 'rm', defineRm(ctx));
  add(ctx, program, 'ps', definePs(ctx));
  add(ctx, program, 'inspect', defineInspect(ctx));
  add(ctx, program, 'events', defineEvents(ctx));
  add(ctx, program, 'images', defineImages(ctx));
  add(ctx, program, 'pull', definePull(ctx));
  add(ctx, program, 'import', defineImport(ctx));
  add(ctx, program, 'save', defineSave(ctx));
  add(ctx, program, 'load', defineLoad(ctx));
  add(ctx, program, 'tag', defineTag(ctx));
  add(ctx, program, 'rmi', defineRmi(ctx));
  add(ctx, program, 'history', defineHistory(ctx));
  add(ctx, program, 'version', defineVersion(ctx));
  add(ctx, program, 'info', defineInfo(ctx));

  const container = program.command('container').description('Manage containers').enablePositionalOptions();
  for (const [name, define] of containerVerbs) add(ctx, container, name, define);
  add(ctx, container, 'rm', defineRm(ctx), ['remove']);
  add(ctx, container, 'ls', definePs(ctx), ['list', 'ps']);
  add(ctx, container, 'inspect', defineTypedInspect(ctx, 'container'));
  add(ctx, container, 'prune', defineContainerPrune(ctx));

  const image = program.command('image').description('Manage images').enablePositionalOptions();
  add(ctx, image, 'ls', defineImages(ctx), ['list']);
  add(ctx, image, 'import', defineImport(ctx));
  add(ctx, image, 'pull', definePull(ctx));
  add(ctx, image, 'save', defineSave(ctx));
  add(ctx, image, 'load', defineLoad(ctx));
  add(ctx, image, 'tag', defineTag(ctx));
  add(ctx, image, 'rm', defineRmi(ctx), ['remove']);
  add(ctx, image, 'prune', defineImagePrune(ctx));
  add(ctx, image, 'history', defineHistory(ctx));
  add(ctx, image, 'inspect', defineTypedInspect(ctx, 'image'));

  const network = program.command('network').description('Manage networks').enablePositionalOptions();
  add(ctx, network, 'ls', defineNetworkLs(ctx), ['list']);
  add(ctx, network, 'inspect', defineTypedInspect(ctx, 'network'));
  add(ctx, network, 'create', defineNetworkCreate(ctx));
  add(ctx, network, 'rm', defineNetworkRm(ctx), ['remove']);
  add(ctx, network, 'prune', defineNetworkPrune(ctx));
  add(ctx, network, 'connect', defineNetworkConnect(ctx));
  add(ctx, network, 'disconnect', defineNetworkDisconnect(ctx));

  const volume = program.command('volume').description('Manage volumes').enablePositionalOptions();
  add(ctx, volume, 'create', defineVolumeCreate(ctx));
  add(ctx, volume, 'ls', defineVolumeLs(ctx), ['list']);
  add(ctx, volume, 'inspect', defineTypedInspect(ctx, 'volume'));
  add(ctx, volume, 'rm', defineVolumeRm(ctx), ['remove']);
  add(ctx, volume, 'prune', defineVolumePrune(ctx));

  const lab = program.command('lab').description('A swarm of shoald hosts on this machine (network namespaces)').enablePositionalOptions();
  add(ctx, lab, 'up', defineLabUp(ctx));
  add(ctx, lab, 'down', defineLabDown(ctx));

  const system = program.command('system').description('Manage shoal').enablePositionalOptions();
  add(ctx, system, 'events', defineEvents(ctx));
  add(ctx, system, 'info', defineInfo(ctx));
  return program;
}

/**
 * Run the shoal CLI with `argv` (the arguments after the program name)
 * against `io`; resolves with the exit status (never exits the process).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(rewriteBooleanFlags(program, argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return 1;
      return 125;
    }
    return reportError(ctx, e, '');
  }
  return ctx.exitCode;
}

