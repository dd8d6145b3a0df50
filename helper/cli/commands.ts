// `nscope` commands that talk to the helper (everything but `daemon`).
import { buildCommand } from './build-command';
import { cpCommand } from './cp-command';
import { envFromFlags } from './env-file';
import { HelperClient, HelperError, openStream, openStreamWithResult } from '../protocol/client';
import type { NsType, RunOptions } from '../protocol';
import { bool, FlagError, list, parseArgs, str, UsageError, type Parsed } from './args';
import { eachId, FORMAT, json, wantsJson, type Command, type Ctx, type Flag } from './command';
import { psText, table } from './format';
import { LOGIN, LOGOUT } from './login-commands';
import { formatAttrs, printLogStream } from './logstream';
import { attachStreams, CREATE_FLAGS, LIMIT_FLAGS, limitArgs, runOptions } from './run-flags';
import { foreignRunFlags } from './foreign-run-flags';
import { proxySignals, SIG_PROXY, sigProxy } from './signal-proxy';
import { INFO } from './info-command';
import { claimCidFile, type CidFile } from './cidfile';
import { checkTerminal, execAttached, pumpTerminal } from './exec';
import { STATS } from './stats';
import { INSPECT } from './inspect-command';
import { PS } from './ps-command';
import { HISTORY, IMAGE, IMAGES, RMI } from './image-commands';
import { ATTACH, EXPORT, PAUSE, RENAME, UNPAUSE } from './container-commands';
import { parseTimeArg } from './time-arg';
import { VOLUME } from './volume-commands';
import { PULL, PULL_FLAGS, PUSH, PullFailed, TAG, withPull } from './pull-commands';
import { DETACH_KEYS, parseDetachKeys } from './detach-keys';


/**
 * run's and create's own options, read before anything is made. Whatever is
 * wrong with them (a missing --env-file or --label-file, a bad --health-interval,
 * -l =x) exits 125 as Docker's run and create do, never 2 or 1: a code a
 * container could have given would make a script think it ran.
 */
function setupOptions(p: Parsed): RunOptions;
function setupOptions<T>(p: Parsed, read: (p: Parsed) => T): T;
function setupOptions(p: Parsed, read: (p: Parsed) => unknown = runOptions): unknown {
  try {
    return read(p);
  } catch (e) {
    throw e instanceof FlagError || !(e instanceof Error) ? e : new FlagError(e.message);
  }
}

/**
 * `docker run`'s exit code for a container that could not be created or
 * started (its CLI's toStatusError): 127 for a program not found, 126 for one
 * it may not execute (a directory, no x bit), 125 for any other failure. The
 * shim's strerror says "Permission denied" for a program path, its PATH search "permission denied".
 */
export function runFailureCode(message: string): number {
  return /executable file not found|no such file|not a directory/i.test(message) ? 127 : /permission denied|is a directory/i.test(message) ? 126 : 125;
}

/**
 * `streams`: run -a's (stdout, stderr): only those are printed (absent: both), with or without -i/-t.
 * `startFailed`: the exit code for a start the helper refused (run's and start -a's differ, as Docker's do).
 */
async function runAttached(ctx: Ctx, c: HelperClient, id: string, term?: { tty: boolean; interactive: boolean; detachKeys?: number[] }, proxy = true, streams?: Set<string>, startFailed: (message: string) => number = runFailureCode): Promise<number> {
  if (term && (term.tty || term.interactive)) {
    const sock = await openStream(ctx.socket, { kind: 'attach', id });
    // the end of the run this start begins (an exited container's last one is not it)
    const waited = c.request('container.wait', { id, next: true });
    waited.catch(() => undefined);
    try { await c.request('container.start', { id }); } catch (e) { sock.destroy(); process.stderr.write(`nscope: ${(e as Error).message}\n`); return startFailed((e as Error).message); }
    const pumped = await pumpTerminal(sock, { ...term, streams, resize: (rows, cols) => { void c.request('container.resize', { id, rows, cols }).catch(() => undefined); } });
    if (pumped.detached) return 0;
    const exit = await waited;
    if (exit.error) process.stderr.write(`nscope: ${exit.error}\n`);
    return exit.exitCode;
  }
  // from now on (a container with --log-driver none keeps nothing, yet its output is shown)
  const stream = await openStream(ctx.socket, { kind: 'logs', id, follow: true, live: true });
  const waited = c.request('container.wait', { id, next: true });
  waited.catch(() => undefined);
  const unproxy = proxy ? proxySignals(c, id) : () => undefined;
  const printed = printLogStream(stream, streams ? { write: (text, which) => { if (streams.has(which)) (which === 'stderr' ? process.stderr : process.stdout).write(text); } } : {});
  try {
    await c.request('container.start', { id });
  } catch (e) {
    // nothing will come: let go of the stream and the signals so the process can end
    stream.destroy();
    unproxy();
    process.stderr.write(`nscope: ${(e as Error).message}\n`);
    return startFailed((e as Error).message);
  }
  const exit = await waited;
  await printed;
  if (exit.error) process.stderr.write(`nscope: ${exit.error}\n`);
  return exit.exitCode;
}

const EXEC_FLAGS: Flag[] = [
  { name: 'interactive', short: 'i', help: 'Keep STDIN open (attach it)' },
  { name: 'tty', short: 't', help: 'Allocate a pseudo-TTY' },
  { name: 'user', short: 'u', takesValue: true, help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'workdir', short: 'w', takesValue: true, help: 'Working directory inside the container' },
  { name: 'env', short: 'e', takesValue: true, repeat: true, help: 'Set an environment variable (KEY=VALUE, or KEY alone for its value here)' },
  { name: 'env-file', takesValue: true, repeat: true, help: 'Read in a file of environment variables (KEY=VALUE lines, KEY alone for its value here, # comments)' },
  { name: 'detach', short: 'd', help: 'Detached mode: run the command in the background (its output is discarded)' },
  { name: 'privileged', help: "Give extended privileges to the command: every capability (the container's seccomp filter still applies)" },
  DETACH_KEYS,
];

// Docker 28's names (--time is the older one, still taken)
const STOP_FLAGS: Flag[] = [
  { name: 'signal', short: 's', takesValue: true, help: "Signal to send to the container (default: its stop signal, SIGTERM unless --stop-signal set another)" },
  { name: 'timeout', short: 't', aliases: ['time'], takesValue: true, value: 'int', help: "Seconds to wait before killing the container (default: its --stop-timeout, else 10; -1 waits however long)" },
];

/** stop/restart's params from -s and -t. */
function stopParams(p: Parsed): { timeout?: number; signal?: string } {
  const t = str(p, 'timeout');
  if (t !== undefined && !/^-?\d+$/.test(t.trim())) throw new FlagError(`invalid argument "${t}" for "-t, --timeout" flag: not a whole number of seconds`);
  const timeout = t === undefined ? undefined : Number(t);
  if (timeout !== undefined && timeout < -1) throw new UsageError(`--timeout: ${t}: -1 (wait however long) is the least`);
  return { timeout, signal: str(p, 'signal') };
}


export const COMMANDS: Record<string, Command> = {
  build: buildCommand,
  cp: cpCommand,
  exec: {
    summary: 'Execute a command in a running container', group: 'Containers',
    flags: EXEC_FLAGS, stop: true, min: 2, usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
    async run(p, ctx) {
      const [id, ...cmd] = p.positionals;
      const env = envFromFlags(list(p, 'env-file'), list(p, 'env'));
      if (bool(p, 'detach') && (bool(p, 'tty') || bool(p, 'interactive'))) throw new UsageError('exec -d: -i and -t need a client attached; leave them out');
      const c = await ctx.client();
      try {
        if (bool(p, 'detach')) {
          // as Docker: nothing printed, exit 0 once the process runs
          const sock = await openStream(ctx.socket, { kind: 'exec', id, cmd, user: str(p, 'user'), workdir: str(p, 'workdir'), env, privileged: bool(p, 'privileged'), detach: true });
          sock.destroy();
          return 0;
        }
        return await execAttached(ctx.socket, c, { id, cmd, tty: bool(p, 'tty'), interactive: bool(p, 'interactive'), user: str(p, 'user'), workdir: str(p, 'workdir'), env, privileged: bool(p, 'privileged') }, parseDetachKeys(str(p, 'detach-keys')));
      } catch (e) {
        process.stderr.write(`nscope: ${(e as Error).message}\n`);
        const msg = (e as Error).message;
        // detached, Docker's CLI has no process's code to give: any failure to start it is its plain error, 1
        if (bool(p, 'detach')) return 1;
        // a working directory that is not there is the runtime's failure (Docker's 126), not a program not found
        return /chdir to cwd/.test(msg) ? 126 : /executable file not found|no such file/i.test(msg) ? 127 : /not running|is paused|No such container/.test(msg) ? 1 : 126;
      }
    },
  },
  ns: {
    summary: 'List the namespaces on the host, with their processes and containers (like lsns)', group: 'Helper',
    flags: [FORMAT, { name: 'type', takesValue: true, help: 'Only namespaces of this type: mnt, pid, net, ipc, uts, user, cgroup, time' }], usage: 'ns [OPTIONS]',
    async run(p, ctx) {
      const list = await (await ctx.client()).request('namespace.list', { type: str(p, 'type') as NsType | undefined });
      if (wantsJson(p)) json(list);
      else process.stdout.write(table(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'CONTAINER', 'COMMAND'], list.map((n) => [
        String(n.inode), n.type, String(n.processes.length), String(n.processes[0]?.pid ?? ''), String(n.processes[0]?.uid ?? ''),
        n.container ? n.container.name : n.host ? '(host)' : '', (n.processes[0]?.command ?? '').slice(0, 60)])));
      return 0;
    },
  },
  run: {
    summary: 'Create and run a new container from an image', group: 'Containers',
    flags: [...CREATE_FLAGS, ...PULL_FLAGS, { name: 'detach', short: 'd', help: 'Run the container in the background and print its ID' }, SIG_PROXY, DETACH_KEYS], stop: true, min: 1, usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
    async run(p, ctx) {
      const c = await ctx.client();
      const opts = setupOptions(p);
      const streams = setupOptions(p, attachStreams);
      if (streams && bool(p, 'detach')) throw new FlagError('Conflicting options: -a and -d');
      const detachKeys = setupOptions(p, (q) => parseDetachKeys(str(q, 'detach-keys')));
      for (const w of foreignRunFlags(p)) process.stderr.write(`WARNING: ${w}\n`);
      // Docker's CLI checks the terminal before it makes anything, and exits 1 (not 125)
      if (!bool(p, 'detach')) checkTerminal(opts);
      let created;
      let cid: CidFile | undefined;
      try {
        cid = claimCidFile(str(p, 'cidfile'));
        created = await withPull(ctx, p, opts.image, () => c.request('container.create', opts));
        cid.write(created.id);
        // what the helper discarded, in Docker's words
        for (const w of created.warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
      } catch (e) {
        cid?.drop();
        if (e instanceof PullFailed) return 125;
        process.stderr.write(`nscope: ${(e as Error).message}\n`);
        return runFailureCode((e as Error).message);
      }
      if (bool(p, 'detach')) {
        // as Docker's CLI: the ID is printed before the start; a start that fails (a port taken: 125,
        // a program not found: 127) leaves the container, created, for inspect and logs (--rm: gone)
        process.stdout.write(created.id + '\n');
        try { await c.request('container.start', { id: created.id }); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); return runFailureCode((e as Error).message); }
        return 0;
      }
      // -i always passes this terminal's stdin, whatever -a names: Docker's CLI adds stdin to
      // the attached streams for -i (`-i -a stdout` feeds `cat` and shows only its stdout)
      const interactive = !!opts.interactive;
      return runAttached(ctx, c, created.id, { tty: !!opts.tty, interactive, detachKeys }, sigProxy(p), streams);
    },
  },
  create: {
    summary: 'Create a new container (started by nscope start)', group: 'Containers',
    flags: [...CREATE_FLAGS, ...PULL_FLAGS], stop: true, min: 1, usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
    async run(p, ctx) {
      const opts = setupOptions(p);
      setupOptions(p, attachStreams);
      for (const w of foreignRunFlags(p)) process.stderr.write(`WARNING: ${w}\n`);
      const c = await ctx.client();
      let r;
      let cid: CidFile | undefined;
      try {
        cid = claimCidFile(str(p, 'cidfile'));
        r = await withPull(ctx, p, opts.image, () => c.request('container.create', opts));
        cid.write(r.id);
        for (const w of r.warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
      } catch (e) {
        cid?.drop();
        if (e instanceof PullFailed) return 125;
        throw e;
      }
      process.stdout.write(r.id + '\n');
      return 0;
    },
  },
  start: {
    summary: 'Start one or more created or stopped containers', group: 'Containers',
    flags: [
      { name: 'attach', short: 'a', help: "Attach STDOUT/STDERR (its console, if created with -t) and exit with the container's code" },
      { name: 'interactive', short: 'i', help: "Attach the container's STDIN (if created with -i), and its output" },
      DETACH_KEYS, SIG_PROXY,
    ], min: 1, usage: 'start [OPTIONS] CONTAINER...',
    async run(p, ctx) {
      // Docker's start -a / -i: one container, attached as run attaches it (its console if it has one)
      if (bool(p, 'attach') || bool(p, 'interactive')) {
        if (p.positionals.length !== 1) throw new UsageError('you cannot start and attach multiple containers at once');
        const c = await ctx.client();
        const d = await c.request('container.inspect', { id: p.positionals[0] });
        // already running: Docker's start is a no-op then, and -a/-i attach to it
        if (d.status === 'running') return ATTACH.run({ flags: { 'no-stdin': !bool(p, 'interactive'), 'detach-keys': p.flags['detach-keys'] ?? '' }, positionals: [d.id] }, ctx);
        const term = { tty: !!d.tty, interactive: bool(p, 'interactive') && !!d.interactive, detachKeys: parseDetachKeys(str(p, 'detach-keys')) };
        checkTerminal(term);
        // Docker's start -a: a start that fails is its plain error, 1
        return runAttached(ctx, c, d.id, term, sigProxy(p), undefined, () => 1);
      }
      return eachId(p, ctx, async (c, id) => { await c.request('container.start', { id }); process.stdout.write(id + '\n'); });
    },
  },
  stop: {
    summary: 'Stop one or more running containers (the stop signal, then SIGKILL)', group: 'Containers',
    flags: STOP_FLAGS, min: 1, usage: 'stop [OPTIONS] CONTAINER...',
    run: (p, ctx) => {
      const how = stopParams(p);
      return eachId(p, ctx, async (c, id) => { await c.request('container.stop', { id, ...how }); process.stdout.write(id + '\n'); });
    },
  },
  restart: {
    summary: 'Restart one or more containers', group: 'Containers',
    flags: STOP_FLAGS, min: 1, usage: 'restart [OPTIONS] CONTAINER...',
    run: (p, ctx) => {
      const how = stopParams(p);
      return eachId(p, ctx, async (c, id) => {
        await c.request('container.stop', { id, ...how });
        await c.request('container.start', { id });
        process.stdout.write(id + '\n');
      });
    },
  },
  kill: {
    summary: 'Kill one or more running containers', group: 'Containers',
    flags: [{ name: 'signal', short: 's', takesValue: true, help: 'Signal to send, by name or number (default KILL)' }], min: 1, usage: 'kill [OPTIONS] CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.kill', { id, signal: str(p, 'signal') ?? 'SIGKILL' }); process.stdout.write(id + '\n'); }),
  },
  rm: {
    summary: 'Remove one or more containers', group: 'Containers',
    flags: [{ name: 'force', short: 'f', help: 'Force the removal of a running container (uses SIGKILL)' }, { name: 'volumes', short: 'v', help: 'Remove the anonymous volumes of the container too' }], min: 1, usage: 'rm [OPTIONS] CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => {
      try {
        await c.request('container.remove', { id, force: bool(p, 'force'), volumes: bool(p, 'volumes') });
      } catch (e) {
        // as Docker's rm -f: a container that is not there is said, but is no failure (`rm -f x` in a cleanup under `set -e`)
        if (bool(p, 'force') && e instanceof HelperError && e.kind === 'not_found') { process.stderr.write(`nscope: ${e.message}\n`); return; }
        throw e;
      }
      process.stdout.write(id + '\n');
    }),
  },
  wait: {
    summary: 'Block until one or more containers stop, then print their exit codes', group: 'Containers',
    flags: [], min: 1, usage: 'wait CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { const r = await c.request('container.wait', { id }); process.stdout.write(`${r.exitCode}\n`); }),
  },
  ps: PS,
  inspect: INSPECT,
  logs: {
    summary: 'Fetch the logs of a container', group: 'Containers',
    flags: [
      { name: 'follow', short: 'f', help: 'Follow log output (until the container exits)' },
      { name: 'tail', short: 'n', takesValue: true, help: 'Number of lines to show from the end of the logs (default "all")' },
      { name: 'timestamps', short: 't', help: 'Show timestamps' },
      { name: 'details', help: 'Show extra details provided to logs: the attributes of --log-opt labels, env and tag, before each line' },
      { name: 'since', takesValue: true, value: 'string', help: 'Show logs since a time: RFC 3339 (2024-05-01T10:00:00Z), Unix seconds, or relative (42m for 42 minutes)' },
      { name: 'until', takesValue: true, value: 'string', help: 'Show logs before a time: RFC 3339, Unix seconds, or relative (42m for 42 minutes)' },
    ], min: 1, usage: 'logs [OPTIONS] CONTAINER',
    async run(p, ctx) {
      const given = str(p, 'tail');
      if (given !== undefined && given !== 'all' && !/^-?\d+$/.test(given)) throw new UsageError(`--tail: "${given}" is not a number`);
      // as Docker's daemon: a negative count (--tail -1) is every line, as "all" is
      const t = given !== undefined && given.startsWith('-') ? 'all' : given;
      const since = str(p, 'since') === undefined ? undefined : parseTimeArg(str(p, 'since')!, 'since');
      const until = str(p, 'until') === undefined ? undefined : parseTimeArg(str(p, 'until')!, 'until');
      const c = await ctx.client();
      const { id } = await c.request('container.inspect', { id: p.positionals[0] });
      const { sock: s, result } = await openStreamWithResult(ctx.socket, { kind: 'logs', id, follow: bool(p, 'follow'), tail: t === undefined || t === 'all' ? undefined : Number(t), details: bool(p, 'details') || undefined });
      // following up to a time: the stream ends then, as docker logs -f --until does
      const stopAt = bool(p, 'follow') && until !== undefined ? setTimeout(() => s.destroy(), Math.max(0, until - Date.now())) : undefined;
      await printLogStream(s, { timestamps: bool(p, 'timestamps'), details: result.attrs ? formatAttrs(result.attrs) : undefined, since, until });
      clearTimeout(stopAt);
      return 0;
    },
  },
  update: {
    summary: "Update the resource limits of one or more containers, live", group: 'Containers',
    flags: [
      ...LIMIT_FLAGS,
      { name: 'blkio-weight', takesValue: true, value: 'uint16', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
      { name: 'restart', takesValue: true, help: 'Restart policy to apply when a container exits: no, on-failure[:max-retries], always, unless-stopped' },
    ], min: 1, usage: 'update [OPTIONS] CONTAINER...',
    run: (p, ctx) => {
      const w = str(p, 'blkio-weight');
      if (w !== undefined && !/^\d+$/.test(w.trim())) throw new FlagError(`invalid argument "${w}" for "--blkio-weight" flag: not a number from 0 to 1000`);
      // a value of the wrong form is refused (125) before any container is changed
      const limits = limitArgs(p);
      return eachId(p, ctx, async (c, id) => {
        const r = await c.request('container.update', { id, ...limits, restart: str(p, 'restart'), ...(w === undefined ? {} : { blkioWeight: Number(w) }) });
        for (const warning of r.warnings ?? []) process.stderr.write(`WARNING: ${warning}\n`);
        process.stdout.write(id + '\n');
      });
    },
  },
  top: {
    summary: 'Display the running processes of a container', group: 'Containers',
    // as Docker's: what follows CONTAINER is ps's (`top web -o pid,comm`); --format json (before it) gives nscope's own list
    flags: [FORMAT], stop: true, min: 1, usage: 'top [OPTIONS] CONTAINER [ps OPTIONS]',
    async run(p, ctx) {
      const [id, ...rest] = p.positionals;
      // `top web --format json` (the flag after the name, as nscope took it before): not a ps field list ps could read
      const jsonAfter = rest.join('=') === '--format=json';
      const args = jsonAfter ? [] : rest;
      const c = await ctx.client();
      if (wantsJson(p) || jsonAfter) {
        if (args.length) throw new UsageError('top: --format json lists the processes itself; ps options do not apply');
        json(await c.request('container.top', { id }));
        return 0;
      }
      const t = await c.request('container.ps', { id, ...(args.length ? { args } : {}) });
      process.stdout.write(psText(t.titles, t.processes));
      return 0;
    },
  },
  stats: STATS,
  pull: PULL,
  push: PUSH,
  tag: TAG,
  images: IMAGES,
  image: IMAGE,
  rmi: RMI,
  history: HISTORY,
  pause: PAUSE,
  unpause: UNPAUSE,
  rename: RENAME,
  attach: ATTACH,
  export: EXPORT,
  info: INFO,
  volume: VOLUME,
  login: LOGIN,
  logout: LOGOUT,
};

export { parseArgs, list };
export type { Ctx };
