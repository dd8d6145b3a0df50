// stream.open kind "export": images as an OCI layout tar (helper/images/export.ts). The client
// writes the file itself, with its own permissions: the helper (root) never
// opens a path a caller names for writing. The result's `size` is the
// archive's length, so the client can tell a complete archive from a cut one.
import { invalid } from '../../errors';
import { planExport } from '../../images/export';
import { platformParam } from '../../registry/manifest';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

export function openExportStream(p: StreamParams<'export'>, { images }: StreamServices): OpenedStream {
  if (!images) throw invalid('stream.open: export is not available here');
  const plan = planExport(images, p.refs ?? p.ref, { platform: platformParam(p.platform, 'export') });
  return {
    result: { ok: true, size: plan.size },
    pump: async (sock) => {
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
      finish(sock);
    },
  };
}
