// `system df`: the disk space images, containers, volumes and the build
// cache use, as Docker's summary (TYPE TOTAL ACTIVE SIZE RECLAIMABLE) or, with
// -v, Docker's four tables: images with their shared and unique size,
// containers with their rw layer, volumes with their links, build cache entries.
import type { HelperClient } from '../protocol/client';
import type { ContainerSummary, ImageDetailInfo, VolumeSummary } from '../protocol';
import { bool, UsageError } from './args';
import { json, type Command } from './command';
import { ago, humanSize, shortId, table } from './format';
import { age, freed, imagesWithLayers, layerSize, madeBytes, type ImageUsage } from '../protocol/image-usage';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { imageText, statusText } from './ps-command';
import { isBuildCache } from '../build/cache-name';

const pct = (part: number, whole: number) => `${humanSize(part)} (${whole ? Math.floor((part / whole) * 100) : 0}%)`;
const since = (iso: string | undefined) => (iso ? `${ago(iso)} ago` : '');

/** Everything both forms read, fetched once. */
interface Usage extends ImageUsage {
  containers: ContainerSummary[];
  used: Set<string>;
  /** image IDs that are images (a name of their own, or shown as <none>), and those only the build cache names */
  named: Set<string>;
  cached: Set<string>;
  vols: VolumeSummary[];
}

async function usage(c: HelperClient): Promise<Usage> {
  const containers = (await c.request('container.list', { all: true, size: true })).filter((x) => !x.engine);
  const used = new Set(containers.map((x) => x.imageId));
  const { list, byId } = await imagesWithLayers(c);
  // an image only the build cache names is the cache's; one with a name of its own is an image, and so is
  // one `images` shows as <none> (a build's last image without -t)
  const withName = new Set([...list.filter((i) => !isBuildCache(i.name)), ...await c.request('image.list', {})].map((i) => i.id));
  const named = new Set([...byId.keys()].filter((id) => withName.has(id)));
  const cached = new Set([...byId.keys()].filter((id) => !withName.has(id)));
  const vols = await c.request('volume.list', { size: true });
  return { list, byId, containers, used, named, cached, vols };
}

function summaryRows(u: Usage) {
  const { byId, containers, used, named, cached, vols } = u;
  const unused = new Set([...named].filter((id) => !used.has(id)));
  const cacheUnused = new Set([...cached].filter((id) => !used.has(id)));
  // what the cache alone holds: layers no named image has
  const cacheSize = freed(byId, cached);
  const imgSize = freed(byId, new Set(byId.keys())) - cacheSize;
  const cSize = containers.reduce((a, x) => a + (x.sizeRw ?? 0), 0);
  const cFree = containers.filter((x) => x.status !== 'running').reduce((a, x) => a + (x.sizeRw ?? 0), 0);
  const vSize = vols.reduce((a, v) => a + (v.size ?? 0), 0);
  const vFree = vols.filter((v) => !v.users.length).reduce((a, v) => a + (v.size ?? 0), 0);
  return [
    { Type: 'Images', TotalCount: String(named.size), Active: String([...named].filter((id) => used.has(id)).length), Size: humanSize(imgSize), Reclaimable: pct(freed(byId, unused), imgSize), bytes: imgSize },
    { Type: 'Containers', TotalCount: String(containers.length), Active: String(containers.filter((x) => x.status === 'running').length), Size: humanSize(cSize), Reclaimable: pct(cFree, cSize), bytes: cSize },
    { Type: 'Local Volumes', TotalCount: String(vols.length), Active: String(vols.filter((v) => v.users.length).length), Size: humanSize(vSize), Reclaimable: pct(vFree, vSize), bytes: vSize },
    { Type: 'Build Cache', TotalCount: String(cached.size), Active: String(cached.size - cacheUnused.size), Size: humanSize(cacheSize), Reclaimable: humanSize(freed(byId, cacheUnused)), bytes: cacheSize },
  ];
}

const imageSize = (d: ImageDetailInfo) => d.layers.reduce((a, l) => a + layerSize(l), 0);

/** Docker's -v rows, each as its templates see it ({{.Repository}}, {{.SharedSize}}, {{.Links}}, {{.CacheType}}, …). */
async function verboseRows(c: HelperClient, u: Usage) {
  const { list, byId, containers, named, cached, vols } = u;
  // how many images (the cache's too) have each layer: a layer of two is shared
  const holders = new Map<string, number>();
  for (const d of byId.values()) for (const diffId of new Set(d.layers.map((l) => l.diffId))) holders.set(diffId, (holders.get(diffId) ?? 0) + 1);
  const images = [...named].map((id) => {
    const d = byId.get(id)!;
    // its first name of its own (Docker shows the first tag), else <none>
    const name = list.find((i) => i.id === id && !isBuildCache(i.name) && i.name !== '<none>:<none>')?.name;
    const k = name ? name.lastIndexOf(':') : -1;
    const size = imageSize(d);
    const shared = d.layers.filter((l) => (holders.get(l.diffId) ?? 0) > 1).reduce((a, l) => a + layerSize(l), 0);
    return {
      Repository: name ? name.slice(0, k) : '<none>', Tag: name ? name.slice(k + 1) : '<none>', ID: shortId(id), CreatedSince: since(d.created),
      Size: humanSize(size), SharedSize: humanSize(shared), UniqueSize: humanSize(size - shared),
      Containers: String(containers.filter((x) => x.imageId === id).length),
    };
  });
  const rows = [];
  for (const x of containers) {
    // LOCAL VOLUMES: the volumes it mounts (its record has them; the list does not)
    const mounts = await c.request('container.inspect', { id: x.id }).then((d) => d.mounts ?? [], () => []);
    const cmd = x.command.join(' ');
    rows.push({
      ID: shortId(x.id), Image: imageText(x), Command: JSON.stringify(cmd.length <= 20 ? cmd : cmd.slice(0, 19) + '…'),
      LocalVolumes: String(mounts.filter((m) => m.type === 'volume').length), Size: humanSize(x.sizeRw ?? 0),
      RunningFor: since(x.created), Status: statusText(x), Names: x.name,
    });
  }
  const volumes = vols.map((v) => ({ Name: v.name, Links: String(v.users.length), Size: humanSize(v.size ?? 0) }));
  // a cache entry's size is the layer its step made (madeBytes: an ENV step makes none), shared when an image
  // keeps that layer too; nscope counts no cache hits: LAST USED is when it was made, USAGE the containers made from it
  const namedLayers = new Set([...named].flatMap((id) => byId.get(id)!.layers.map((l) => l.diffId)));
  const newest = [...cached].sort((a, b) => {
    const [x, y] = [age(byId.get(a)!), age(byId.get(b)!)];
    return y[0] - x[0] || y[1] - x[1];
  });
  const buildCache = newest.map((id) => {
    const d = byId.get(id)!;
    const top = d.layers.at(-1);
    return {
      ID: shortId(id), CacheType: 'regular', Size: humanSize(madeBytes(byId, id)),
      CreatedSince: since(d.created), LastUsedSince: since(d.created), UsageCount: String(containers.filter((x) => x.imageId === id).length),
      Shared: String(!!top && namedLayers.has(top.diffId)),
    };
  });
  return { Images: images, Containers: rows, Volumes: volumes, BuildCache: buildCache, cacheBytes: freed(byId, cached) };
}

function verboseTables(v: Awaited<ReturnType<typeof verboseRows>>): string {
  const t = <R extends Record<string, string>>(head: [keyof R, string][], rows: R[]) => table(head.map(([, h]) => h), rows.map((r) => head.map(([k]) => r[k])));
  return 'Images space usage:\n\n'
    + t([['Repository', 'REPOSITORY'], ['Tag', 'TAG'], ['ID', 'IMAGE ID'], ['CreatedSince', 'CREATED'], ['Size', 'SIZE'], ['SharedSize', 'SHARED SIZE'], ['UniqueSize', 'UNIQUE SIZE'], ['Containers', 'CONTAINERS']], v.Images)
    + '\nContainers space usage:\n\n'
    + t([['ID', 'CONTAINER ID'], ['Image', 'IMAGE'], ['Command', 'COMMAND'], ['LocalVolumes', 'LOCAL VOLUMES'], ['Size', 'SIZE'], ['RunningFor', 'CREATED'], ['Status', 'STATUS'], ['Names', 'NAMES']], v.Containers)
    + '\nLocal Volumes space usage:\n\n'
    + t([['Name', 'VOLUME NAME'], ['Links', 'LINKS'], ['Size', 'SIZE']], v.Volumes)
    + `\nBuild cache usage: ${humanSize(v.cacheBytes)}\n\n`
    + t([['ID', 'CACHE ID'], ['CacheType', 'CACHE TYPE'], ['Size', 'SIZE'], ['CreatedSince', 'CREATED'], ['LastUsedSince', 'LAST USED'], ['UsageCount', 'USAGE'], ['Shared', 'SHARED']], v.BuildCache);
}

export const SYSTEM_DF: Command = {
  summary: 'Show the disk space images, containers and volumes use', group: 'Helper',
  flags: [
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json", "table TEMPLATE" or a Go TEMPLATE ({{.Type}}, {{.TotalCount}}, {{.Active}}, {{.Size}}, {{.Reclaimable}}; with -v one over {{.Images}}, {{.Containers}}, {{.Volumes}}, {{.BuildCache}})' },
    { name: 'verbose', short: 'v', help: 'Show detailed information on space usage: each image (shared and unique size), container, volume and build cache entry' },
  ],
  usage: 'system df [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope system df [OPTIONS]');
    const fmt = listFormat(p);
    const c = await ctx.client();
    const u = await usage(c);
    if (bool(p, 'verbose')) {
      const v = await verboseRows(c, u);
      const { cacheBytes: _, ...doc } = v;
      if (fmt.kind === 'json') json(doc);
      // as Docker: one run of the template over the four lists ("table TEMPLATE" too: there is no one row to repeat)
      else if (fmt.kind === 'template') process.stdout.write(fmt.template.execute(doc));
      else process.stdout.write(verboseTables(v));
      return 0;
    }
    const rows = summaryRows(u);
    if (fmt.kind === 'json') json(rows);
    else if (fmt.kind === 'template') process.stdout.write(renderTemplate(fmt, rows, { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE', bytes: 'BYTES' }));
    else process.stdout.write(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable])));
    return 0;
  },
};
