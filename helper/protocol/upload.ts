// The client's side of an upload stream (cp-in, image-import): the body written
// with the socket's backpressure, the input half-closed, then the helper's
// one-line JSON answer ({error} or the kind's result).
import { once } from 'events';
import { openStreamWithResult } from './client';
import type { StreamOpenParams } from './types';

/** Sends `body` on a new stream of `params`; the helper's last line, parsed, or its `error` thrown. `what` names the upload in that error. */
export async function upload<Done extends object>(socket: string, params: StreamOpenParams, body: Iterable<Buffer> | AsyncIterable<Buffer>, what: string): Promise<Exclude<Done, { error: string }>> {
  const { sock } = await openStreamWithResult(socket, params);
  let reply = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => { reply += d; });
  // the helper may refuse mid-way (a bad archive) and close: its answer says why
  sock.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => { sock.once('end', resolve); sock.once('close', resolve); });
  sock.resume();
  for await (const b of body) {
    if (sock.destroyed || !sock.writable) break;
    if (!sock.write(b)) await Promise.race([once(sock, 'drain'), ended]);
  }
  if (!sock.destroyed) sock.end();
  await ended;
  let done: Done | { error: string };
  try { done = JSON.parse(reply.trim().split('\n').pop() ?? ''); } catch { throw new Error(`the helper closed the ${what} without saying how it ended`); }
  if ('error' in done) throw new Error(done.error);
  return done as Exclude<Done, { error: string }>;
}
