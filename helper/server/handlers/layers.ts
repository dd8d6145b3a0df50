// Layers of an image, and commit. (The `export` byte stream is a pump: ../streams/export.ts.)
import { LayerExplorer } from '../../images/layers-info';
import type { LayerMethods } from '../../protocol';
import { commitContainer } from '../../rootfs/commit';
import { commitSourceOf } from '../../runtime/commit-source';
import { refuseEngine } from './engine-route';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function layerHandlers(s: HelperServices): AreaHandlers<keyof LayerMethods> {
  const explorer = new LayerExplorer(s.images);
  return {
    'image.layers': (p) => explorer.summary(obj(p).ref),
    'image.layerChanges': (p) => explorer.changes(obj(p).ref, p.layer, p),
    'image.layerTree': (p) => explorer.tree(obj(p).ref, p.layer, p.path ?? '/', p),
    'container.commit': async (p) => {
      const { id, name, message, author, createdBy, changes, pause, exclude } = obj(p);
      refuseEngine(s, id, 'commit');
      const res = await commitContainer(s.images, commitSourceOf(s.containers, id), { name, message, author, createdBy, changes, pause, exclude });
      s.emitImage('image.added', res.id, res.name);
      return res;
    },
  };
}
