// stream.open kind "attach": the client joined to the shim's attach socket
// (a container created with tty or interactive) until the container ends.
import type { Socket } from 'net';
import { connectUnix } from '../../runtime/unix-socket';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

export async function openAttachStream(p: StreamParams<'attach'>, { containers }: StreamServices): Promise<OpenedStream> {
  const path = containers.attachSocket(p.id);
  const shim = await connectUnix(path);
  return { result: { ok: true }, pump: (sock) => relay(sock, shim) };
}

/** Both ways, verbatim; each side's end is passed on (stdin EOF), the shim's close ends the stream. */
function relay(client: Socket, shim: Socket): Promise<void> {
  return new Promise((resolve) => {
    client.pipe(shim);
    shim.pipe(client);
    client.on('error', () => shim.destroy());
    shim.on('error', () => client.destroy());
    client.on('close', () => { shim.destroy(); resolve(); });
    shim.on('close', () => { finish(client); resolve(); });
    client.resume();
  });
}
