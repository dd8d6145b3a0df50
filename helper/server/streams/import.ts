// stream.open kind "image-import": Import Image… and `nscope image import`
// against a helper that cannot read the client's files (a host over ssh). The
// client streams the archive and half-closes; the helper extracts it as it
// comes (the same checks as a file: helper/images/archive.ts), and answers one
// ImportDone line. `size`, when the client gives it, must be met exactly
// before anything is stored: a client that dies mid-upload also ends the
// stream (EOF), and a tar cut at an entry's edge would otherwise parse as a
// shorter, valid archive.
import type { Socket } from 'net';
import { Readable } from 'stream';
import { describe, invalid, NscopeError } from '../../errors';
import type { ImportDone } from '../../protocol/types';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

/** 2^53: a size beyond it cannot be counted exactly (and is no real file) */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

export function openImportStream(p: StreamParams<'image-import'>, s: StreamServices): OpenedStream {
  const images = s.images;
  if (!images) throw invalid('stream.open: image import is not available here');
  if (p.name !== undefined && typeof p.name !== 'string') throw invalid('image-import: name must be a string');
  const size: unknown = p.size;
  if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_SIZE)) {
    throw invalid(`image-import: size ${String(size).slice(0, 40)} is not a whole number of bytes`);
  }
  return {
    result: { ok: true },
    pump: async (sock: Socket) => {
      // the socket stays open after its input ends: the answer goes back on it
      const it = sock.iterator({ destroyOnReturn: false });
      let got = 0;
      const pull = async () => {
        const r = await it.next();
        if (!r.done) {
          got += (r.value as Buffer).length;
          if (size !== undefined && got > size) throw invalid(`image-import: more than the ${size} bytes announced`);
        }
        return r;
      };
      // a generator of our own: the tar reader's destroy() ends it, not the socket
      const body = Readable.from((async function* () { for (let r = await pull(); !r.done; r = await pull()) yield r.value as Buffer; })(), { objectMode: false });
      let done: ImportDone;
      try {
        const added = await images.importArchive(body, {
          name: p.name,
          afterExtract: async () => {
            // the tar's end marker may come before the stream's end (record padding): read the rest
            while (!(await pull()).done) { /* counted */ }
            if (size !== undefined && got !== size) throw invalid(`image-import: the upload ended after ${got} of ${size} bytes; nothing imported`);
          },
        });
        for (const img of added) s.emitImage?.('image.added', img.id, img.name);
        done = { ok: true, images: added };
      } catch (e) {
        done = { error: describe(e), kind: e instanceof NscopeError ? e.code : 'failed' };
        // whatever the client still sends is not read: close rather than stall on it
      }
      if (!sock.destroyed) sock.write(JSON.stringify(done) + '\n');
      finish(sock);
    },
  };
}
