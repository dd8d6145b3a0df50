// `nscope images`, `rmi`, `history`, and `nscope image …`: Docker's image
// management command, each subcommand with its own flags (image-rm's -f is
// --force, image-inspect's -f is --format, as in Docker).
import type { ImageSummaryInfo } from '../protocol';
import { bool, list, str, UsageError, type Parsed } from './args';
import { eachId, json, type Command } from './command';
import { imageExport, imageLayers } from './commit-commands';
import { IMAGE_IMPORT, LOAD, SAVE } from './image-archive-commands';
import { filterImages, IMAGE_FILTERS, parseFilters } from './filters';
import { ago, humanSize, shortId, table } from './format';
import { IMAGE_INSPECT } from './inspect-command';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { management } from './management';
import { buildCommand } from './build-command';
import { goTime } from './ps-command';
import { PULL, PUSH, TAG } from './pull-commands';
import { IMAGE_PRUNE } from './prune-commands';
import { familiarRepository } from '../registry/reference';

const splitName = (name: string) => { const k = name.lastIndexOf(':'); return { repo: name.slice(0, k), tag: name.slice(k + 1) }; };

/** One row as Docker's `images --format` templates see it. */
function row(i: ImageSummaryInfo, noTrunc: boolean) {
  const { repo: named, tag } = splitName(i.name);
  // pulled by digest only: Docker lists the repository (its RepoDigest's) with tag <none>
  const repo = i.name === '<none>:<none>' && i.origin ? familiarRepository(i.origin) : named;
  return {
    ID: noTrunc ? i.id : shortId(i.id), Repository: repo, Tag: tag, Digest: i.origin?.digest ?? '<none>',
    CreatedSince: i.created ? `${ago(i.created)} ago` : '', CreatedAt: goTime(i.created), Size: humanSize(i.size),
    Containers: 'N/A', SharedSize: 'N/A', UniqueSize: 'N/A', VirtualSize: humanSize(i.size),
  };
}
const HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE',
  Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

export const IMAGES: Command = {
  summary: 'List images', group: 'Images',
  flags: [
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json" (nscope\'s list as a JSON array), "table TEMPLATE" or a Go TEMPLATE, e.g. \'{{.Repository}}:{{.Tag}}\'' },
    { name: 'quiet', short: 'q', help: 'Only show image IDs' },
    { name: 'all', short: 'a', help: "Show all images: the build cache's intermediate images too (nscope-build-cache:KEY)" },
    { name: 'digests', help: 'Show the registry digest a pulled image was pulled by' },
    { name: 'filter', short: 'f', takesValue: true, repeat: true, value: 'filter', help: `Filter output based on conditions provided: ${IMAGE_FILTERS.join(', ')} (e.g. dangling=true, reference='alp*:3*')` },
    { name: 'no-trunc', help: "Don't truncate output" },
  ],
  usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  async run(p, ctx) {
    if (p.positionals.length > 1) throw new UsageError('usage: nscope images [OPTIONS] [REPOSITORY[:TAG]]');
    const filters = parseFilters(list(p, 'filter'), IMAGE_FILTERS);
    // `images alpine` is `images --filter reference=alpine`, as in Docker
    if (p.positionals[0]) filters.set('reference', [...(filters.get('reference') ?? []), p.positionals[0]]);
    const fmt = listFormat(p);
    const imgs = filterImages(await (await ctx.client()).request('image.list', { all: bool(p, 'all') }), filters);
    const noTrunc = bool(p, 'no-trunc');
    if (bool(p, 'quiet')) process.stdout.write([...new Set(imgs.map((i) => (noTrunc ? i.id : shortId(i.id))))].map((x) => x + '\n').join(''));
    else if (fmt.kind === 'json') json(imgs);
    else if (fmt.kind === 'template') process.stdout.write(renderTemplate(fmt, imgs.map((i) => row(i, noTrunc)), HEADERS));
    else {
      // as `docker images --digests`: the digest column says what the registry calls it ("<none>" if it came from elsewhere)
      const digests = bool(p, 'digests');
      process.stdout.write(table(['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'], imgs.map((i) => {
        const r = row(i, noTrunc);
        return [r.Repository, r.Tag, ...(digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size];
      })));
    }
    return 0;
  },
};

/** `--platform` given once or more, each maybe a comma-separated list (Docker's `strings` flag). */
function platformsOf(p: Parsed): string[] | undefined {
  const all = (list(p, 'platform') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return all.length ? all : undefined;
}

export const RMI: Command = {
  summary: 'Remove one or more images', group: 'Images',
  flags: [
    { name: 'force', short: 'f', help: 'Remove an image a container uses, or every name of an image ID' },
    // Docker's rmi also deletes the untagged parent images a classic build left; nscope's never deletes
    // another image: a build's intermediates are named build-cache images (nscope builder prune removes them)
    { name: 'no-prune', help: "Do not delete untagged parents (accepted: nscope's rmi never deletes another image than the one named)" },
    { name: 'platform', takesValue: true, repeat: true, value: 'strings', help: "Remove the image only if it is of this platform, os[/arch[/variant]] (nscope's images are single-platform: their own platform is their only variant)" },
  ],
  min: 1, usage: 'rmi [OPTIONS] IMAGE...',
  run: (p, ctx) => {
    const platforms = platformsOf(p);
    return eachId(p, ctx, async (cl, ref) => {
      const r = await cl.request('image.remove', { ref, force: bool(p, 'force'), ...(platforms ? { platforms } : {}) });
      // Docker's lines: each name taken off, then the image itself if it is gone
      const lines = [...(r.untagged ?? []).map((n) => `Untagged: ${n}`), ...(r.deleted ? [`Deleted: ${r.deleted}`] : [])];
      process.stdout.write(lines.length ? lines.join('\n') + '\n' : `Deleted: ${ref}\n`);
    });
  },
};

interface HistoryEntry { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }

export const HISTORY: Command = {
  summary: 'Show the history of an image: the step that made each layer', group: 'Images',
  flags: [
    { name: 'no-trunc', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', help: 'Only show image IDs' },
    { name: 'human', short: 'H', takesValue: true, value: 'true|false', help: 'Print sizes and dates in human readable format (default true)' },
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json", "table TEMPLATE" or a Go TEMPLATE ({{.ID}}, {{.CreatedSince}}, {{.CreatedBy}}, {{.Size}}, {{.Comment}})' },
    { name: 'platform', takesValue: true, value: 'os[/arch[/variant]]', help: "Show history for the given platform (nscope's images are single-platform: another than the image's own is refused)" },
  ],
  min: 1, usage: 'history [OPTIONS] IMAGE',
  async run(p, ctx) {
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope history [OPTIONS] IMAGE');
    const human = str(p, 'human') !== 'false';
    const fmt = listFormat(p);
    const platform = str(p, 'platform');
    const img = await (await ctx.client()).request('image.inspect', { ref: p.positionals[0], ...(platform ? { platform } : {}) });
    const hist = ((img.config as { history?: HistoryEntry[] })?.history ?? []);
    // each non-empty history entry made the next layer, bottom up
    let layer = 0;
    const entries = hist.map((h) => ({ h, size: h.empty_layer ? 0 : img.layers[layer++]?.unpackedSize ?? img.layers[layer - 1]?.size ?? 0 }));
    const noTrunc = bool(p, 'no-trunc');
    const rows = entries.reverse().map(({ h, size }, i) => {
      const by = h.created_by ?? '';
      return {
        ID: i === 0 ? (noTrunc ? img.id : shortId(img.id)) : '<missing>',
        CreatedSince: h.created ? (human ? `${ago(h.created)} ago` : h.created) : '',
        CreatedAt: h.created ?? '',
        CreatedBy: noTrunc || by.length <= 45 ? by : by.slice(0, 44) + '…',
        Size: human ? humanSize(size) : String(size),
        Comment: h.comment ?? '',
      };
    });
    if (bool(p, 'quiet')) process.stdout.write(rows.map((r) => r.ID + '\n').join(''));
    else if (fmt.kind === 'json') json(rows);
    else if (fmt.kind === 'template') process.stdout.write(renderTemplate(fmt, rows, { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' }));
    else process.stdout.write(table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment])));
    return 0;
  },
};

const HOST: Command = {
  summary: "Build an image from this host's programs (sh, ls, cat, ps, ... by default)", group: 'Images',
  flags: [], min: 1, usage: 'image host NAME [PROGRAM...]',
  async run(p, ctx) {
    const [name, ...programs] = p.positionals;
    const r = await (await ctx.client()).request('image.host', { name, programs: programs.length ? programs : undefined });
    process.stdout.write(`Built image: ${r.name} (${shortId(r.id)}, ${humanSize(r.size)})\n`);
    return 0;
  },
};

const LAYERS: Command = {
  summary: "An image's layers with their sizes, or one layer's changes", group: 'Images',
  flags: [
    { name: 'changes', takesValue: true, value: 'layer', help: "List one layer's own changes (its index or digest)" },
    { name: 'format', takesValue: true, help: 'Output format: "table" (the default) or "json"' },
  ],
  min: 1, usage: 'image layers IMAGE [--changes LAYER]',
  run: (p, ctx) => imageLayers(p, ctx, p.positionals),
};

const EXPORT: Command = {
  summary: 'Write an image as an OCI image layout tar', group: 'Images',
  flags: [], min: 2, usage: 'image export IMAGE FILE|-',
  run: (p, ctx) => imageExport(p, ctx, p.positionals),
};

const IMAGE_LS: Command = { ...IMAGES, usage: 'image ls [OPTIONS] [REPOSITORY[:TAG]]' };
const IMAGE_RM: Command = { ...RMI, usage: 'image rm [OPTIONS] IMAGE...' };

export const IMAGE: Command = management('image', 'Manage images', 'Images', {
  ls: IMAGE_LS, list: IMAGE_LS,
  build: { ...buildCommand, usage: 'image build [OPTIONS] CONTEXT' },
  import: IMAGE_IMPORT,
  load: { ...LOAD, usage: 'image load [OPTIONS]' },
  save: { ...SAVE, usage: 'image save [OPTIONS] IMAGE...' },
  host: HOST,
  rm: IMAGE_RM, remove: IMAGE_RM,
  inspect: IMAGE_INSPECT,
  layers: LAYERS,
  export: EXPORT,
  history: { ...HISTORY, usage: 'image history [OPTIONS] IMAGE' },
  prune: IMAGE_PRUNE,
  pull: { ...PULL, usage: 'image pull [OPTIONS] NAME[:TAG|@DIGEST]' },
  push: { ...PUSH, usage: 'image push [OPTIONS] NAME[:TAG] [DESTINATION]' },
  tag: { ...TAG, usage: 'image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]' },
});

