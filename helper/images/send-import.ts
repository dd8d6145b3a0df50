// The client's side of an `image-import` stream (Import Image…, `nscope load`
// against a host over ssh, `nscope import`): the archive's bytes with the
// socket's backpressure, its length announced so a cut upload imports
// nothing, then the helper's one-line answer.
import * as fs from 'fs';
import { upload } from '../protocol/upload';
import type { ImageSummaryInfo, ImportDone, StreamOpenParams } from '../protocol/types';

type ImportParams = Extract<StreamOpenParams, { kind: 'image-import' }>;

/**
 * Streams the archive `file` (a path on this machine, or '-' for stdin) to the
 * helper at `socket`; the images it added. `rootfs`: `file` is a filesystem
 * tarball to make an image of (`nscope import`). `platform`: only the
 * archive's images of that platform (`load --platform`).
 */
export async function sendImport(socket: string, file: string, name?: string, rootfs?: ImportParams['rootfs'], platform?: string): Promise<ImageSummaryInfo[]> {
  const stdin = file === '-';
  let size: number | undefined;
  let input: NodeJS.ReadableStream;
  if (stdin) input = process.stdin;
  else {
    // opened before the stream: a missing or unreadable file is the user's error, named here
    let fd: number;
    try { fd = fs.openSync(file, 'r'); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
    }
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) { fs.closeSync(fd); throw new Error(`${file} is a directory, not an image archive`); }
    if (st.isFile()) size = st.size;
    input = fs.createReadStream('', { fd });
  }
  try {
    const done = await upload<ImportDone>(socket, { kind: 'image-import', ...(name ? { name } : {}), ...(size !== undefined ? { size } : {}), ...(rootfs ? { rootfs } : {}), ...(platform ? { platform } : {}) }, input as AsyncIterable<Buffer>, 'import');
    return done.images;
  } finally {
    if (!stdin) (input as fs.ReadStream).destroy();
  }
}
