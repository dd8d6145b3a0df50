// `nscope` commands that talk to the helper (everything but `daemon`).
import * as path from 'path';
import { HelperClient, openStream } from '../protocol/client';
import type { ContainerSummary, ImageSummaryInfo, NsType } from '../protocol';
import { bool, list, parseArgs, str, UsageError, type FlagSpec, type Parsed } from './args';
import { eachId, FORMAT, json, wantsJson, type Command, type Ctx } from './command';
import { ago, humanSize, shortId, table } from './format';
import { formatBytes } from '../protocol/format';
import { printLogStream } from './logstream';
import { CREATE_FLAGS, LIMIT_FLAGS, limitArgs, runOptions } from './run-flags';
import { checkTerminal, execAttached, pumpTerminal } from './exec';
import { imageExport, imageLayers } from './commit-commands';

function statusText(c: ContainerSummary): string {
  if (c.status === 'running') return `Up ${ago(c.startedAt)}`;
  if (c.status === 'created') return 'Created';
  return `Exited (${c.exitCode ?? '?'})${c.oomKilled ? ' OOMKilled' : ''} ${ago(c.finishedAt)} ago`;
}

async function runAttached(ctx: Ctx, c: HelperClient, id: string, term?: { tty: boolean; interactive: boolean }): Promise<number> {
  if (term && (term.tty || term.interactive)) {
    const sock = await openStream(ctx.socket, { kind: 'attach', id });
    const waited = c.request('container.wait', { id });
    waited.catch(() => undefined);
    await c.request('container.start', { id });
    await pumpTerminal(sock, { ...term, resize: (rows, cols) => { void c.request('container.resize', { id, rows, cols }).catch(() => undefined); } });
    const exit = await waited;
    if (exit.error) process.stderr.write(`nscope: ${exit.error}\n`);
    return exit.exitCode;
  }
  const stream = await openStream(ctx.socket, { kind: 'logs', id, follow: true });
  const waited = c.request('container.wait', { id });
  waited.catch(() => undefined);
  const forward = (sig: NodeJS.Signals) => { void c.request('container.kill', { id, signal: sig }).catch(() => undefined); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const printed = printLogStream(stream);
  await c.request('container.start', { id });
  const exit = await waited;
  await printed;
  if (exit.error) process.stderr.write(`nscope: ${exit.error}\n`);
  return exit.exitCode;
}

const EXEC_FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i' }, { name: 'tty', short: 't' }, { name: 'user', short: 'u', takesValue: true },
  { name: 'workdir', short: 'w', takesValue: true }, { name: 'env', short: 'e', takesValue: true, repeat: true },
  { name: 'detach', short: 'd' },
];

export const COMMANDS: Record<string, Command> = {
  exec: {
    flags: EXEC_FLAGS, stop: true, min: 2, usage: 'exec [-i] [-t] [-u USER[:GROUP]] [-w DIR] [-e K=V] CONTAINER COMMAND [ARG...]',
    async run(p, ctx) {
      const [id, ...cmd] = p.positionals;
      const c = await ctx.client();
      try {
        return await execAttached(ctx.socket, c, { id, cmd, tty: bool(p, 'tty'), interactive: bool(p, 'interactive'), user: str(p, 'user'), workdir: str(p, 'workdir'), env: list(p, 'env') });
      } catch (e) {
        process.stderr.write(`nscope: ${(e as Error).message}\n`);
        return /executable file not found|no such file/i.test((e as Error).message) ? 127 : /not running|No such container/.test((e as Error).message) ? 1 : 126;
      }
    },
  },
  ns: {
    flags: [FORMAT, { name: 'type', takesValue: true }], usage: 'ns [--type TYPE] [--format json]',
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
    flags: [...CREATE_FLAGS, { name: 'detach', short: 'd' }], stop: true, min: 1, usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
    async run(p, ctx) {
      const c = await ctx.client();
      const opts = runOptions(p);
      let created;
      try {
        if (!bool(p, 'detach')) checkTerminal(opts);
        created = await c.request('container.create', opts);
      } catch (e) {
        process.stderr.write(`nscope: ${(e as Error).message}\n`);
        return /executable file not found|no such file/i.test((e as Error).message) ? 127 : /permission denied/.test((e as Error).message) ? 126 : 125;
      }
      if (bool(p, 'detach')) {
        await c.request('container.start', { id: created.id });
        process.stdout.write(created.id + '\n');
        return 0;
      }
      return runAttached(ctx, c, created.id, { tty: !!opts.tty, interactive: !!opts.interactive });
    },
  },
  create: {
    flags: CREATE_FLAGS, stop: true, min: 1, usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
    async run(p, ctx) {
      const r = await (await ctx.client()).request('container.create', runOptions(p));
      process.stdout.write(r.id + '\n');
      return 0;
    },
  },
  start: {
    flags: [{ name: 'attach', short: 'a' }], min: 1, usage: 'start [-a] CONTAINER...',
    async run(p, ctx) {
      if (bool(p, 'attach')) {
        if (p.positionals.length !== 1) throw new UsageError('start -a takes one container');
        const c = await ctx.client();
        const { id } = await c.request('container.inspect', { id: p.positionals[0] });
        return runAttached(ctx, c, id);
      }
      return eachId(p, ctx, async (c, id) => { await c.request('container.start', { id }); process.stdout.write(id + '\n'); });
    },
  },
  stop: {
    flags: [{ name: 'time', short: 't', takesValue: true }], min: 1, usage: 'stop [-t SECONDS] CONTAINER...',
    run: (p, ctx) => {
      const t = str(p, 'time');
      if (t !== undefined && !/^\d+$/.test(t)) throw new UsageError(`--time: "${t}" is not a number of seconds`);
      return eachId(p, ctx, async (c, id) => { await c.request('container.stop', { id, timeout: t === undefined ? undefined : Number(t) }); process.stdout.write(id + '\n'); });
    },
  },
  restart: {
    flags: [{ name: 'time', short: 't', takesValue: true }], min: 1, usage: 'restart [-t SECONDS] CONTAINER...',
    run: (p, ctx) => {
      const t = str(p, 'time');
      if (t !== undefined && !/^\d+$/.test(t)) throw new UsageError(`--time: "${t}" is not a number of seconds`);
      return eachId(p, ctx, async (c, id) => {
        await c.request('container.stop', { id, timeout: t === undefined ? undefined : Number(t) });
        await c.request('container.start', { id });
        process.stdout.write(id + '\n');
      });
    },
  },
  kill: {
    flags: [{ name: 'signal', short: 's', takesValue: true }], min: 1, usage: 'kill [-s SIGNAL] CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.kill', { id, signal: str(p, 'signal') ?? 'SIGKILL' }); process.stdout.write(id + '\n'); }),
  },
  rm: {
    flags: [{ name: 'force', short: 'f' }], min: 1, usage: 'rm [-f] CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.remove', { id, force: bool(p, 'force') }); process.stdout.write(id + '\n'); }),
  },
  wait: {
    flags: [], min: 1, usage: 'wait CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { const r = await c.request('container.wait', { id }); process.stdout.write(`${r.exitCode}\n`); }),
  },
  ps: {
    flags: [{ name: 'all', short: 'a' }, { name: 'quiet', short: 'q' }, FORMAT], usage: 'ps [-a] [-q] [--format json]',
    async run(p, ctx) {
      const list = await (await ctx.client()).request('container.list', { all: bool(p, 'all') });
      if (wantsJson(p)) json(list);
      else if (bool(p, 'quiet')) process.stdout.write(list.map((c) => shortId(c.id) + '\n').join(''));
      else process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'],
        list.map((c) => [shortId(c.id), c.image, JSON.stringify(c.command.join(' ').slice(0, 20)), `${ago(c.created)} ago`, statusText(c), c.name])));
      return 0;
    },
  },
  inspect: {
    flags: [FORMAT], min: 1, usage: 'inspect CONTAINER|IMAGE...',
    async run(p, ctx) {
      const c = await ctx.client();
      const out: unknown[] = [];
      let rc = 0;
      for (const ref of p.positionals) {
        try { out.push(await c.request('container.inspect', { id: ref })); } catch (e) {
          try { out.push(await c.request('image.inspect', { ref })); } catch { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
        }
      }
      json(out);
      return rc;
    },
  },
  logs: {
    flags: [{ name: 'follow', short: 'f' }, { name: 'tail', short: 'n', takesValue: true }, { name: 'timestamps', short: 't' }], min: 1, usage: 'logs [-f] [--tail N] CONTAINER',
    async run(p, ctx) {
      const t = str(p, 'tail');
      if (t !== undefined && t !== 'all' && !/^\d+$/.test(t)) throw new UsageError(`--tail: "${t}" is not a number`);
      const c = await ctx.client();
      const { id } = await c.request('container.inspect', { id: p.positionals[0] });
      const s = await openStream(ctx.socket, { kind: 'logs', id, follow: bool(p, 'follow'), tail: t === undefined || t === 'all' ? undefined : Number(t) });
      await printLogStream(s, { timestamps: bool(p, 'timestamps') });
      return 0;
    },
  },
  update: {
    flags: LIMIT_FLAGS, min: 1, usage: 'update [--memory 64m] [--cpus 0.5] [--pids-limit N] [--cpuset-cpus 0] CONTAINER...',
    run: (p, ctx) => eachId(p, ctx, async (c, id) => { await c.request('container.update', { id, ...limitArgs(p) }); process.stdout.write(id + '\n'); }),
  },
  top: {
    flags: [FORMAT], min: 1, usage: 'top CONTAINER [--format json]',
    async run(p, ctx) {
      const procs = await (await ctx.client()).request('container.top', { id: p.positionals[0] });
      if (wantsJson(p)) json(procs);
      else process.stdout.write(table(['PID', 'CONTAINER PID', 'PPID', 'UID', 'STATE', 'CMD'],
        procs.map((x) => [String(x.pid), String(x.nsPid ?? '-'), String(x.ppid), String(x.uid), x.state.split(' ')[0], x.command])));
      return 0;
    },
  },
  stats: {
    flags: [FORMAT], min: 1, usage: 'stats CONTAINER [--format json]',
    async run(p, ctx) {
      const c = await ctx.client();
      const rows: string[][] = [];
      const all: unknown[] = [];
      for (const id of p.positionals) {
        const s = await c.request('container.stats', { id });
        all.push({ id, ...s });
        rows.push([id, `${formatBytes(s.memoryUsage)} / ${s.memoryLimit === null ? 'unlimited' : formatBytes(s.memoryLimit)}`,
          `${(s.cpuUsageNs / 1e9).toFixed(2)}s`, `${s.pidsCurrent}${s.pidsLimit === null ? '' : ' / ' + s.pidsLimit}`, String(s.oomKills)]);
      }
      if (wantsJson(p)) json(all);
      else process.stdout.write(table(['CONTAINER', 'MEM USAGE / LIMIT', 'CPU TIME', 'PIDS', 'OOM KILLS'], rows));
      return 0;
    },
  },
  images: { flags: [FORMAT, { name: 'quiet', short: 'q' }], usage: 'images [-q] [--format json]', run: (p, ctx) => listImages(p, ctx) },
  image: {
    flags: [FORMAT, { name: 'quiet', short: 'q' }, { name: 'name', takesValue: true }, { name: 'force', short: 'f' }, { name: 'changes', takesValue: true }], min: 1, stop: false,
    usage: 'image ls | import [--name NAME] FILE | host NAME [PROGRAM...] | rm [-f] IMAGE... | inspect IMAGE... | layers IMAGE [--changes LAYER] | export IMAGE FILE|-',
    async run(p, ctx) {
      const [sub, ...rest] = p.positionals;
      const c = () => ctx.client();
      switch (sub) {
        case 'ls': case 'list': return listImages(p, ctx);
        case 'import': {
          if (rest.length !== 1) throw new UsageError('usage: nscope image import [--name NAME] FILE');
          const r = await (await c()).request('image.import', { file: path.resolve(rest[0]), name: str(p, 'name') });
          for (const i of r) process.stdout.write(`Loaded image: ${i.name} (${shortId(i.id)})\n`);
          return 0;
        }
        case 'host': {
          if (rest.length < 1) throw new UsageError('usage: nscope image host NAME [PROGRAM...]');
          const r = await (await c()).request('image.host', { name: rest[0], programs: rest.length > 1 ? rest.slice(1) : undefined });
          process.stdout.write(`Built image: ${r.name} (${shortId(r.id)}, ${humanSize(r.size)})\n`);
          return 0;
        }
        case 'rm': case 'remove':
          if (!rest.length) throw new UsageError('usage: nscope image rm [-f] IMAGE...');
          return eachId({ ...p, positionals: rest }, ctx, async (cl, ref) => { await cl.request('image.remove', { ref, force: bool(p, 'force') }); process.stdout.write(`Deleted: ${ref}\n`); });
        case 'inspect': {
          if (!rest.length) throw new UsageError('usage: nscope image inspect IMAGE...');
          const cl = await c();
          const out = [];
          for (const ref of rest) out.push(await cl.request('image.inspect', { ref }));
          json(out);
          return 0;
        }
        case 'layers': return imageLayers(p, ctx, rest);
        case 'export': return imageExport(p, ctx, rest);
        default: throw new UsageError(`unknown image command "${sub}"`);
      }
    },
  },
  info: {
    flags: [FORMAT], usage: 'info',
    async run(p, ctx) {
      const i = await (await ctx.client()).request('system.info', {});
      if (wantsJson(p)) json(i);
      else process.stdout.write(`Helper version: ${i.version} (pid ${i.pid})\nSocket: ${i.socket}\nRoot: ${i.root}\nCgroup version: ${i.cgroupVersion}\nKernel: ${i.kernel}\nContainers: ${i.containers.total} (${i.containers.running} running)\nImages: ${i.images}\n`);
      return 0;
    },
  },
};

async function listImages(p: Parsed, ctx: Ctx): Promise<number> {
  const imgs: ImageSummaryInfo[] = await (await ctx.client()).request('image.list', {});
  if (wantsJson(p)) json(imgs);
  else if (bool(p, 'quiet')) process.stdout.write(imgs.map((i) => shortId(i.id) + '\n').join(''));
  else process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], imgs.map((i) => {
    const k = i.name.lastIndexOf(':');
    return [i.name.slice(0, k), i.name.slice(k + 1), shortId(i.id), i.created ? `${ago(i.created)} ago` : '', humanSize(i.size)];
  })));
  return 0;
}

export { parseArgs, list };
export type { Ctx };
