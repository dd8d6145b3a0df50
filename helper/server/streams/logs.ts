// stream.open kind "logs": the container's json-file log lines, from the
// start or the last `tail`, and with `follow` until the container has exited.
import { invalid } from '../../errors';
import { followLog, tailOffset } from '../../runtime/logs';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

export function openLogStream(p: StreamParams<'logs'>, { containers }: StreamServices): OpenedStream {
  if (p.tail !== undefined && (!Number.isInteger(p.tail) || p.tail < 0)) throw invalid(`--tail: ${p.tail} is not a count`);
  const { file, running } = containers.logPath(p.id);
  return {
    result: { ok: true },
    pump: async (sock) => {
      let closed = false;
      sock.on('close', () => { closed = true; });
      await followLog(file, tailOffset(file, p.tail), (b) => sock.write(b), () => !p.follow || !running(), () => closed);
      finish(sock);
    },
  };
}
