// Docker's management commands (`nscope container ls`, `nscope image rm`,
// `nscope system df`): a word that names a group, then a command of the group
// with its own flags, parsed after the word, so `image rm -f` is --force and
// `image inspect -f` is --format, as in Docker.
import { parseArgs, UsageError } from './args';
import type { Command, Group } from './command';
import { commandHelp } from './help';

/** `subs`: each subcommand by name; aliases (`ls`, `list`) point at the same Command. */
export function management(name: string, summary: string, group: Group, subs: Record<string, Command>, order?: string[]): Command {
  const names = order ?? Object.keys(subs);
  return {
    summary, group, flags: [], stop: true, min: 1,
    usage: `${name} COMMAND`,
    // each distinct command once, under its first name
    subcommands: names.filter((n, i) => names.findIndex((m) => subs[m] === subs[n]) === i).map((n) => [subs[n].usage.split('\n')[0].replace(new RegExp(`^${name} `), ''), subs[n].summary]),
    async run(p, ctx) {
      const [sub, ...rest] = p.positionals;
      const cmd = Object.hasOwn(subs, sub) ? subs[sub] : undefined;
      if (!cmd) throw new UsageError(`unknown ${name} command "${sub}" (see nscope ${name} --help)`);
      const parsed = parseArgs(rest, cmd.flags, { stopAtFirstPositional: cmd.stop, help: true });
      if (parsed.help) { process.stdout.write(commandHelp('nscope', cmd)); return 0; }
      if ((cmd.min ?? 0) > parsed.positionals.length) throw new UsageError(`"nscope ${name} ${sub}" requires at least ${cmd.min} argument${cmd.min === 1 ? '' : 's'}\nUsage: nscope ${cmd.usage}\n\nRun 'nscope ${name} ${sub} --help' for its flags.`);
      return cmd.run(parsed, ctx);
    },
  };
}

/** A top-level command shown under the group's name (`container ls` for `ps`): its usage names it so. */
export function renamed(cmd: Command, usage: string): Command {
  return { ...cmd, usage };
}
