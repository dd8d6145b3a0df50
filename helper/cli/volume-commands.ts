// `nscope volume create|ls|inspect|rm|prune`, as `docker volume` has them.
import type { VolumeSummary } from '../protocol/types/volumes';
import { bool, list, UsageError, type Parsed } from './args';
import { FORMAT, json, wantsJson, type Command, type Ctx } from './command';
import { humanSize, table } from './format';
import { promptLine } from './prompt';

function labelsOf(p: Parsed): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const l of list(p, 'label') ?? []) {
    const i = l.indexOf('=');
    out[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  return Object.keys(out).length ? out : undefined;
}

async function listVolumes(p: Parsed, ctx: Ctx): Promise<number> {
  const vols: VolumeSummary[] = await (await ctx.client()).request('volume.list', { size: bool(p, 'size') });
  if (wantsJson(p)) json(vols);
  else if (bool(p, 'quiet')) process.stdout.write(vols.map((v) => v.name + '\n').join(''));
  else {
    const head = ['DRIVER', 'VOLUME NAME', 'USERS', ...(bool(p, 'size') ? ['SIZE'] : [])];
    process.stdout.write(table(head, vols.map((v) => [v.driver, v.name, v.users.join(',') || '-', ...(bool(p, 'size') ? [humanSize(v.size ?? 0)] : [])])));
  }
  return 0;
}

export const VOLUME: Command = {
  summary: 'Manage volumes', group: 'Containers',
  flags: [
    FORMAT,
    { name: 'quiet', short: 'q', help: 'ls: only show volume names' },
    { name: 'size', short: 's', help: 'ls: show each volume\'s size' },
    { name: 'label', takesValue: true, repeat: true, help: 'create: set metadata on the volume (KEY=VALUE)' },
    { name: 'force', short: 'f', help: 'rm: no error for a volume that does not exist; prune: do not ask' },
    { name: 'all', short: 'a', help: 'prune: every unused volume, not only anonymous ones' },
  ],
  min: 1, usage: 'volume COMMAND [OPTIONS]',
  subcommands: [
    ['create [--label K=V] [NAME]', 'Create a volume (a random name when none is given)'],
    ['ls [-q] [-s]', 'List volumes, with the containers that use them'],
    ['inspect VOLUME...', 'Show volumes in detail, as JSON'],
    ['rm [-f] VOLUME...', 'Remove volumes no container uses'],
    ['prune [-f] [-a]', 'Remove the anonymous volumes no container uses (-a: every unused volume)'],
  ],
  async run(p, ctx) {
    const [sub, ...rest] = p.positionals;
    switch (sub) {
      case 'create': {
        if (rest.length > 1) throw new UsageError('usage: nscope volume create [--label K=V] [NAME]');
        const v = await (await ctx.client()).request('volume.create', { name: rest[0], labels: labelsOf(p) });
        process.stdout.write(v.name + '\n');
        return 0;
      }
      case 'ls': case 'list': return listVolumes(p, ctx);
      case 'inspect': {
        if (!rest.length) throw new UsageError('usage: nscope volume inspect VOLUME...');
        const c = await ctx.client();
        const out = [];
        let rc = 0;
        for (const name of rest) {
          try { out.push(await c.request('volume.inspect', { name })); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
        }
        json(out);
        return rc;
      }
      case 'rm': case 'remove': {
        if (!rest.length) throw new UsageError('usage: nscope volume rm [-f] VOLUME...');
        const c = await ctx.client();
        let rc = 0;
        for (const name of rest) {
          try { await c.request('volume.remove', { name, force: bool(p, 'force') }); process.stdout.write(name + '\n'); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
        }
        return rc;
      }
      case 'prune': {
        if (rest.length) throw new UsageError('usage: nscope volume prune [-f] [-a]');
        if (!bool(p, 'force')) {
          const what = bool(p, 'all') ? 'all volumes not used by at least one container' : 'all anonymous volumes not used by at least one container';
          const answer = await promptLine(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `, { echo: true });
          if (!/^y(es)?$/i.test(answer.trim())) return 0;
        }
        const r = await (await ctx.client()).request('volume.prune', { all: bool(p, 'all') });
        if (wantsJson(p)) json(r);
        else process.stdout.write(`${r.removed.length ? `Deleted Volumes:\n${r.removed.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
        return 0;
      }
      default: throw new UsageError(`unknown volume command "${sub}" (create, ls, inspect, rm, prune)`);
    }
  },
};
