// The layer explorer: for an image, each layer with its history entry and
// three sizes (own, cumulative, hidden), each layer's own changes (A/C/D),
// and the merged tree up to any layer, listed one directory at a time.
//
// Layers are immutable (a directory per diff_id), so walks of them are cached
// (bounded by a total entry budget) and so are the results per image ID.
// Listings are paged; a request builds at most one merged tree, in memory,
// from cached walks.
import { invalid, notFound } from '../errors';
import type {
  ImageLayersResult, LayerChangeInfo, LayerChangesResult, LayerHistoryInfo, LayerRef, LayerTreeEntry, LayerTreeResult, Page,
} from '../protocol/types/layers';
import { MergedTree, type ApplyResult } from './layers-info-tree';
import { byteOrder, walkLayer, type LayerEntry } from './layers-info-walk';
import type { ImageDetail, ImageStore } from './store';

export const DEFAULT_PAGE = 1000;
export const MAX_PAGE = 10000;

/** Entries of layer walks kept in memory, over all layers (a few hundred bytes each). */
const WALK_BUDGET = 250_000;
const SUMMARIES = 32;
const STATES = 2;

interface State { tree: MergedTree; applied: ApplyResult }

/** A small LRU map. */
class Lru<K, V> {
  private readonly m = new Map<K, V>();
  constructor(private readonly max: number, private readonly weight: (v: V) => number = () => 1) {}
  private used = 0;
  get(k: K): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: K, v: V): void {
    const old = this.m.get(k);
    if (old !== undefined) { this.used -= this.weight(old); this.m.delete(k); }
    const w = this.weight(v);
    if (w > this.max) return; // bigger than the whole cache: not kept
    this.m.set(k, v);
    this.used += w;
    for (const [key, val] of this.m) {
      if (this.used <= this.max) break;
      this.m.delete(key);
      this.used -= this.weight(val);
    }
  }
}

/** Page bounds, checked. */
export function pageOf(p: Page): { offset: number; limit: number } {
  const offset = p.offset ?? 0;
  const limit = p.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(offset) || offset < 0) throw invalid(`offset: ${String(offset)} is not a non-negative integer`);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid(`limit: ${String(limit)} is not between 1 and ${MAX_PAGE}`);
  return { offset, limit };
}

/** History entries paired with layers: each entry without empty_layer made the next layer, bottom first. */
export function historyOf(img: Pick<ImageDetail, 'config' | 'layers'>): LayerHistoryInfo[] {
  let next = 0;
  return (Array.isArray(img.config.history) ? img.config.history : []).map((h) => {
    const emptyLayer = !!h?.empty_layer;
    const out: LayerHistoryInfo = { created: h?.created, createdBy: h?.created_by, author: h?.author, comment: h?.comment, emptyLayer };
    if (!emptyLayer && next < img.layers.length) out.layer = next++;
    return out;
  });
}

export class LayerExplorer {
  private readonly walks = new Lru<string, LayerEntry[]>(WALK_BUDGET, (v) => v.length);
  private readonly summaries = new Lru<string, ImageLayersResult>(SUMMARIES);
  private readonly states = new Lru<string, State>(STATES);
  private readonly building = new Map<string, Promise<unknown>>();

  constructor(private readonly images: ImageStore) {}

  /** One build at a time per key: concurrent callers share it. */
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const cur = this.building.get(key) as Promise<T> | undefined;
    if (cur) return cur;
    const p = fn().finally(() => this.building.delete(key));
    this.building.set(key, p);
    return p;
  }

  private async walk(diffId: string, dir: string): Promise<LayerEntry[]> {
    const hit = this.walks.get(diffId);
    if (hit) return hit;
    return this.once(`walk ${diffId}`, async () => {
      const out: LayerEntry[] = [];
      try {
        await walkLayer(dir, (e) => { out.push(e); });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`layer ${diffId} is missing from the layer store (${dir}); import the image again`);
        throw e;
      }
      this.walks.set(diffId, out);
      return out;
    });
  }

  private layerIndex(img: ImageDetail, layer: LayerRef): number {
    const n = img.layers.length;
    if (typeof layer === 'number') {
      if (!Number.isInteger(layer) || layer >= n || layer < -n) throw invalid(`layer ${layer}: image ${img.name} has ${n} layer${n === 1 ? '' : 's'} (0-${n - 1}, or -1 for the top)`);
      return layer < 0 ? n + layer : layer;
    }
    if (typeof layer !== 'string' || !layer) throw invalid('layer: give an index or a digest');
    if (/^-?\d+$/.test(layer)) return this.layerIndex(img, Number(layer));
    const m = /^(?:sha256:)?([0-9a-f]{4,64})$/.exec(layer);
    if (!m) throw invalid(`layer "${layer}": not an index, a digest or a diff_id`);
    const hits = new Set<number>();
    img.layers.forEach((l, i) => { if (l.digest.slice(7).startsWith(m[1]) || l.diffId.slice(7).startsWith(m[1])) hits.add(i); });
    if (hits.size === 0) throw notFound(`layer "${layer}" is not a layer of image ${img.name}`);
    if (hits.size > 1) throw invalid(`layer "${layer}" is ambiguous in image ${img.name}: it matches layers ${[...hits].join(', ')}`);
    return [...hits][0];
  }

  /** The merged tree up to layer `upTo`, and what that layer did (its changes recorded). */
  private async state(img: ImageDetail, upTo: number): Promise<State> {
    const key = img.layers.slice(0, upTo + 1).map((l) => l.diffId).join(',');
    const hit = this.states.get(key);
    if (hit) return hit;
    return this.once(`state ${key}`, async () => {
      const tree = new MergedTree();
      let applied: ApplyResult | undefined;
      for (let i = 0; i <= upTo; i++) {
        const l = img.layers[i];
        applied = tree.apply(await this.walk(l.diffId, l.dir), i === upTo);
      }
      const s = { tree, applied: applied! };
      this.states.set(key, s);
      return s;
    });
  }

  /** `nscope image layers`: every layer with its sizes and counts. */
  async summary(ref: string): Promise<ImageLayersResult> {
    const img = this.images.inspect(ref);
    const cached = this.summaries.get(img.digest);
    if (cached) return { ...cached, name: img.name };
    return this.once(`summary ${img.digest}`, async () => {
      const history = historyOf(img);
      const tree = new MergedTree();
      const layers = [];
      for (let i = 0; i < img.layers.length; i++) {
        const l = img.layers[i];
        const r = tree.apply(await this.walk(l.diffId, l.dir), false);
        const h = history.find((x) => x.layer === i);
        layers.push({
          index: i, digest: l.digest, diffId: l.diffId, mediaType: l.mediaType, blobSize: l.size,
          createdBy: h?.createdBy, created: h?.created, comment: h?.comment,
          size: r.size, cumulativeSize: tree.visible, hiddenSize: r.hidden,
          added: r.added, changed: r.changed, deleted: r.deleted, entries: r.entries,
        });
      }
      const out: ImageLayersResult = { name: img.name, id: img.id, digest: img.digest, size: tree.visible, layers, history };
      this.summaries.set(img.digest, out);
      return out;
    });
  }

  /** One layer's own changes (A/C/D against the layers below it), sorted by path, paged. */
  async changes(ref: string, layer: LayerRef, page: Page = {}): Promise<LayerChangesResult> {
    const { offset, limit } = pageOf(page);
    const img = this.images.inspect(ref);
    const index = this.layerIndex(img, layer);
    const all: LayerChangeInfo[] = (await this.state(img, index)).applied.changes!;
    const changes = all.slice(offset, offset + limit);
    const res: LayerChangesResult = { layer: index, digest: img.layers[index].digest, total: all.length, offset, changes };
    if (offset + changes.length < all.length) res.next = offset + changes.length;
    return res;
  }

  /** One directory of the merged tree up to layer `layer`, sorted by name, paged. */
  async tree(ref: string, layer: LayerRef, dir = '/', page: Page = {}): Promise<LayerTreeResult> {
    const { offset, limit } = pageOf(page);
    if (typeof dir !== 'string') throw invalid('path: not a string');
    const img = this.images.inspect(ref);
    const index = this.layerIndex(img, layer);
    const { tree } = await this.state(img, index);
    const clean = '/' + dir.split('/').filter((p) => p && p !== '.').join('/');
    if (clean.split('/').includes('..')) throw invalid(`path "${dir}": ".." is not allowed`);
    const node = tree.lookup(clean);
    if (!node) throw notFound(`${clean}: no such file or directory in image ${img.name} up to layer ${index}`);
    if (!node.children) throw invalid(`${clean}: not a directory (a ${node.type}) in image ${img.name} up to layer ${index}`);
    const names = [...node.children.keys()].sort(byteOrder);
    const entries: LayerTreeEntry[] = names.slice(offset, offset + limit).map((name) => {
      const n = node.children!.get(name)!;
      const e: LayerTreeEntry = {
        name, path: clean === '/' ? `/${name}` : `${clean}/${name}`, type: n.type, size: tree.total(n),
        mode: n.mode, uid: n.uid, gid: n.gid, mtime: n.mtime, layer: n.layer,
      };
      if (n.linkTarget !== undefined) e.linkTarget = n.linkTarget;
      if (n.layer === index) e.change = n.change;
      if (n.children) e.children = n.children.size;
      return e;
    });
    const res: LayerTreeResult = { layer: index, path: clean, total: names.length, offset, entries };
    if (offset + entries.length < names.length) res.next = offset + entries.length;
    return res;
  }
}
