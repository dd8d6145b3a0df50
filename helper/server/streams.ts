// A stream connection after its `stream.open` handshake (helper/protocol/streams.ts).
import type { Socket } from 'net';
import { invalid } from '../errors';
import type { StreamOpenParams } from '../protocol';
import type { ContainerManager } from '../runtime/manager';
import { followLog, tailOffset } from '../runtime/logs';

/** Validates the request and returns the function that pumps the stream. */
export function openStream(p: StreamOpenParams, containers: ContainerManager): (sock: Socket) => Promise<void> {
  if (!p || typeof p !== 'object') throw invalid('stream.open: params missing');
  if (p.kind !== 'logs') throw invalid(`stream.open: unknown kind "${String(p.kind)}"`);
  if (p.tail !== undefined && (!Number.isInteger(p.tail) || p.tail < 0)) throw invalid(`--tail: ${p.tail} is not a count`);
  const { file, running } = containers.logPath(p.id);
  return async (sock) => {
    let closed = false;
    sock.on('close', () => { closed = true; });
    const offset = tailOffset(file, p.tail);
    await followLog(file, offset, (b) => sock.write(b), () => !p.follow || !running(), () => closed);
    sock.end();
  };
}
