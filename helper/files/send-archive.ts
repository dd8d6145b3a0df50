// A tar sent into a container on a `cp-in` stream (`nscope cp`, `nscope build`,
// VS Code): written with the socket's backpressure, then the helper's one-line
// answer says whether it is in place.
import { once } from 'events';
import { openStreamWithResult } from '../protocol/client';
import type { CopyInDone, StreamOpenParams } from '../protocol/types';

type CopyInParams = Extract<StreamOpenParams, { kind: 'cp-in' }>;

/** Sends a tar into a container on a `cp-in` stream and waits for the helper's word that it is in place. */
export async function sendArchive(socket: string, params: CopyInParams, body: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  const { sock } = await openStreamWithResult(socket, params);
  let reply = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => { reply += d; });
  const ended = once(sock, 'end');
  sock.resume();
  for await (const b of body) {
    if (sock.destroyed) break;
    if (!sock.write(b)) await Promise.race([once(sock, 'drain'), ended]);
  }
  sock.end();
  await ended;
  let done: CopyInDone;
  try { done = JSON.parse(reply.trim().split('\n').pop() ?? '') as CopyInDone; } catch { throw new Error('the helper closed the copy without saying how it ended'); }
  if ('error' in done) throw new Error(done.error);
}

