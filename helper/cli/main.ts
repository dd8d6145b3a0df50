// `nscope`: the Docker-like command line. Every command but `daemon` is a
// client of the helper's socket (--socket, or NSCOPE_SOCKET).
import { startDaemon } from '../server/daemon';
import { DEFAULT_SOCKET } from '../protocol';
import { HelperClient } from '../protocol/client';
import { bool, FlagError, list, parseArgs, str, UsageError } from './args';
import { COMMANDS } from './commands';
import type { Command, Ctx, Flag } from './command';
import { COMMIT_COMMANDS } from './commit-commands';
import { IMPORT_ROOTFS, LOAD, SAVE } from './image-archive-commands';
import { DIFF_COMMANDS } from './diff-commands';
import { NETWORK_COMMANDS } from './network-commands';
import { commandHelp, mainHelp } from './help';
import { resolveHost } from './contexts';
import { HOST_COMMANDS } from './host-commands';
import { containerCommand } from './container-commands';
import { EVENTS } from './events-command';
import { management } from './management';
import { BUILDER_PRUNE, SYSTEM_DF, SYSTEM_PRUNE } from './prune-commands';
import { VERSION as VERSION_COMMAND, VERSION_NUMBER } from './version-command';

const VERSION = `nscope ${VERSION_NUMBER}`;

/** Flags before the command. `-H` is Docker's shorthand for its daemon's address. */
const GLOBAL_FLAGS: Flag[] = [
  { name: 'socket', short: 'H', takesValue: true, value: 'path', help: `The helper's socket (default $NSCOPE_SOCKET, else ${DEFAULT_SOCKET})` },
  { name: 'host', takesValue: true, value: 'url', help: 'The helper to talk to: ssh://[user@]host[:port][/socket] or unix:///path (default $NSCOPE_HOST, else the current context)' },
  { name: 'context', takesValue: true, value: 'name', help: 'A context (nscope context ls) to talk to (default $NSCOPE_CONTEXT, else the current one)' },
  { name: 'version', help: 'Print the version and exit' },
];

function registryConfig(v: string | undefined): 'none' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'none') throw new UsageError(`--registry-config: only "none" is accepted (got "${v}")`);
  return v;
}

/** The commands that are not clients of a running helper. */
const HELPER_COMMANDS: Record<string, Command> = {
  daemon: {
    summary: 'Run the helper daemon (as root) in the foreground', group: 'Helper',
    flags: [
      { name: 'socket', takesValue: true, value: 'path', help: `Listen here (default: the global --socket, $NSCOPE_SOCKET, else ${DEFAULT_SOCKET})` },
      { name: 'root', takesValue: true, value: 'dir', help: 'State directory (default /var/lib/nscope)' },
      { name: 'group', takesValue: true, help: 'Members of this group may use the socket (default nscope, when it exists)' },
      { name: 'cgroup-parent', takesValue: true, help: "The cgroup containers' cgroups are made under (default nscope)" },
      { name: 'runtime-roots', takesValue: true, value: 'dir', help: "Where nscope-runtime records its --root dirs, to show the containers engines run with it (default /run/nscope-runtime-roots; 'none': show none)" },
      { name: 'insecure-registry', takesValue: true, repeat: true, value: 'host', help: 'A registry (HOST[:PORT] or CIDR) reached over plain HTTP or unverified TLS; localhost always is' },
      { name: 'registry-mirror', takesValue: true, repeat: true, value: 'url', help: 'A mirror of Docker Hub, tried first' },
      { name: 'registry-config', takesValue: true, value: 'none', help: "'none': ignore /etc/docker/daemon.json and /etc/containers/registries.conf (read by default for insecure registries and mirrors)" },
      { name: 'lxcfs', help: 'Every container gets lxcfs\'s /proc files (as with run --lxcfs)' },
      { name: 'lxcfs-dir', takesValue: true, value: 'dir', help: 'Where lxcfs is mounted (default /var/lib/lxcfs)' },
      { name: 'default-network-bridge', takesValue: true, value: 'name', help: 'The bridge of the default network "nscope" (default nscope0)' },
      { name: 'default-subnet', takesValue: true, value: 'cidr', help: 'The subnet of the default network (default: the first /16 from 10.88.0.0 up that the host does not route)' },
      { name: 'certs-dir', takesValue: true, value: 'dir', help: "Registries' CAs and client certificates, Docker's certs.d layout (default /etc/docker/certs.d)" },
    ],
    usage: 'daemon [OPTIONS]',
    async run(p, ctx) {
      const d = await startDaemon({ socket: str(p, 'socket') ?? ctx.socket, root: str(p, 'root'), group: str(p, 'group'), cgroupParent: str(p, 'cgroup-parent'), runtimeRoots: str(p, 'runtime-roots'),
        insecureRegistries: list(p, 'insecure-registry'), registryMirrors: list(p, 'registry-mirror'), certsDir: str(p, 'certs-dir'), registryConfig: registryConfig(str(p, 'registry-config')),
        lxcfs: bool(p, 'lxcfs'), lxcfsDir: str(p, 'lxcfs-dir'),
        defaultNetworkBridge: str(p, 'default-network-bridge'), defaultSubnet: str(p, 'default-subnet') });
      process.stderr.write(`nscope helper listening (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      // Containers keep running: their monitors are independent processes.
      await d.close();
      return 0;
    },
  },
  help: {
    summary: 'Show the commands, or one command\'s usage and flags', group: 'Helper',
    flags: [], usage: 'help [COMMAND]',
    async run(p) {
      const name = p.positionals[0];
      if (name === undefined) { process.stdout.write(mainHelp('nscope', ALL, GLOBAL_FLAGS)); return 0; }
      process.stdout.write(commandHelp('nscope', command(name)));
      return 0;
    },
  },
  version: VERSION_COMMAND,
};

const TOP: Record<string, Command> = { ...COMMANDS, ...COMMIT_COMMANDS, ...DIFF_COMMANDS, ...NETWORK_COMMANDS, ...HELPER_COMMANDS, ...HOST_COMMANDS, events: EVENTS, save: SAVE, load: LOAD, import: IMPORT_ROOTFS };

/** Docker's management words over the same commands: `container ls`, `system df`. */
const ALL: Record<string, Command> = {
  ...TOP,
  container: containerCommand(TOP),
  system: management('system', 'Manage the helper: disk usage, pruning, events, information', 'Helper', {
    df: SYSTEM_DF, prune: SYSTEM_PRUNE,
    events: { ...EVENTS, usage: 'system events [OPTIONS]' },
    info: { ...TOP.info, usage: 'system info [OPTIONS]' },
  }),
  builder: management('builder', "Manage the build cache (the images of `nscope build`'s steps)", 'Images', { prune: BUILDER_PRUNE }),
};

/** Every command by name, for tests that walk the table. */
export const ALL_COMMANDS: Readonly<Record<string, Command>> = ALL;

function command(name: string): Command {
  const cmd = Object.hasOwn(ALL, name) ? ALL[name] : undefined;
  if (!cmd) throw new UsageError(`unknown command "${name}" (see nscope --help)`);
  return cmd;
}

export async function main(argv: string[]): Promise<number> {
  const g = parseArgs(argv, GLOBAL_FLAGS, { stopAtFirstPositional: true, help: true });
  if (g.help) { process.stdout.write(mainHelp('nscope', ALL, GLOBAL_FLAGS)); return 0; }
  if (bool(g, 'version')) { process.stdout.write(`${VERSION}\n`); return 0; }
  const [name, ...rest] = g.positionals;
  // dial-stdio and the daemon are about this machine's socket; every other command about the helper chosen
  const local = name === 'dial-stdio' || name === 'daemon' || name === 'context';
  const socket = local ? (str(g, 'socket') ?? (process.env.NSCOPE_SOCKET || DEFAULT_SOCKET)) : resolveHost({ host: str(g, 'host'), socket: str(g, 'socket'), context: str(g, 'context') }, DEFAULT_SOCKET);
  if (!name) { process.stdout.write(mainHelp('nscope', ALL, GLOBAL_FLAGS)); return 0; }
  const cmd = command(name);
  // --help (and -h where the command has no -h of its own) anywhere among the
  // command's flags; for run/create/exec, not after the image or container,
  // where it belongs to the container's command
  const parsed = parseArgs(rest, cmd.flags, { stopAtFirstPositional: cmd.stop, help: true });
  if (parsed.help) { process.stdout.write(commandHelp('nscope', cmd)); return 0; }
  if ((cmd.min ?? 0) > parsed.positionals.length) throw new UsageError(`"nscope ${name}" requires at least ${cmd.min} argument${cmd.min === 1 ? '' : 's'}\nUsage: nscope ${cmd.usage}\n\nRun 'nscope ${name} --help' for its flags.`);
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
  // A reader that went away (`nscope logs web | head`) ends the command quietly,
  // as SIGPIPE ends a C program, instead of an unhandled EPIPE and its stack.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`nscope: standard output: ${e.message}\n`);
    process.exit(1);
  });
  main(argv).then(
    (code) => { process.exitCode = code; },
    (e: Error) => {
      process.stderr.write(`nscope: ${e.message}\n`);
      // as Docker's CLI: a flag it cannot parse is 125 (never a container's exit code); other misuse
      // (a missing argument, an unknown command, a bad template) is 1, as any other failure
      process.exitCode = e instanceof FlagError ? 125 : 1;
    },
  );
}
