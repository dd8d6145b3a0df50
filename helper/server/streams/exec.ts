// stream.open kind "exec": a new process in a running container; raw bytes
// with a tty, else stdout/stderr in Docker's attach frames.
import type { Socket } from 'net';
import { FRAME_HEADER, FRAME_STDERR, FRAME_STDOUT } from '../../protocol';
import type { ExecSession } from '../../runtime/exec';
import { invalid } from '../../errors';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

export async function openExecStream(p: StreamParams<'exec'>, { containers }: StreamServices): Promise<OpenedStream> {
  const { kind: _kind, detach, ...opts } = p;
  if (detach !== undefined && typeof detach !== 'boolean') throw invalid('exec: "detach" must be a boolean');
  // detached: no stdin, and nothing a client could miss: nothing ties the process to this connection
  const s = await containers.exec(detach ? { ...opts, interactive: false } : opts);
  if (detach) {
    const [stdin, stdout, stderr] = s.stdio;
    stdin.end();
    for (const out of [stdout, stderr]) { out.on('error', () => undefined); out.resume(); }
    return { result: { ok: true, execId: s.execId }, pump: async (sock) => finish(sock) };
  }
  return { result: { ok: true, execId: s.execId }, pump: (sock) => pumpExec(s, sock) };
}

function frame(stream: number, data: Buffer): Buffer {
  const h = Buffer.alloc(FRAME_HEADER);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

/** Client <-> exec'd process; the socket closes once the process has ended and its output is sent. */
async function pumpExec(s: ExecSession, sock: Socket): Promise<void> {
  const [stdin, stdout, stderr] = s.stdio;
  stdin.on('error', () => undefined);
  if (s.interactive) sock.pipe(stdin);
  else stdin.end();
  sock.resume();
  const done: Promise<void>[] = [];
  for (const [src, id] of [[stdout, FRAME_STDOUT], [stderr, FRAME_STDERR]] as const) {
    done.push(new Promise((resolve) => {
      src.on('data', (d: Buffer) => { if (!sock.destroyed) sock.write(s.tty ? d : frame(id, d)); });
      src.on('end', resolve);
      src.on('error', () => resolve());
    }));
  }
  // The client went away: hang up (a tty shim closes the pty; the process gets SIGHUP).
  sock.on('close', () => {
    stdin.end();
    if (s.status.running && !s.tty) { stdout.destroy(); stderr.destroy(); }
  });
  await s.ended;
  await Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 500))]);
  finish(sock);
}
