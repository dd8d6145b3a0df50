// `pause`, `unpause`, `rename`, `attach`, `export`, and Docker's `container`
// management command: `nscope container ls|rm|inspect|…`, each the top-level
// command of that name under the group's word.
import { once } from 'events';
import { openStream } from '../protocol/client';
import { ArchiveTargetError, receiveContainerExport, receiveToPath } from '../images/receive-export';
import { bool, str, UsageError } from './args';
import { eachId, type Command } from './command';
import { CONTAINER_INSPECT } from './inspect-command';
import { checkTerminal, pumpTerminal } from './exec';
import { printLogStream } from './logstream';
import { management } from './management';
import { CONTAINER_PRUNE } from './prune-commands';
import { DETACH_KEYS, parseDetachKeys } from './detach-keys';
import { proxySignals, SIG_PROXY, sigProxy } from './signal-proxy';

export const PAUSE: Command = {
  summary: 'Pause all processes within one or more containers (the cgroup freezer)', group: 'Containers',
  flags: [], min: 1, usage: 'pause CONTAINER...',
  run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.pause', { id }); process.stdout.write(id + '\n'); }),
};

export const UNPAUSE: Command = {
  summary: 'Unpause all processes within one or more containers', group: 'Containers',
  flags: [], min: 1, usage: 'unpause CONTAINER...',
  run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.unpause', { id }); process.stdout.write(id + '\n'); }),
};

export const RENAME: Command = {
  summary: 'Rename a container', group: 'Containers',
  flags: [], min: 2, usage: 'rename CONTAINER NEW_NAME',
  async run(p, ctx) {
    if (p.positionals.length !== 2) throw new UsageError('"nscope rename" requires exactly 2 arguments\nUsage: nscope rename CONTAINER NEW_NAME');
    const [id, name] = p.positionals;
    await (await ctx.client()).request('container.rename', { id, name });
    return 0;
  },
};

export const ATTACH: Command = {
  summary: "Attach this terminal to a running container's output (and its console or stdin, if created with -t or -i; Ctrl-P Ctrl-Q detaches from a console)", group: 'Containers',
  flags: [{ name: 'no-stdin', help: 'Do not attach STDIN' }, DETACH_KEYS, SIG_PROXY],
  min: 1, usage: 'attach [OPTIONS] CONTAINER',
  async run(p, ctx) {
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope attach [OPTIONS] CONTAINER');
    const c = await ctx.client();
    const d = await c.request('container.inspect', { id: p.positionals[0] });
    if (d.status !== 'running') throw new Error(`You cannot attach to a stopped container, start it first`);
    if (d.paused) throw new Error('You cannot attach to a paused container, unpause it first');
    const waited = c.request('container.wait', { id: d.id });
    waited.catch(() => undefined);
    if (d.tty || d.interactive) {
      // the console (or stdin) through the container's monitor, as run -it has it
      const interactive = !!d.interactive && !bool(p, 'no-stdin');
      checkTerminal({ tty: d.tty, interactive });
      const sock = await openStream(ctx.socket, { kind: 'attach', id: d.id });
      // the detach keys (Ctrl-P Ctrl-Q, or --detach-keys) let go of a console and leave the container running
      const pumped = await pumpTerminal(sock, { tty: !!d.tty, interactive, detachKeys: parseDetachKeys(str(p, 'detach-keys')), resize: (rows, cols) => { void c.request('container.resize', { id: d.id, rows, cols }).catch(() => undefined); } });
      if (pumped.detached) return 0;
    } else {
      // no stdin to give it: its output from now on, until it exits (the log is its stdout and stderr)
      const s = await openStream(ctx.socket, { kind: 'logs', id: d.id, follow: true, tail: 0 });
      // Ctrl-C (and TERM, HUP, …) go to the container, as docker attach passes them (--sig-proxy=false: they end nscope)
      const unproxy = sigProxy(p) ? proxySignals(c, d.id) : () => undefined;
      await printLogStream(s);
      unproxy();
    }
    const exit = await waited;
    return exit.exitCode;
  },
};

export const EXPORT: Command = {
  summary: "Export a container's filesystem as a tar archive (to stdout, or -o FILE)", group: 'Containers',
  flags: [{ name: 'output', short: 'o', takesValue: true, value: 'file', help: 'Write to a file, instead of STDOUT' }],
  min: 1, usage: 'export [OPTIONS] CONTAINER',
  async run(p, ctx) {
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope export [OPTIONS] CONTAINER');
    const file = str(p, 'output');
    if (!file && process.stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const c = await ctx.client();
    const d = await c.request('container.inspect', { id: p.positionals[0] });
    // its root filesystem alone, running or not: not what is mounted over it (/proc, /dev, volumes), as Docker exports it;
    // a file is written whole or not at all
    if (file) {
      try { await receiveToPath(file, (sink) => receiveContainerExport(ctx.socket, d.id, sink)); } catch (e) { throw e instanceof ArchiveTargetError ? new UsageError(e.message) : e; }
      return 0;
    }
    await receiveContainerExport(ctx.socket, d.id, { write: (b) => process.stdout.write(b), drain: () => once(process.stdout, 'drain').then(() => undefined) });
    return 0;
  },
};

/** `nscope container SUB`: the top-level commands under Docker's management word. */
export function containerCommand(top: Record<string, Command>): Command {
  const as = (name: string, sub = name) => ({ ...top[name], usage: top[name].usage.replace(new RegExp(`^${name}\\b`), `container ${sub}`) });
  const ls = as('ps', 'ls');
  const rm = as('rm');
  return management('container', 'Manage containers', 'Containers', {
    ls, list: ls, ps: ls,
    create: as('create'), run: as('run'), start: as('start'), stop: as('stop'), restart: as('restart'), kill: as('kill'),
    rm, remove: rm, wait: as('wait'), pause: as('pause'), unpause: as('unpause'), rename: as('rename'),
    inspect: CONTAINER_INSPECT, logs: as('logs'), top: as('top'), stats: as('stats'), update: as('update'), exec: as('exec'),
    attach: as('attach'), export: as('export'), cp: as('cp'), diff: as('diff'), commit: as('commit'), port: as('port'),
    prune: CONTAINER_PRUNE,
  });
}
