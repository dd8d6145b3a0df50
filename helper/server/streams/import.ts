// stream.open kind "image-import": Import Image…, `nscope load` and `image
// import` against a helper that cannot read the client's files (a host over
// ssh), and `nscope import` (a filesystem tarball, `rootfs`). The client
// streams the archive and half-closes; the helper extracts it as it comes
// (the same checks as a file: helper/images/archive.ts) or, for a rootfs,
// keeps it as the new image's one layer (helper/rootfs/import-image.ts), and
// answers one ImportDone line. `size`, when the client gives it, must be met exactly
// before anything is stored: a client that dies mid-upload also ends the
// stream (EOF), and a tar cut at an entry's edge would otherwise parse as a
// shorter, valid archive.
import * as fs from 'fs';
import type { Socket } from 'net';
import * as path from 'path';
import { Readable } from 'stream';
import { checkRootfsImport, importRootfs, type CheckedRootfsImport } from '../../rootfs/import-image';
import { describe, invalid, NscopeError } from '../../errors';
import type { ImageSummaryInfo, ImportDone } from '../../protocol/types';
import { platformParam } from '../../registry/manifest';
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
  const platform = platformParam(p.platform, 'image-import');
  if (platform !== undefined && p.rootfs !== undefined) throw invalid('image-import: platform picks from an image archive; a filesystem tarball takes rootfs.platform');
  // a rootfs import's name and changes are checked before the upload, not after it
  const rootfs = p.rootfs === undefined ? undefined : checkRootfsImport({ ...(p.rootfs as object), name: p.name });
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
      // every byte announced, and no fewer: a cut upload imports nothing
      const complete = () => {
        if (size !== undefined && got !== size) throw invalid(`image-import: the upload ended after ${got} of ${size} bytes; nothing imported`);
      };
      let done: ImportDone;
      try {
        const added = rootfs ? [await importRootfsFrom(images, pull, complete, rootfs)] : await images.importArchive(
          // a generator of our own: the tar reader's destroy() ends it, not the socket
          Readable.from((async function* () { for (let r = await pull(); !r.done; r = await pull()) yield r.value as Buffer; })(), { objectMode: false }),
          {
            name: p.name,
            platform,
            afterExtract: async () => {
              // the tar's end marker may come before the stream's end (record padding): read the rest
              while (!(await pull()).done) { /* counted */ }
              complete();
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

/** A rootfs upload: its bytes to a file of the store's temp dir, then that file the new image's layer. */
async function importRootfsFrom(images: NonNullable<StreamServices['images']>, pull: () => Promise<IteratorResult<unknown>>,
  complete: () => void, opts: CheckedRootfsImport): Promise<ImageSummaryInfo> {
  const tmp = images.newTmp('rootfs');
  try {
    const file = path.join(tmp, 'layer');
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      for (let r = await pull(); !r.done; r = await pull()) {
        const b = r.value as Buffer;
        for (let off = 0; off < b.length;) off += fs.writeSync(fd, b, off);
      }
    } finally {
      fs.closeSync(fd);
    }
    complete();
    if (fs.statSync(file).size === 0) throw invalid('import: the tarball is empty');
    return await importRootfs(images, file, opts);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
