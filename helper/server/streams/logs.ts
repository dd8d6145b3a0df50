// stream.open kind "logs": the container's json-file log lines, from the
// start or the last `tail`, and with `follow` until the container has exited;
// `live` (an attached `run`): only what comes from now on, which a container
// with --log-driver none gives too (its output passes, nothing is kept).
import { invalid } from '../../errors';
import { followLog } from '../../runtime/logs';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

export function openLogStream(p: StreamParams<'logs'>, { containers }: StreamServices): OpenedStream {
  if (p.tail !== undefined && (!Number.isInteger(p.tail) || p.tail < 0)) throw invalid(`--tail: ${p.tail} is not a count`);
  if (p.live !== undefined && typeof p.live !== 'boolean') throw invalid('logs: live must be a boolean');
  if (p.details !== undefined && typeof p.details !== 'boolean') throw invalid('logs: details must be a boolean');
  const { file, running } = containers.logPath(p.id, !!p.live);
  return {
    result: p.details ? { ok: true, attrs: containers.logAttrs(p.id) } : { ok: true },
    pump: async (sock) => {
      let closed = false;
      sock.on('close', () => { closed = true; });
      // A client never sends on a log stream, so its FIN is its going away (Ctrl-C on logs -f). The
      // socket is paused and half-open: unread, its end is never seen, and a quiet container's
      // follower would hold its log's fd, the socket and a 25 ms poll until the container wrote again.
      sock.on('end', () => { closed = true; });
      sock.on('data', () => undefined);
      sock.resume();
      await followLog(file, p.tail, (b) => sock.write(b), () => !p.follow || !running(), () => closed, !!p.live);
      finish(sock);
    },
  };
}
