// The client's side of an `image-import` stream (Import Image…, `nscope image
// import` against a host over ssh): the archive's bytes with the socket's
// backpressure, its length announced so a cut upload imports nothing, then
// the helper's one-line answer.
import { once } from 'events';
import * as fs from 'fs';
import { openStreamWithResult } from '../protocol/client';
import type { ImageSummaryInfo, ImportDone } from '../protocol/types';

/** Streams the archive `file` (a path on this machine, or '-' for stdin) to the helper at `socket`; the images it added. */
export async function sendImport(socket: string, file: string, name?: string): Promise<ImageSummaryInfo[]> {
  const stdin = file === '-';
  let size: number | undefined;
  let input: NodeJS.ReadableStream;
  if (stdin) input = process.stdin;
  else {
    // opened before the stream: a missing or unreadable file is the user's error, named here
    const fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) { fs.closeSync(fd); throw new Error(`${file} is a directory, not an image archive`); }
    if (st.isFile()) size = st.size;
    input = fs.createReadStream('', { fd });
  }
  const { sock } = await openStreamWithResult(socket, { kind: 'image-import', ...(name ? { name } : {}), ...(size !== undefined ? { size } : {}) });
  let reply = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => { reply += d; });
  // the helper may refuse mid-way (a bad archive) and close: its answer says why
  sock.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => { sock.once('end', resolve); sock.once('close', resolve); });
  sock.resume();
  try {
    for await (const b of input) {
      if (sock.destroyed || !sock.writable) break;
      if (!sock.write(b)) await Promise.race([once(sock, 'drain'), ended]);
    }
  } finally {
    if (!stdin) (input as fs.ReadStream).destroy();
  }
  if (!sock.destroyed) sock.end();
  await ended;
  let done: ImportDone;
  try { done = JSON.parse(reply.trim().split('\n').pop() ?? '') as ImportDone; } catch { throw new Error('the helper closed the import without saying how it ended'); }
  if ('error' in done) throw new Error(done.error);
  return done.images;
}
