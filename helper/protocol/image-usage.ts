// What images hold on disk, for the prune commands (the CLI's and the
// extension's, ./prune-images.ts) and `system df`: every
// image (the build cache's too) with its layers, so that a layer two images
// share is counted once, and what removing some of them would free.
import type { ImageDetailInfo, ImageSummaryInfo } from './types';
import type { Requester } from './requester';

export interface ImageUsage {
  /** image.list { all }: one entry per name (an image with two names is there twice) */
  list: ImageSummaryInfo[];
  /** each image once, by ID, with its layers */
  byId: Map<string, ImageDetailInfo>;
}

/** Every image (the build cache's too) with its layers. */
export async function imagesWithLayers(c: Requester): Promise<ImageUsage> {
  const list = await c.request('image.list', { all: true });
  const byId = new Map<string, ImageDetailInfo>();
  for (const i of list) {
    if (byId.has(i.id)) continue;
    try { byId.set(i.id, await c.request('image.inspect', { ref: i.id })); } catch { /* removed meanwhile */ }
  }
  return { list, byId };
}

export const layerSize = (l: ImageDetailInfo['layers'][number]): number => l.unpackedSize ?? l.size;

/** Bytes of the layers only `gone` images use (what removing them frees). */
export function freed(byId: Map<string, ImageDetailInfo>, gone: Set<string>): number {
  const kept = new Set<string>();
  for (const [id, d] of byId) if (!gone.has(id)) for (const l of d.layers) kept.add(l.diffId);
  const sizes = new Map<string, number>();
  for (const id of gone) for (const l of byId.get(id)?.layers ?? []) if (!kept.has(l.diffId)) sizes.set(l.diffId, layerSize(l));
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/** When an image was made, for ordering: its created time, then its depth (a step's image comes after its parent's in the same second). */
export function age(d: ImageDetailInfo): [number, number] {
  return [Date.parse(d.created ?? '') || 0, d.layers.length];
}
const older = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/**
 * Bytes of the layer an image's own step made: its top layer, unless an
 * older image has that layer already (an ENV or LABEL step makes none).
 * What a build cache entry is "worth", as BuildKit sizes a record by its own
 * snapshot (`system df -v`'s SIZE, builder prune --keep-storage).
 */
export function madeBytes(byId: Map<string, ImageDetailInfo>, id: string): number {
  const d = byId.get(id);
  const top = d?.layers.at(-1);
  if (!d || !top) return 0;
  const mine = age(d);
  for (const [oid, o] of byId) if (oid !== id && older(age(o), mine) && o.layers.some((l) => l.diffId === top.diffId)) return 0;
  return layerSize(top);
}

/** An image's labels (its config's Labels), for the prune commands' label filters. */
export function imageLabels(d: ImageDetailInfo | undefined): Record<string, string> {
  const cfg = (d?.config as { config?: { Labels?: Record<string, string> | null } } | undefined)?.config;
  return cfg?.Labels ?? {};
}
