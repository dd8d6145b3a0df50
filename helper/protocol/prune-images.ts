// Removing unused images, for `image prune`, `builder prune`, `system prune`
// and the extension's Prune Unused Images…: the dangling ones (no name), or
// every one no container uses, or the build cache's; what goes may be
// narrowed by the caller (the CLI's --filter) and, for the cache, by how much
// to keep (--keep-storage). An image removed or used meanwhile is reported,
// not counted.
import type { ImageDetailInfo, ImageSummaryInfo } from './types';
import type { Requester } from './requester';
import { age, freed, imageLabels, imagesWithLayers, madeBytes } from './image-usage';
import { isBuildCache } from '../build/cache-name';

export interface ImagePrune {
  /** every unused image, not only the dangling ones */
  all: boolean;
  /** the build cache's images instead (which the others leave alone) */
  cache?: boolean;
  /** which of the candidates may go, by when they were made and their labels (the CLI's --filter) */
  filter?: (created: string | undefined, labels: Record<string, string>) => boolean;
  /** the cache: keep the newest entries while what they hold stays within this many bytes (builder prune --keep-storage) */
  keepBytes?: number;
}

export interface ImagePruneResult {
  /** Docker's report: "untagged: NAME" for each name removed, "deleted: ID" for each image gone */
  lines: string[];
  /** IDs of the images gone */
  deleted: string[];
  reclaimed: number;
  /** the helper's refusals, one message each */
  failed: string[];
}

export async function pruneImages(c: Requester, o: ImagePrune): Promise<ImagePruneResult> {
  const used = new Set((await c.request('container.list', { all: true })).map((x) => x.imageId));
  const { list, byId } = await imagesWithLayers(c);
  // what `images` shows: a build's last image without -t is a dangling image there (<none>), not cache
  const visible = await c.request('image.list', {});
  const shownDangling = new Set(visible.filter((i) => i.name === '<none>:<none>').map((i) => i.id));
  let victims = (o.cache
    ? list.filter((i) => !used.has(i.id) && isBuildCache(i.name) && !shownDangling.has(i.id))
    : visible.filter((i) => !used.has(i.id) && (o.all || i.name === '<none>:<none>')))
    .filter((i) => !o.filter || o.filter(i.created, imageLabels(byId.get(i.id))));
  if (o.keepBytes !== undefined) victims = beyondKeep(victims, byId, o.keepBytes);
  const lines: string[] = [];
  const failed: string[] = [];
  for (const i of victims) {
    const dangling = i.name === '<none>:<none>';
    try {
      // a dangling image may still have build-cache names: by its ID, every one of them goes
      await c.request('image.remove', { ref: dangling ? i.id : i.name, ...(dangling ? { force: true } : {}) });
      lines.push(dangling ? `deleted: ${i.id}` : `untagged: ${i.name}`);
    } catch (e) { failed.push((e as Error).message); }
  }
  // an image is gone once none of its names is left
  const left = new Set((await c.request('image.list', { all: true })).map((i) => i.id));
  const gone = new Set<string>();
  for (const i of victims) {
    if (left.has(i.id) || gone.has(i.id)) continue;
    gone.add(i.id);
    if (i.name !== '<none>:<none>') lines.push(`deleted: ${i.id}`);
  }
  return { lines, deleted: [...gone], reclaimed: freed(byId, gone), failed };
}

/**
 * --keep-storage: of the cache entries that could go, the newest are kept
 * while the layers their steps made (madeBytes, `system df -v`'s SIZE) add up
 * to at most `keep` bytes; that entry and every older one go. nscope keeps no
 * last-use time for its cache, so "newest" is when the step's image was made
 * (a hit on an old step does not make it newer). What goes may free less
 * than its size: a layer an image still has stays on disk.
 */
function beyondKeep(victims: ImageSummaryInfo[], byId: Map<string, ImageDetailInfo>, keep: number): ImageSummaryInfo[] {
  const ids = [...new Set(victims.map((i) => i.id))].filter((id) => byId.has(id));
  ids.sort((a, b) => {
    const [x, y] = [age(byId.get(a)!), age(byId.get(b)!)];
    return y[0] - x[0] || y[1] - x[1];
  });
  const kept = new Set<string>();
  let total = 0;
  for (const id of ids) {
    total += madeBytes(byId, id);
    if (total > keep) break;
    kept.add(id);
  }
  return victims.filter((i) => !kept.has(i.id));
}
