// `container prune`, `image prune`, `builder prune`, `system prune` and
// `system df`: what stopped containers, unused images, the build cache and
// volumes hold, and removing them, as Docker reports it ("Total reclaimed
// space: …").
import type { HelperClient } from '../protocol/client';
import type { ContainerSummary, ImageDetailInfo, ImageSummaryInfo } from '../protocol';
import { bool, UsageError, type Parsed } from './args';
import { json, type Command } from './command';
import { humanSize, table } from './format';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { promptLine } from './prompt';
import { isBuildCache } from '../build/cache-name';

const FORCE = { name: 'force', short: 'f', help: 'Do not prompt for confirmation' };

/** Docker's question; a usage error where there is no terminal to ask at (-f says yes). */
async function confirm(p: Parsed, what: string[]): Promise<boolean> {
  if (bool(p, 'force')) return true;
  if (!process.stdin.isTTY) throw new UsageError('not a terminal to ask at: give -f (--force) to remove without a prompt');
  const answer = await promptLine(`WARNING! This will remove:\n${what.map((w) => `  - ${w}\n`).join('')}Are you sure you want to continue? [y/N] `, { echo: true });
  return /^y(es)?$/i.test(answer.trim());
}

/** The helper's own containers that are not running (an engine's are its engine's to remove). */
const stopped = (list: ContainerSummary[]) => list.filter((c) => c.status !== 'running' && !c.engine);

async function pruneContainers(c: HelperClient): Promise<{ removed: string[]; reclaimed: number }> {
  const removed: string[] = [];
  let reclaimed = 0;
  for (const x of stopped(await c.request('container.list', { all: true, size: true }))) {
    try {
      await c.request('container.remove', { id: x.id });
      removed.push(x.id);
      reclaimed += x.sizeRw ?? 0;
    } catch (e) {
      // started meanwhile, or removed by someone else: not ours to report as deleted
      process.stderr.write(`nscope: ${(e as Error).message}\n`);
    }
  }
  return { removed, reclaimed };
}

/** Every image (the build cache's too) with its layers, for sizes that count a shared layer once. */
async function imagesWithLayers(c: HelperClient): Promise<{ list: ImageSummaryInfo[]; byId: Map<string, ImageDetailInfo> }> {
  const list = await c.request('image.list', { all: true });
  const byId = new Map<string, ImageDetailInfo>();
  for (const i of list) {
    if (byId.has(i.id)) continue;
    try { byId.set(i.id, await c.request('image.inspect', { ref: i.id })); } catch { /* removed meanwhile */ }
  }
  return { list, byId };
}

const layerSize = (l: ImageDetailInfo['layers'][number]) => l.unpackedSize ?? l.size;

/** Bytes of the layers only `gone` images use (what removing them frees). */
function freed(byId: Map<string, ImageDetailInfo>, gone: Set<string>): number {
  const kept = new Set<string>();
  for (const [id, d] of byId) if (!gone.has(id)) for (const l of d.layers) kept.add(l.diffId);
  const sizes = new Map<string, number>();
  for (const id of gone) for (const l of byId.get(id)?.layers ?? []) if (!kept.has(l.diffId)) sizes.set(l.diffId, layerSize(l));
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/**
 * Images no container uses: the dangling ones (no name), or with `all` every
 * one; with `cache`, the build cache's instead (which the others leave alone).
 */
async function pruneImages(c: HelperClient, all: boolean, cache = false): Promise<{ lines: string[]; reclaimed: number }> {
  const used = new Set((await c.request('container.list', { all: true })).map((x) => x.imageId));
  const { list, byId } = await imagesWithLayers(c);
  // what `images` shows: a build's last image without -t is a dangling image there (<none>), not cache
  const visible = await c.request('image.list', {});
  const shownDangling = new Set(visible.filter((i) => i.name === '<none>:<none>').map((i) => i.id));
  const victims = cache
    ? list.filter((i) => !used.has(i.id) && isBuildCache(i.name) && !shownDangling.has(i.id))
    : visible.filter((i) => !used.has(i.id) && (all || i.name === '<none>:<none>'));
  const lines: string[] = [];
  const gone = new Set<string>();
  for (const i of victims) {
    const dangling = i.name === '<none>:<none>';
    try {
      // a dangling image may still have build-cache names: by its ID, every one of them goes
      await c.request('image.remove', { ref: dangling ? i.id : i.name, ...(dangling ? { force: true } : {}) });
      lines.push(dangling ? `deleted: ${i.id}` : `untagged: ${i.name}`);
    } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); }
  }
  // an image is gone once none of its names is left
  const left = new Set((await c.request('image.list', { all: true })).map((i) => i.id));
  for (const i of victims) {
    if (left.has(i.id) || gone.has(i.id)) continue;
    gone.add(i.id);
    if (i.name !== '<none>:<none>') lines.push(`deleted: ${i.id}`);
  }
  return { lines, reclaimed: freed(byId, gone) };
}

export const CONTAINER_PRUNE: Command = {
  summary: 'Remove all stopped containers', group: 'Containers',
  flags: [FORCE], usage: 'container prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope container prune [OPTIONS]');
    if (!await confirm(p, ['all stopped containers'])) return 0;
    const r = await pruneContainers(await ctx.client());
    process.stdout.write(`${r.removed.length ? `Deleted Containers:\n${r.removed.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const IMAGE_PRUNE: Command = {
  summary: 'Remove unused images: the dangling ones (no name), or with -a every one no container uses', group: 'Images',
  flags: [FORCE, { name: 'all', short: 'a', help: 'Remove all unused images, not just dangling ones' }], usage: 'image prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope image prune [OPTIONS]');
    if (!await confirm(p, [bool(p, 'all') ? 'all images without at least one container associated to them' : 'all dangling images'])) return 0;
    const r = await pruneImages(await ctx.client(), bool(p, 'all'));
    process.stdout.write(`${r.lines.length ? `Deleted Images:\n${r.lines.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const BUILDER_PRUNE: Command = {
  summary: "Remove the build cache: every step's image `nscope build` kept that no container uses", group: 'Images',
  flags: [FORCE, { name: 'all', short: 'a', help: 'Accepted for Docker\'s syntax: the whole unused cache goes either way' }], usage: 'builder prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope builder prune [OPTIONS]');
    if (!await confirm(p, ['all build cache'])) return 0;
    const r = await pruneImages(await ctx.client(), true, true);
    const ids = r.lines.filter((l) => l.startsWith('deleted: ')).map((l) => l.slice(9));
    process.stdout.write(`${ids.length ? `Deleted build cache objects:\n${ids.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const SYSTEM_PRUNE: Command = {
  summary: 'Remove stopped containers, unused networks, dangling images, the build cache (and with --volumes anonymous volumes)', group: 'Helper',
  flags: [
    FORCE,
    { name: 'all', short: 'a', help: 'Remove all unused images, not just dangling ones' },
    { name: 'volumes', help: 'Remove anonymous volumes no container uses, too' },
  ],
  usage: 'system prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope system prune [OPTIONS]');
    const what = ['all stopped containers', 'all networks not used by at least one container',
      ...(bool(p, 'volumes') ? ['all anonymous volumes not used by at least one container'] : []),
      bool(p, 'all') ? 'all images without at least one container associated to them' : 'all dangling images', 'all build cache'];
    if (!await confirm(p, what)) return 0;
    const c = await ctx.client();
    const cs = await pruneContainers(c);
    let out = cs.removed.length ? `Deleted Containers:\n${cs.removed.join('\n')}\n\n` : '';
    // after the containers: a network a stopped container named is unused now
    const nets: string[] = [];
    for (const n of await c.request('network.list', {})) {
      if (n.isDefault || n.containers.length) continue;
      try { await c.request('network.remove', { name: n.name }); nets.push(n.name); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); }
    }
    if (nets.length) out += `Deleted Networks:\n${nets.join('\n')}\n\n`;
    let reclaimed = cs.reclaimed;
    if (bool(p, 'volumes')) {
      const v = await c.request('volume.prune', {});
      if (v.removed.length) out += `Deleted Volumes:\n${v.removed.join('\n')}\n\n`;
      reclaimed += v.reclaimed;
    }
    const im = await pruneImages(c, bool(p, 'all'));
    if (im.lines.length) out += `Deleted Images:\n${im.lines.join('\n')}\n\n`;
    reclaimed += im.reclaimed;
    const cache = await pruneImages(c, true, true);
    const cacheIds = cache.lines.filter((l) => l.startsWith('deleted: ')).map((l) => l.slice(9));
    if (cacheIds.length) out += `Deleted build cache objects:\n${cacheIds.join('\n')}\n\n`;
    reclaimed += cache.reclaimed;
    process.stdout.write(`${out}Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  },
};

const pct = (part: number, whole: number) => `${humanSize(part)} (${whole ? Math.round((part / whole) * 100) : 0}%)`;

export const SYSTEM_DF: Command = {
  summary: 'Show the disk space images, containers and volumes use', group: 'Helper',
  flags: [{ ...TEMPLATE_FORMAT, help: 'Format output: "table", "json", "table TEMPLATE" or a Go TEMPLATE ({{.Type}}, {{.TotalCount}}, {{.Active}}, {{.Size}}, {{.Reclaimable}})' }],
  usage: 'system df [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope system df [OPTIONS]');
    const fmt = listFormat(p);
    const c = await ctx.client();
    const containers = (await c.request('container.list', { all: true, size: true })).filter((x) => !x.engine);
    const used = new Set(containers.map((x) => x.imageId));
    const { list, byId } = await imagesWithLayers(c);
    // an image only the build cache names is the cache's; one with a name of its own is an image, and so is
    // one `images` shows as <none> (a build's last image without -t)
    const named = new Set([...list.filter((i) => !isBuildCache(i.name)), ...await c.request('image.list', {})].map((i) => i.id));
    const all = new Set([...byId.keys()].filter((id) => named.has(id)));
    const cached = new Set([...byId.keys()].filter((id) => !named.has(id)));
    const unused = new Set([...all].filter((id) => !used.has(id)));
    const cacheUnused = new Set([...cached].filter((id) => !used.has(id)));
    // what the cache alone holds: layers no named image has
    const cacheSize = freed(byId, cached);
    const vols = await c.request('volume.list', { size: true });
    const imgSize = freed(byId, new Set(byId.keys())) - cacheSize;
    const cSize = containers.reduce((a, x) => a + (x.sizeRw ?? 0), 0);
    const cFree = containers.filter((x) => x.status !== 'running').reduce((a, x) => a + (x.sizeRw ?? 0), 0);
    const vSize = vols.reduce((a, v) => a + (v.size ?? 0), 0);
    const vFree = vols.filter((v) => !v.users.length).reduce((a, v) => a + (v.size ?? 0), 0);
    const rows = [
      { Type: 'Images', TotalCount: String(all.size), Active: String([...all].filter((id) => used.has(id)).length), Size: humanSize(imgSize), Reclaimable: pct(freed(byId, unused), imgSize), bytes: imgSize },
      { Type: 'Containers', TotalCount: String(containers.length), Active: String(containers.filter((x) => x.status === 'running').length), Size: humanSize(cSize), Reclaimable: pct(cFree, cSize), bytes: cSize },
      { Type: 'Local Volumes', TotalCount: String(vols.length), Active: String(vols.filter((v) => v.users.length).length), Size: humanSize(vSize), Reclaimable: pct(vFree, vSize), bytes: vSize },
      { Type: 'Build Cache', TotalCount: String(cached.size), Active: String(cached.size - cacheUnused.size), Size: humanSize(cacheSize), Reclaimable: humanSize(freed(byId, cacheUnused)), bytes: cacheSize },
    ];
    if (fmt.kind === 'json') json(rows);
    else if (fmt.kind === 'template') process.stdout.write(renderTemplate(fmt, rows, { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE', bytes: 'BYTES' }));
    else process.stdout.write(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable])));
    return 0;
  },
};
