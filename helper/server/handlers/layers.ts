// Layers of an image, commit, and the `export` byte stream.
import type { Socket } from 'net';
import { invalid } from '../../errors';
import { planExport } from '../../images/export';
import { LayerExplorer } from '../../images/layers-info';
import type { ImageStore } from '../../images/store';
import type { LayerMethods, StreamOpenParams } from '../../protocol';
import { commitContainer } from '../../rootfs/commit';
import type { OpenedStream } from '../streams';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function layerHandlers(s: HelperServices): AreaHandlers<keyof LayerMethods> {
  const explorer = new LayerExplorer(s.images);
  return {
    'image.layers': (p) => explorer.summary(obj(p).ref),
    'image.layerChanges': (p) => explorer.changes(obj(p).ref, p.layer, p),
    'image.layerTree': (p) => explorer.tree(obj(p).ref, p.layer, p.path ?? '/', p),
    'container.commit': async (p) => {
      const { id, name, message, author, changes, pause } = obj(p);
      const l = s.containers.layers(id);
      const d = s.containers.inspect(l.id);
      const res = await commitContainer(s.images, {
        id: l.id, name: l.name, status: l.status, imageId: l.imageId, command: d.command,
        upper: l.upper, lower: l.lower, cgroup: d.cgroup, freezeMarker: s.containers.freezeMarker(l.id), idMap: l.idMap,
      }, { name, message, author, changes, pause });
      s.emitImage('image.added', res.id, res.name);
      return res;
    },
  };
}

/**
 * stream.open kind "export": the image as an OCI layout tar. The client
 * writes the file itself, with its own permissions: the helper (root) never
 * opens a path a caller names for writing. The result's `size` is the
 * archive's length, so the client can tell a complete archive from a cut one.
 */
export function openExportStream(p: Extract<StreamOpenParams, { kind: 'export' }>, images: ImageStore | undefined): OpenedStream {
  if (!images) throw invalid('stream.open: export is not available here');
  const plan = planExport(images, p.ref);
  return {
    result: { ok: true, size: plan.size },
    pump: async (sock: Socket) => {
      let closed = false;
      sock.on('close', () => { closed = true; });
      sock.on('error', () => { closed = true; });
      // input from the client is not expected: drain it so the socket does not stall
      sock.resume();
      try {
        await plan.write((b) => new Promise<void>((resolve) => {
          if (closed || sock.destroyed) { resolve(); return; }
          if (sock.write(b)) resolve();
          else {
            const done = () => { sock.off('drain', done); sock.off('close', done); resolve(); };
            sock.once('drain', done);
            sock.once('close', done);
          }
        }), () => closed || sock.destroyed);
      } finally {
        plan.close();
      }
      // send what is left, then close whatever the client does
      sock.end(() => sock.destroy());
    },
  };
}
