// Help in runc's layout, so `nscope-runtime CMD --help` reads like `runc CMD
// --help`: NAME, USAGE, DESCRIPTION, OPTIONS with one line per flag.
import type { HelpFlag, RuntimeCommand } from './types';

function flagColumn(f: HelpFlag): string {
  const long = `--${f.name}${f.takesValue ? ' value' : ''}`;
  const short = f.short ? `, -${f.short}${f.takesValue ? ' value' : ''}` : '';
  return long + short;
}

export function flagLines(flags: HelpFlag[]): string {
  const all = [...flags, { name: 'help', short: 'h', help: 'show help' }];
  const width = Math.max(...all.map((f) => flagColumn(f).length));
  return all.map((f) => `   ${flagColumn(f).padEnd(width)}  ${f.help}\n`).join('');
}

export function commandHelp(c: RuntimeCommand): string {
  let out = `NAME:\n   nscope-runtime ${c.name} - ${c.summary}\n\nUSAGE:\n   nscope-runtime ${c.name} ${c.flags.length ? '[command options] ' : ''}${c.usage}\n`;
  if (c.description) out += `\nDESCRIPTION:\n${c.description.trim().split('\n').map((l) => (l ? `   ${l}` : '')).join('\n')}\n`;
  out += `\nOPTIONS:\n${flagLines(c.flags)}`;
  return out;
}

export function mainHelp(commands: RuntimeCommand[], globals: HelpFlag[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `NAME:
   nscope-runtime - Open Container Initiative runtime (runc's command line) on nscope's container runtime

USAGE:
   nscope-runtime [global options] command [command options] [arguments...]

VERSION:
   ${version}

COMMANDS:
${commands.map((c) => `   ${c.name.padEnd(width)}  ${c.summary}\n`).join('')}   ${'help'.padEnd(width)}  Shows a list of commands or help for one command

GLOBAL OPTIONS:
${flagLines([...globals, { name: 'version', short: 'v', help: 'print the version' }])}`;
}
