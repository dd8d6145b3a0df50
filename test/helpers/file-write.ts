// A save as the extension sends it: a `file-write` stream with the content,
// half-closed, and the helper's one-line answer (CopyInDone) back.
import { openStream } from '../../helper/protocol/client';
import type { CopyInDone, StreamOpenParams } from '../../helper/protocol/types';

export type FileWriteParams = Omit<Extract<StreamOpenParams, { kind: 'file-write' }>, 'kind'>;

export async function fileWrite(socket: string, params: FileWriteParams, content: string | Buffer): Promise<CopyInDone> {
  const sock = await openStream(socket, { kind: 'file-write', ...params });
  return new Promise((resolve, reject) => {
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (x: string) => { text += x; });
    sock.on('end', () => resolve(JSON.parse(text.trim()) as CopyInDone));
    sock.on('error', reject);
    sock.resume();
    sock.end(content);
  });
}
