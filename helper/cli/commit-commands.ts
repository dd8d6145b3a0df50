// `nscope commit`, and the `image layers` / `image export` subcommands.
import type { ImageLayersResult, LayerChangeInfo } from '../protocol';
import { bool, list, str, UsageError, type Parsed } from './args';
import { json, wantsJson, FORMAT, type Command, type Ctx } from './command';
import { humanSize, shortId, table } from './format';
import { writeImageArchive } from './image-archive-commands';

export const COMMIT_COMMANDS: Record<string, Command> = {
  commit: {
    summary: "Create a new image from a container's changes", group: 'Images',
    flags: [
      { name: 'message', short: 'm', takesValue: true, help: 'Commit message' },
      { name: 'author', short: 'a', takesValue: true, help: 'Author (e.g. "Jane Doe <jane@example.com>")' },
      { name: 'change', short: 'c', takesValue: true, repeat: true, help: 'Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD)' },
      { name: 'pause', short: 'p', help: 'Freeze a running container while it is committed (the default)' },
      { name: 'no-pause', help: 'Do not freeze it: the layer is not a consistent snapshot' },
      FORMAT,
    ],
    min: 2,
    usage: 'commit [OPTIONS] CONTAINER NAME[:TAG]',
    async run(p, ctx) {
      if (p.positionals.length !== 2) throw new UsageError('usage: nscope commit [OPTIONS] CONTAINER NAME[:TAG]');
      if (bool(p, 'pause') && bool(p, 'no-pause')) throw new UsageError('--pause and --no-pause contradict each other');
      const [id, name] = p.positionals;
      const r = await (await ctx.client()).request('container.commit', {
        id, name, message: str(p, 'message'), author: str(p, 'author'), changes: list(p, 'change'), pause: !bool(p, 'no-pause'),
      });
      for (const w of r.warnings) process.stderr.write(`nscope: warning: ${w}\n`);
      if (wantsJson(p)) json(r);
      else process.stdout.write(`${r.id}\n`);
      return 0;
    },
  },
};

/** `nscope image layers IMAGE [--changes LAYER] [--format json]` */
export async function imageLayers(p: Parsed, ctx: Ctx, rest: string[]): Promise<number> {
  if (rest.length !== 1) throw new UsageError('usage: nscope image layers IMAGE [--changes LAYER] [--format json]');
  const c = await ctx.client();
  const layer = str(p, 'changes');
  if (layer !== undefined) {
    const all: LayerChangeInfo[] = [];
    let offset: number | undefined = 0;
    let res;
    while (offset !== undefined) {
      res = await c.request('image.layerChanges', { ref: rest[0], layer: /^-?\d+$/.test(layer) ? Number(layer) : layer, offset, limit: 10000 });
      all.push(...res.changes);
      offset = res.next;
    }
    if (wantsJson(p)) json({ ...res, offset: 0, changes: all, next: undefined });
    else process.stdout.write(all.map((x) => `${x.kind} ${x.path}${x.opaque ? '  (opaque)' : ''}\n`).join(''));
    return 0;
  }
  const r: ImageLayersResult = await c.request('image.layers', { ref: rest[0] });
  if (wantsJson(p)) { json(r); return 0; }
  process.stdout.write(`${r.name} (${shortId(r.id)}): ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'}, ${humanSize(r.size)}\n`);
  process.stdout.write(table(['#', 'LAYER', 'SIZE', 'CUMULATIVE', 'HIDES', 'A/C/D', 'CREATED BY'], r.layers.map((l) => [
    String(l.index), shortId(l.digest), humanSize(l.size), humanSize(l.cumulativeSize), humanSize(l.hiddenSize),
    `${l.added}/${l.changed}/${l.deleted}`, (l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 60) + (l.comment ? ` (${l.comment.slice(0, 30)})` : ''),
  ])));
  return 0;
}

/**
 * `nscope image export IMAGE FILE|-`: the helper streams the archive and this
 * process writes it, with the user's own permissions (the root helper never
 * opens a path the caller names for writing). Written to a temp file beside
 * FILE and renamed at the end, so FILE is either the whole archive or untouched.
 */
export async function imageExport(_p: Parsed, ctx: Ctx, rest: string[]): Promise<number> {
  if (rest.length !== 2) throw new UsageError('usage: nscope image export IMAGE FILE (or - for stdout)');
  await writeImageArchive(ctx, [rest[0]], rest[1]);
  return 0;
}
