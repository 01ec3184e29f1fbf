/**
 * Reading shoald's configuration: flags (commander, dockerd's names), the
 * daemon.json file, and their merge. Pure: the file is read through an
 * injected function and nothing here exits the process.
 */
import { Command, CommanderError, Option } from 'commander';
import { commonErrors } from '../errors/index.js';
import { DAEMON_DEFAULTS, DEFAULT_CONFIG_FILE, type DaemonConfig, type RawSettings } from './daemon-config.js';
import { DAEMON_SETTINGS } from './daemon-settings.js';
import { invalid } from './config-values.js';

/** What the command line said. */
export type DaemonFlags =
  | { kind: 'run'; settings: RawSettings; configFile: string | undefined; validate: boolean }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

function program(out: { text: string }): Command {
  const cmd = new Command('shoald')
    .description('shoal daemon: a Docker-compatible container engine with Swarm-mode clustering')
    .exitOverride()
    .configureOutput({ writeOut: (s) => { out.text += s; }, writeErr: (s) => { out.text += s; } })
    .allowExcessArguments(false)
    .option('--config-file <path>', `daemon.json to read (default ${DEFAULT_CONFIG_FILE})`)
    .option('--validate', 'check the configuration and exit')
    .option('-v, --version', 'print the version and exit');
  for (const s of DAEMON_SETTINGS) {
    const opt = new Option(s.flag, s.description);
    if (s.repeatable === true) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(opt);
  }
  return cmd;
}

/**
 * Parse shoald's arguments (without `node` and the script). Only flags
 * given on the command line are returned, in daemon.json's shape, so that
 * the merge can detect a setting given both ways. Throws
 * COMMON_CONFIG_INVALID on an unknown flag or a bad value.
 */
export function parseDaemonFlags(argv: readonly string[]): DaemonFlags {
  const out = { text: '' };
  const cmd = program(out);
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.helpDisplayed') return { kind: 'help', text: out.text };
    if (err instanceof CommanderError) {
      throw commonErrors.make('CONFIG_INVALID', err.message.replace(/^error: /, ''), { cause: err });
    }
    throw err;
  }
  const opts = cmd.opts<Record<string, unknown>>();
  if (opts.version === true) return { kind: 'version' };
  const settings: RawSettings = {};
  for (const s of DAEMON_SETTINGS) {
    const option = cmd.options.find((o) => o.flags === s.flag);
    const name = option?.attributeName();
    if (name === undefined || cmd.getOptionValueSource(name) !== 'cli') continue;
    const value = opts[name] as string | string[] | boolean;
    settings[s.key] = s.fromFlag !== undefined ? s.fromFlag(value) : value;
  }
  return { kind: 'run', settings, configFile: opts.configFile as string | undefined, validate: opts.validate === true };
}

/**
 * Parse daemon.json. Unknown keys are an error naming them (as dockerd:
 * "the following directives don't match any configuration option").
 */
export function parseDaemonFile(text: string, path: string): RawSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw commonErrors.make('CONFIG_INVALID', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw commonErrors.make('CONFIG_INVALID', `${path} must hold a JSON object`);
  }
  const known = new Set(DAEMON_SETTINGS.map((s) => s.key));
  const unknown = Object.keys(parsed).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw commonErrors.make('CONFIG_INVALID', `${path}: the following directives don't match any configuration option: ${unknown.join(', ')}`, { details: { keys: unknown } });
  }
  return parsed as RawSettings;
}

/**
 * Merge flags over the file over the defaults. A key given both ways is an
 * error listing every such key with both values, as dockerd does. Then the
 * rules that involve several settings are checked.
 */
export function mergeDaemonConfig(flags: RawSettings, file: RawSettings, configFile?: string): DaemonConfig {
  const both = Object.keys(flags).filter((k) => k in file);
  if (both.length > 0) {
    const detail = both.map((k) => `${k}: (from flag: ${JSON.stringify(flags[k])}, from file: ${JSON.stringify(file[k])})`).join(', ');
    throw commonErrors.make('CONFIG_INVALID', `the following directives are specified both as a flag and in the configuration file: ${detail}`, { details: { keys: both } });
  }
  const cfg: DaemonConfig = structuredClone({ ...DAEMON_DEFAULTS }) as DaemonConfig;
  cfg.configFile = configFile;
  for (const s of DAEMON_SETTINGS) {
    if (s.key in file) s.apply(cfg, file[s.key]);
    if (s.key in flags) s.apply(cfg, flags[s.key]);
  }
  const levelGiven = 'log-level' in flags || 'log-level' in file;
  if (cfg.debug && !levelGiven) cfg.logLevel = 'debug';
  const tcp = cfg.hosts.filter((h) => h.startsWith('tcp://'));
  if (tcp.length > 0) {
    if (!cfg.tlsverify) {
      throw invalid('hosts', `${tcp.join(', ')}: shoald serves the API on TCP only with mutual TLS; add --tlsverify with --tlscacert, --tlscert and --tlskey, or listen on a unix socket`);
    }
    const missing = (['tlscacert', 'tlscert', 'tlskey'] as const).filter((k) => cfg[k] === undefined);
    if (missing.length > 0) throw invalid('tlsverify', `--tlsverify needs ${missing.map((k) => `--${k}`).join(', ')}`);
  }
  return cfg;
}

/** Reads a file's text, or undefined when it does not exist (other errors throw). */
export type ReadConfigFile = (path: string) => string | undefined;

/**
 * The whole of it: flags, then daemon.json (the default path may be absent;
 * a path given with --config-file must exist), then the merge.
 */
export function loadDaemonConfig(argv: readonly string[], readFile: ReadConfigFile): DaemonFlags | { kind: 'config'; config: DaemonConfig; validateOnly: boolean } {
  const flags = parseDaemonFlags(argv);
  if (flags.kind !== 'run') return flags;
  const path = flags.configFile ?? DEFAULT_CONFIG_FILE;
  const text = readFile(path);
  if (text === undefined && flags.configFile !== undefined) {
    throw commonErrors.make('CONFIG_INVALID', `config file ${path} does not exist`);
  }
  const file = text === undefined ? {} : parseDaemonFile(text, path);
  return { kind: 'config', config: mergeDaemonConfig(flags.settings, file, text === undefined ? undefined : path), validateOnly: flags.validate };
}
