// How every pump ends a stream (helper/protocol/types/streams.ts: the server closes it).
import type { Socket } from 'net';

/** Our side is done: send what is left, then close the fd whether or not the client ends its side. */
export function finish(sock: Socket): void {
  sock.end(() => sock.destroy());
}
