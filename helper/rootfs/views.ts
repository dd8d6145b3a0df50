// The layers a file view reads (file.list / file.stat / file.read): a
// FileSource (helper/protocol/types/diff.ts) names a container or an image
// and one view of it; this resolves it to layer directories, bottom to top,
// for read.ts.
import * as path from 'path';
import { invalid, notFound } from '../errors';
import type { ImageStore } from '../images/store';
import type { FileLayer, FileSource } from '../protocol/types/diff';
import type { ContainerLayerSource } from './layout';
import type { View, ViewLayer } from './read';

const HEX_PREFIX = /^(sha256:)?[0-9a-f]{12,64}$/;

/** Picks one of `layers` by index, digest, diff_id or a unique hex prefix (12+ digits). */
function pickLayer(layers: ViewLayer[], spec: number | string, label: string): number {
  if (typeof spec === 'number') {
    const imageLayers = layers.filter((l) => typeof l.ref.layer === 'number').length;
    if (!Number.isInteger(spec) || spec < 0 || spec >= imageLayers) throw notFound(`${label}: no layer ${spec} (it has ${imageLayers}, 0 to ${imageLayers - 1})`);
    return spec;
  }
  if (typeof spec !== 'string' || !spec) throw invalid('layer must be an index, a digest or diff_id, or "init"/"rw"');
  if (/^\d+$/.test(spec)) return pickLayer(layers, Number(spec), label);
  const named = layers.findIndex((l) => l.ref.layer === spec);
  if (named >= 0) return named;
  if (!HEX_PREFIX.test(spec)) throw invalid(`layer "${spec}": not an index, a sha256 digest or diff_id${layers.some((l) => l.ref.layer === 'rw') ? ', "init" or "rw"' : ''}`);
  const hex = spec.replace(/^sha256:/, '');
  const hits = new Set<number>();
  layers.forEach((l, i) => {
    for (const d of [l.ref.diffId, l.ref.digest]) if (d && d.slice(7).startsWith(hex)) hits.add(i);
  });
  if (hits.size > 1) throw invalid(`${label}: layer "${spec}" is ambiguous`);
  if (!hits.size) throw notFound(`${label}: no layer ${spec}`);
  return [...hits][0];
}

/** The layers a FileSource names, bottom to top. */
export function viewOf(containers: ContainerLayerSource, images: ImageStore, p: FileSource): View {
  if (!!p.container === !!p.image) throw invalid('give either a container or an image');
  if (p.view !== undefined && !['container', 'image', 'layer'].includes(p.view)) throw invalid(`view "${String(p.view)}": not container, image or layer`);
  let imageLayers: ViewLayer[];
  let own: ViewLayer[] = [];
  let label: string;
  if (p.container) {
    const l = containers.layers(p.container);
    label = `container ${l.name}`;
    const digests = new Map<string, string>();
    try { for (const x of images.inspect(l.imageId).layers) digests.set(x.diffId, x.digest); } catch { /* image gone: diff_ids only */ }
    imageLayers = l.lower.map((dir, i) => {
      const diffId = `sha256:${path.basename(dir)}`;
      return { dir, ref: { layer: i, diffId, digest: digests.get(diffId) } };
    });
    own = [{ dir: l.init, ref: { layer: 'init' } }, { dir: l.upper, ref: { layer: 'rw' }, ids: l.idMap }];
  } else {
    const img = images.inspect(p.image!);
    label = `image ${img.name}`;
    imageLayers = img.layers.map((x, i) => ({ dir: x.dir, ref: { layer: i, diffId: x.diffId, digest: x.digest } as FileLayer }));
  }
  const view = p.view ?? (p.container ? 'container' : 'image');
  switch (view) {
    case 'container':
      if (!p.container) throw invalid('view "container" needs a container');
      if (p.layer !== undefined) throw invalid('view "container" takes no layer (use view "layer" or "image")');
      return { layers: [...imageLayers, ...own], raw: false, label };
    case 'image': {
      const top = p.layer === undefined ? imageLayers.length - 1 : pickLayer(imageLayers, p.layer, label);
      const what = p.layer === undefined ? (p.container ? ' (its image)' : '') : ` (up to layer ${top})`;
      return { layers: imageLayers.slice(0, top + 1), raw: false, label: `${label}${what}` };
    }
    case 'layer': {
      if (p.layer === undefined) throw invalid('view "layer" needs a layer');
      const all = [...imageLayers, ...own];
      const i = pickLayer(all, p.layer, label);
      const ref = all[i].ref;
      return { layers: [all[i]], raw: true, label: `${label} (layer ${ref.layer})` };
    }
  }
}
