import type { Option } from 'commander';
import { Command } from 'commander';
import { cliErrors } from './cli-errors.js';

/** Commander collector for repeated flags (`-e A -e B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commander parser for an integer flag. */
export function intArg(flag: string): (v: string) => number {
  return (v: string) => {
    if (!/^[+-]?\d+$/.test(v.trim())) throw cliErrors.make('INVALID_FLAG', `invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
}

/** Add a repeatable string flag. */
export function repeated(cmd: Command, flags: string, description: string): Command {
  return cmd.option(flags, description, collect);
}

/** A command with the settings every shoal command shares (only --help for help, errors thrown). */
export function newCommand(name: string): Command {
  return new Command(name).helpOption('--help', 'Print usage').exitOverride();
}

/**
 * The docker CLI accepts `--flag=true` / `--flag=false` for boolean flags.
 * Commander does not, so rewrite them before parsing: `--x=true` -> `--x`,
 * `--x=false` -> `--no-x` when the command tree knows `--no-x`, else the
 * flag is dropped (false is its default). Stops at `--`.
 */
export function rewriteBooleanFlags(program: Command, argv: readonly string[]): string[] {
  const booleans = new Set<string>();
  const negatable = new Set<string>();
  const walk = (c: Command) => {
    for (const o of c.options as Option[]) {
      if (o.long === undefined) continue;
      if (o.negate) negatable.add(o.long.slice(5));
      else if (!o.required && !o.optional) booleans.add(o.long.slice(2));
    }
    for (const s of c.commands as Command[]) walk(s);
  };
  walk(program);
  const out: string[] = [];
  let stop = false;
  for (const a of argv) {
    if (stop || a === '--') { stop = true; out.push(a); continue; }
    const m = /^--([a-z][a-z0-9-]*)=(true|false|1|0)$/i.exec(a);
    const name = m?.[1];
    if (m === null || name === undefined || (!booleans.has(name) && !negatable.has(name))) { out.push(a); continue; }
    const on = m[2] === 'true' || m[2] === '1';
    if (on) { if (booleans.has(name)) out.push(`--${name}`); }
    else if (negatable.has(name)) out.push(`--no-${name}`);
  }
  return out;
}
