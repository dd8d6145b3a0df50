// A tar sent into a container on a `cp-in` stream (`nscope cp`, `nscope build`,
// VS Code): written with the socket's backpressure, then the helper's one-line
// answer says whether it is in place.
import { upload } from '../protocol/upload';
import type { CopyInDone, StreamOpenParams } from '../protocol/types';

type CopyInParams = Extract<StreamOpenParams, { kind: 'cp-in' }>;

/** Sends a tar into a container on a `cp-in` stream and waits for the helper's word that it is in place. */
export async function sendArchive(socket: string, params: CopyInParams, body: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  await upload<CopyInDone>(socket, params, body, 'copy');
}
