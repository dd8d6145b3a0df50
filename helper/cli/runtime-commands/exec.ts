// `nscope-runtime exec`: runc's exec command line over runtime/oci-exec.ts.
// In the foreground it waits and exits with the process's code, passing on
// the signals it gets; with a tty and no console socket it relays this
// terminal (raw) through the shim.
import * as path from 'path';
import { ociExec } from '../../runtime/oci-exec';
import { processFromFile, processFromFlags } from '../../runtime/oci-exec-process';
import { signalNumber } from '../../runtime/signals';
import { bool, list, str, UsageError, type Parsed } from '../args';
import { NscopeError } from '../../errors';
import { containerId, preserveFdsCount, withExitCode, type RuntimeCommand, type RuntimeContext } from './types';

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export const execCommand: RuntimeCommand = {
  name: 'exec',
  summary: 'execute new process inside the container',
  usage: '<container-id> <command> [command options]  || -p process.json <container-id>',
  description: `Where "<container-id>" is the name for the instance of the container and
"<command>" is the command to be executed in the container.
"<command>" can't be empty unless a "-p" flag provided.`,
  stopAtFirstPositional: true,
  flags: [
    { name: 'console-socket', takesValue: true, help: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal" },
    { name: 'cwd', takesValue: true, help: 'current working directory in the container' },
    { name: 'env', short: 'e', takesValue: true, repeat: true, help: 'set environment variables' },
    { name: 'tty', short: 't', help: 'allocate a pseudo-TTY' },
    { name: 'user', short: 'u', takesValue: true, help: 'UID (format: <uid>[:<gid>])' },
    { name: 'additional-gids', short: 'g', takesValue: true, repeat: true, help: 'additional gids' },
    { name: 'process', short: 'p', takesValue: true, help: 'path to the process.json' },
    { name: 'detach', short: 'd', help: "detach from the container's process" },
    { name: 'pid-file', takesValue: true, help: 'specify the file to write the process id to' },
    { name: 'process-label', takesValue: true, help: 'set the asm process label for the process (SELinux: not supported by nscope)' },
    { name: 'apparmor', takesValue: true, help: 'set the apparmor profile for the process (not supported by nscope)' },
    { name: 'no-new-privs', help: 'set the no new privileges value for the process' },
    { name: 'cap', short: 'c', takesValue: true, repeat: true, help: 'add a capability to the bounding set for the process' },
    { name: 'preserve-fds', takesValue: true, help: 'Pass N additional file descriptors to the container (stdio + N in total) (default: 0)' },
    { name: 'ignore-paused', help: 'allow exec in a paused container' },
  ],
  async run(ctx, p) {
    // as runc: exec's own failures exit 255, so a caller tells them from the process's exit codes
    try { return await execRun(this, ctx, p); } catch (e) { throw withExitCode(e, 255); }
  },
};

async function execRun(cmd: RuntimeCommand, ctx: RuntimeContext, p: Parsed): Promise<number> {
  const id = containerId(cmd, p);
  const file = str(p, 'process');
  let process_;
  if (file) {
    process_ = processFromFile(path.resolve(file));
  } else {
    const args = p.positionals.slice(1);
    if (args.length === 0) throw new UsageError('exec: a command is required after the container id (or give -p process.json)');
    ctx.rt.live(id); // no such container: refused here, before its spec is read
    const nnp = p.flags['no-new-privs'];
    process_ = processFromFlags(ctx.rt.containerSpec(id).process, {
      args, cwd: str(p, 'cwd'), env: list(p, 'env'), tty: bool(p, 'tty'), user: str(p, 'user'),
      additionalGids: list(p, 'additional-gids'), caps: list(p, 'cap'),
      noNewPrivs: nnp === undefined ? undefined : nnp === true,
      apparmor: str(p, 'apparmor'), processLabel: str(p, 'process-label'),
    });
  }
  const preserve = preserveFdsCount(p);
  const detach = bool(p, 'detach');
  const consoleSocket = str(p, 'console-socket');
  // this terminal, when the process gets a tty and nobody else takes its console
  const relay = !!process_.terminal && !consoleSocket && !detach;
  if (relay && !process.stdin.isTTY) throw new UsageError('exec: a tty (-t or process.terminal) in the foreground needs this command to run on a terminal, or --console-socket');
  const size = relay && process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined;
  const ex = await ociExec(ctx.rt, id, {
    process: process_, detach, pidFile: str(p, 'pid-file'), consoleSocket,
    preserveFds: preserve, ignorePaused: bool(p, 'ignore-paused'), size,
  });
  if (detach) return 0;
  for (const sig of FORWARDED) process.on(sig, () => ex.signal(signalNumber(sig)));
  if (relay) {
    process.stdin.setRawMode(true);
    process.on('SIGWINCH', () => { if (process.stdout.isTTY) ex.resize(process.stdout.rows, process.stdout.columns); });
  }
  const exit = await ex.ended;
  if (relay) process.stdin.setRawMode(false);
  // the execve itself failed (after set-up): an error as any other, for the log too
  if (exit.error) throw new NscopeError('failed', `exec failed: ${exit.error}`);
  return exit.exitCode;
}
