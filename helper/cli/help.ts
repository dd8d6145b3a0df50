// `--help` text, made from the same tables the parser reads (each command's
// flags, usage and summary), so a flag cannot exist without being listed.
import { withHelp, type FlagSpec } from './args';
import type { Command, Group } from './command';

const GROUPS: Group[] = ['Containers', 'Images', 'Files', 'Helper'];

/** Two columns, the first padded to its widest entry, as Docker's help lays them out. */
function columns(rows: [string, string][], w = Math.max(0, ...rows.map(([a]) => a.length)), indent = '  '): string {
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}   ${b}`.trimEnd() + '\n').join('');
}

/** `-m, --memory bytes`, `    --rm`: shorthands line up in their own column. */
function flagColumn(f: FlagSpec): string {
  const value = f.takesValue ? ` ${f.value ?? (f.repeat ? 'list' : 'string')}` : '';
  return `${f.short ? `-${f.short}, ` : '    '}--${f.name}${value}`;
}

export function flagsHelp(flags: FlagSpec[]): string {
  const sorted = [...withHelp(flags)].sort((a, b) => a.name.localeCompare(b.name));
  return columns(sorted.map((f) => [flagColumn(f), f.help ?? '']));
}

export function commandHelp(prog: string, cmd: Command): string {
  let out = `Usage:  ${prog} ${cmd.usage}\n\n${cmd.summary}\n`;
  if (cmd.subcommands?.length) out += `\nCommands:\n${columns(cmd.subcommands)}`;
  out += `\nOptions:\n${flagsHelp(cmd.flags)}`;
  return out;
}

export function mainHelp(prog: string, commands: Record<string, Command>, globals: FlagSpec[]): string {
  let out = `Usage:  ${prog} [OPTIONS] COMMAND\n\nA container runtime and its helper daemon, with a Docker-like command line\n`;
  // one column width for every group, so the summaries line up down the page
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  for (const g of GROUPS) {
    const names = Object.keys(commands).filter((n) => commands[n].group === g).sort();
    if (names.length) out += `\n${g}:\n${columns(names.map((n) => [n, commands[n].summary]), width)}`;
  }
  out += `\nGlobal Options:\n${flagsHelp(globals)}`;
  out += `\nRun '${prog} COMMAND --help' for more information on a command.\n`;
  return out;
}
