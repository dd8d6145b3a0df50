// `container prune`, `image prune`, `builder prune` and `system prune`:
// removing stopped containers, unused images, the build cache and volumes,
// with Docker's --filter (until, label, label!: prune-filters.ts), as Docker
// reports it ("Total reclaimed space: …"). `system df` is in system-df.ts.
import type { HelperClient } from '../protocol/client';
import { removeContainers, stoppedContainers } from '../protocol/prune-containers';
import { parseBytes } from '../cgroups/units';
import { bool, FlagError, str, UsageError, type Parsed } from './args';
import type { Command } from './command';
import { humanSize } from './format';
import { pruneImages as pruneSharedImages } from '../protocol/prune-images';
import { NO_FILTER, prunable, pruneFilters, type PruneFilter } from './prune-filters';
import { promptLine } from './prompt';
import { CACHE_LABEL } from '../build/run-mounts';

export { SYSTEM_DF } from './system-df';

const FORCE = { name: 'force', short: 'f', help: 'Do not prompt for confirmation' };
const filterFlag = (keys: string) => ({ name: 'filter', takesValue: true, repeat: true, value: 'filter', help: `Provide filter values: ${keys}` });

/** Docker's question (and the filters it will apply); a usage error where there is no terminal to ask at (-f says yes). */
async function confirm(p: Parsed, what: string[], f: PruneFilter = NO_FILTER): Promise<boolean> {
  if (bool(p, 'force')) return true;
  if (!process.stdin.isTTY) throw new UsageError('not a terminal to ask at: give -f (--force) to remove without a prompt');
  const filtered = f.given.length ? `\n  Items to be pruned will be filtered with:\n${f.given.map((g) => `  - ${g}\n`).join('')}` : '';
  const answer = await promptLine(`WARNING! This will remove:\n${what.map((w) => `  - ${w}\n`).join('')}${filtered}\nAre you sure you want to continue? [y/N] `, { echo: true });
  return /^y(es)?$/i.test(answer.trim());
}

async function pruneContainers(c: HelperClient, f: PruneFilter): Promise<{ removed: string[]; reclaimed: number }> {
  const victims = stoppedContainers(await c.request('container.list', { all: true, size: true })).filter((x) => prunable(f, x.created, x.labels));
  const r = await removeContainers(c, victims);
  // started meanwhile, or removed by someone else: said, not reported as deleted
  for (const f of r.failed) process.stderr.write(`nscope: ${f.message}\n`);
  return { removed: r.removed.map((x) => x.id), reclaimed: r.reclaimed };
}

/** The shared pruning (../protocol/prune-images.ts) with the CLI's --filter; the helper's refusals said on stderr. */
async function pruneImages(c: HelperClient, o: { all: boolean; cache?: boolean; filter?: PruneFilter; keepBytes?: number }): Promise<{ lines: string[]; reclaimed: number }> {
  const f = o.filter ?? NO_FILTER;
  const r = await pruneSharedImages(c, { all: o.all, ...(o.cache ? { cache: true } : {}), filter: (created, labels) => prunable(f, created, labels), ...(o.keepBytes !== undefined ? { keepBytes: o.keepBytes } : {}) });
  for (const m of r.failed) process.stderr.write(`nscope: ${m}\n`);
  return r;
}

/** The volumes of RUN --mount=type=cache no container uses (BuildKit's cache mounts are build cache too) that pass the filter. */
async function pruneCacheVolumes(c: HelperClient, f: PruneFilter): Promise<{ removed: string[]; reclaimed: number }> {
  const victims = (await c.request('volume.list', { size: true }))
    .filter((v) => v.labels?.[CACHE_LABEL] !== undefined && !v.users.length && prunable(f, v.created, v.labels));
  const removed: string[] = [];
  let reclaimed = 0;
  for (const v of victims) {
    try {
      await c.request('volume.remove', { name: v.name });
      removed.push(v.name);
      reclaimed += v.size ?? 0;
    } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); }
  }
  return { removed, reclaimed };
}

export const CONTAINER_PRUNE: Command = {
  summary: 'Remove all stopped containers', group: 'Containers',
  flags: [FORCE, filterFlag('until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE] (e.g. "until=24h")')], usage: 'container prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope container prune [OPTIONS]');
    const f = pruneFilters(p, ['until', 'label', 'label!']);
    if (!await confirm(p, ['all stopped containers'], f)) return 0;
    const r = await pruneContainers(await ctx.client(), f);
    process.stdout.write(`${r.removed.length ? `Deleted Containers:\n${r.removed.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const IMAGE_PRUNE: Command = {
  summary: 'Remove unused images: the dangling ones (no name), or with -a every one no container uses', group: 'Images',
  flags: [
    FORCE, { name: 'all', short: 'a', help: 'Remove all unused images, not just dangling ones' },
    filterFlag('until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE] (e.g. "until=24h")'),
  ],
  usage: 'image prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope image prune [OPTIONS]');
    const f = pruneFilters(p, ['until', 'label', 'label!']);
    if (!await confirm(p, [bool(p, 'all') ? 'all images without at least one container associated to them' : 'all dangling images'], f)) return 0;
    const r = await pruneImages(await ctx.client(), { all: bool(p, 'all'), filter: f });
    process.stdout.write(`${r.lines.length ? `Deleted Images:\n${r.lines.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const BUILDER_PRUNE: Command = {
  summary: "Remove the build cache: every step's image `nscope build` kept that no container uses", group: 'Images',
  flags: [
    FORCE, { name: 'all', short: 'a', help: 'Accepted for Docker\'s syntax: the whole unused cache goes either way' },
    filterFlag('until=TIMESTAMP|DURATION: only cache made before (nscope keeps no last-use time: a step\'s image counts from when it was made)'),
    { name: 'keep-storage', takesValue: true, value: 'bytes', help: 'Amount of disk space to keep for cache: the newest entries are kept while the layers their steps made fit in it (e.g. 500m)' },
  ],
  usage: 'builder prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope builder prune [OPTIONS]');
    const f = pruneFilters(p, ['until']);
    const keep = str(p, 'keep-storage');
    let keepBytes: number | undefined;
    if (keep !== undefined) {
      try { keepBytes = parseBytes(keep, '--keep-storage'); } catch (e) { throw new FlagError((e as Error).message); }
    }
    if (!await confirm(p, ['all build cache'], f)) return 0;
    const c = await ctx.client();
    const r = await pruneImages(c, { all: true, cache: true, filter: f, ...(keepBytes !== undefined ? { keepBytes } : {}) });
    // --keep-storage keeps the newest steps; a cache mount has no place in that order: they stay then
    const vols = keepBytes === undefined ? await pruneCacheVolumes(c, f) : { removed: [], reclaimed: 0 };
    const ids = [...r.lines.filter((l) => l.startsWith('deleted: ')).map((l) => l.slice(9)), ...vols.removed];
    process.stdout.write(`${ids.length ? `Deleted build cache objects:\n${ids.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed + vols.reclaimed)}\n`);
    return 0;
  },
};

export const SYSTEM_PRUNE: Command = {
  summary: 'Remove stopped containers, unused networks, dangling images, the build cache (and with --volumes anonymous volumes)', group: 'Helper',
  flags: [
    FORCE,
    { name: 'all', short: 'a', help: 'Remove all unused images, not just dangling ones' },
    { name: 'volumes', help: 'Remove anonymous volumes no container uses, too' },
    filterFlag('until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE] (e.g. "label=<key>=<value>"; until not with --volumes)'),
  ],
  usage: 'system prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope system prune [OPTIONS]');
    const f = pruneFilters(p, ['until', 'label', 'label!']);
    // Docker's rule: a volume has no creation time it prunes by
    if (f.until !== undefined && bool(p, 'volumes')) throw new UsageError('The "until" filter is not supported with "--volumes"');
    const what = ['all stopped containers', 'all networks not used by at least one container',
      ...(bool(p, 'volumes') ? ['all anonymous volumes not used by at least one container'] : []),
      bool(p, 'all') ? 'all images without at least one container associated to them' : 'all dangling images', 'all build cache'];
    if (!await confirm(p, what, f)) return 0;
    const c = await ctx.client();
    const cs = await pruneContainers(c, f);
    let out = cs.removed.length ? `Deleted Containers:\n${cs.removed.join('\n')}\n\n` : '';
    // after the containers: a network a stopped container named is unused now (the helper's network prune)
    const nets = (await c.request('network.prune', {
      ...(f.until !== undefined ? { until: new Date(f.until).toISOString() } : {}),
      ...(f.labels.length ? { labels: f.labels } : {}), ...(f.labelsNot.length ? { labelsNot: f.labelsNot } : {}),
    })).removed;
    if (nets.length) out += `Deleted Networks:\n${nets.join('\n')}\n\n`;
    let reclaimed = cs.reclaimed;
    if (bool(p, 'volumes')) {
      const v = await c.request('volume.prune', f.labels.length || f.labelsNot.length ? { filters: { label: f.labels, 'label!': f.labelsNot } } : {});
      if (v.removed.length) out += `Deleted Volumes:\n${v.removed.join('\n')}\n\n`;
      reclaimed += v.reclaimed;
    }
    const im = await pruneImages(c, { all: bool(p, 'all'), filter: f });
    if (im.lines.length) out += `Deleted Images:\n${im.lines.join('\n')}\n\n`;
    reclaimed += im.reclaimed;
    const cache = await pruneImages(c, { all: true, cache: true, filter: f });
    const cacheVols = await pruneCacheVolumes(c, f);
    const cacheIds = [...cache.lines.filter((l) => l.startsWith('deleted: ')).map((l) => l.slice(9)), ...cacheVols.removed];
    if (cacheIds.length) out += `Deleted build cache objects:\n${cacheIds.join('\n')}\n\n`;
    reclaimed += cache.reclaimed + cacheVols.reclaimed;
    process.stdout.write(`${out}Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  },
};
