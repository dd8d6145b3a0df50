// An image made of a config change alone, no new layer: the base of a build
// stage `FROM scratch` (no parent: zero layers, the host's platform), and the
// ENV/CMD/LABEL… that end a stage (Docker records them as `empty_layer`
// history entries, not as empty layers).
import { invalid } from '../errors';
import { normalizeName } from '../images/names';
import { hostPlatform, type OciHistory, type OciImageConfig } from '../images/oci';
import type { ImageStore } from '../images/store';
import type { ImageSummary } from '../images/store';
import { applyChanges } from './commit-change';

export interface ConfigImageOptions {
  name: string;
  /** the image whose layers and config are kept; none: an empty image (scratch) */
  parent?: string;
  /** Dockerfile instructions as `commit --change` takes them */
  changes?: string[];
  /** the history entry's comment */
  message?: string;
  /** the history entry's created_by (`nscope build`: the instructions as written); else the changes */
  createdBy?: string;
  /** the image's author and the history entry's (`nscope build`'s MAINTAINER, as Docker records it) */
  author?: string;
}

/**
 * The empty image's `created` is fixed (the epoch): the same host makes the
 * same scratch image ID every time, so a build's layer cache keyed on it hits.
 */
const SCRATCH_CREATED = new Date(0).toISOString();

export async function configImage(images: ImageStore, o: ConfigImageOptions): Promise<ImageSummary> {
  if (!o || typeof o !== 'object') throw invalid('image.create: options missing');
  const name = normalizeName(o.name, 'image.create: name');
  if (o.message !== undefined && typeof o.message !== 'string') throw invalid('image.create: message must be a string');
  for (const [k, v] of [['message', o.message], ['createdBy', o.createdBy], ['author', o.author]] as const) {
    if (v !== undefined && typeof v === 'string' && v.length > 65536) throw invalid(`image.create: ${k} is ${v.length} characters; at most 65536`);
  }
  if (o.createdBy !== undefined && typeof o.createdBy !== 'string') throw invalid('image.create: createdBy must be a string');
  if (o.author !== undefined && typeof o.author !== 'string') throw invalid('image.create: author must be a string');
  const parent = o.parent === undefined ? undefined : images.inspect(o.parent);
  // addImage fills in rootfs from the layers it is given (the parent's)
  const base: OciImageConfig = parent?.config
    ?? { created: SCRATCH_CREATED, ...hostPlatform(), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
  const changed = applyChanges(base.config ?? {}, o.changes);
  if (!o.changes?.length && !o.author) return images.addImage(name, { ...base, config: changed }, [], { parent: parent?.id });
  const created = new Date().toISOString();
  const entry: OciHistory = { created, created_by: o.createdBy || (o.changes ?? []).join('; '), empty_layer: true };
  if (o.message) entry.comment = o.message;
  if (o.author) entry.author = o.author;
  const history = [...(Array.isArray(base.history) ? base.history : []), entry];
  return images.addImage(name, { ...base, created, config: changed, history, ...(o.author ? { author: o.author } : {}) }, [], { parent: parent?.id });
}
