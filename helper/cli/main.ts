// `nscope`: the Docker-like command line. Every command but `daemon` is a
// client of the helper's socket (--socket, or NSCOPE_SOCKET).
import { startDaemon } from '../server/daemon';
import { DEFAULT_SOCKET } from '../protocol';
import { HelperClient } from '../protocol/client';
import { parseArgs, str, UsageError } from './args';
import { COMMANDS, type Ctx } from './commands';
import { COMMIT_COMMANDS } from './commit-commands';
import { DIFF_COMMANDS } from './diff-commands';

const HELP = `Usage: nscope [--socket PATH] COMMAND [OPTIONS]

Containers: run, create, start, stop, restart, kill, rm, ps, inspect, logs, wait, update, top, stats, commit, diff
Files:      file ls|stat|cat [--image] [--view V] [--layer L] REF PATH
Images:     images, image ls|import|host|rm|inspect|layers|export
Helper:     daemon [--socket PATH] [--root DIR] [--group NAME], info

Run 'nscope COMMAND --help' for a command's flags.
`;

async function daemon(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [{ name: 'socket', takesValue: true }, { name: 'root', takesValue: true }, { name: 'group', takesValue: true }, { name: 'cgroup-parent', takesValue: true }]);
  const d = await startDaemon({ socket: str(p, 'socket') ?? process.env.NSCOPE_SOCKET, root: str(p, 'root'), group: str(p, 'group'), cgroupParent: str(p, 'cgroup-parent') });
  process.stderr.write(`nscope helper listening (pid ${process.pid})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Containers keep running: their monitors are independent processes.
  await d.close();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let socket = process.env.NSCOPE_SOCKET || DEFAULT_SOCKET;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--socket' || a === '-H') socket = argv[++i] ?? '';
    else if (a.startsWith('--socket=')) socket = a.slice(9);
    else if (a === '--help' || a === '-h') { process.stdout.write(HELP); return 0; }
    else if (a === '--version' || a === 'version') { process.stdout.write('nscope 0.1.0\n'); return 0; }
    else break;
  }
  const name = argv[i];
  const rest = argv.slice(i + 1);
  if (!name) { process.stdout.write(HELP); return 0; }
  if (name === 'daemon') return daemon(socket === DEFAULT_SOCKET && !argv.includes('--socket') ? rest : ['--socket', socket, ...rest]);
  const cmd = COMMIT_COMMANDS[name] ?? DIFF_COMMANDS[name] ?? COMMANDS[name];
  if (!cmd) throw new UsageError(`unknown command "${name}" (see nscope --help)`);
  if (rest.includes('--help') && (!cmd.stop || rest.indexOf('--help') < rest.findIndex((a) => !a.startsWith('-')))) {
    process.stdout.write(`Usage: nscope ${cmd.usage}\n\nFlags: ${cmd.flags.map((f) => `--${f.name}${f.short ? `/-${f.short}` : ''}`).join(' ')}\n`);
    return 0;
  }
  const parsed = parseArgs(rest, cmd.flags, { stopAtFirstPositional: cmd.stop });
  if ((cmd.min ?? 0) > parsed.positionals.length) throw new UsageError(`"nscope ${name}" requires at least ${cmd.min} argument${cmd.min === 1 ? '' : 's'}\nUsage: nscope ${cmd.usage}`);
  let client: HelperClient | undefined;
  const ctx: Ctx = { socket, client: async () => (client ??= await HelperClient.connect(socket)) };
  try {
    return await cmd.run(parsed, ctx);
  } finally {
    client?.close();
  }
}

/** Entry point used by bin/nscope. */
export function cli(argv: string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (e: Error) => {
      process.stderr.write(`nscope: ${e.message}\n`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
