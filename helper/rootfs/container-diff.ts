// container.diff (`docker diff`): a container's rw layer against what lies
// under it, its image's layers and its init layer. The init layer's own files
// are never reported: nscope writes them per container, commit leaves them out.
import * as fs from 'fs';
import { notFound, NscopeError } from '../errors';
import type { DiffResult } from '../protocol/types/diff';
import { diffLayer } from './diff';
import { INIT_LAYER_FILES } from './initlayer';
import type { ContainerLayerSource } from './layout';
import { MAX_WALK_ENTRIES } from './walk';

export async function diffContainer(containers: ContainerLayerSource, ref: string, details: boolean): Promise<DiffResult> {
  const l = containers.layers(ref);
  if (!fs.existsSync(l.upper)) throw notFound(`container ${l.name}: its rw layer is gone`);
  try {
    const changes = await diffLayer(l.upper, [...l.lower, l.init], { details, exclude: INIT_LAYER_FILES, upperIds: l.idMap });
    return { id: l.id, changes };
  } catch (e) {
    // the walk's own limit, said as what the user asked for
    if (/more than \d+ entries$/.test((e as Error).message)) throw new NscopeError('unsupported', `container ${l.name}: its rw layer has more than ${MAX_WALK_ENTRIES} entries, too many to diff`);
    throw e;
  }
}
