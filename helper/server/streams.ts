// A stream connection after its `stream.open` handshake (helper/protocol/streams.ts).
import type { Socket } from 'net';
import { invalid } from '../errors';
import { FRAME_HEADER, FRAME_STDERR, FRAME_STDOUT, type StreamOpenParams } from '../protocol';
import type { ExecSession } from '../runtime/exec';
import type { ContainerManager } from '../runtime/manager';
import type { ImageStore } from '../images/store';
import { openExportStream } from './handlers/layers';
import { followLog, tailOffset } from '../runtime/logs';
import { connectUnix } from '../runtime/unix-socket';

export interface OpenedStream { result: { ok: true; execId?: string; size?: number }; pump: (sock: Socket) => Promise<void> }

/** Validates the request, starts what it asks for, and returns the pump. */
export async function openStream(p: StreamOpenParams, containers: ContainerManager, images?: ImageStore): Promise<OpenedStream> {
  if (!p || typeof p !== 'object') throw invalid('stream.open: params missing');
  if (p.kind === 'export') return openExportStream(p, images);
  if (p.kind === 'logs') {
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
  if (p.kind === 'attach') {
    const path = containers.attachSocket(p.id);
    const shim = await connectUnix(path);
    return { result: { ok: true }, pump: (sock) => relay(sock, shim) };
  }
  if (p.kind === 'exec') {
    const { kind: _kind, ...opts } = p;
    const s = await containers.exec(opts);
    return { result: { ok: true, execId: s.execId }, pump: (sock) => pumpExec(s, sock) };
  }
  throw invalid(`stream.open: unknown kind "${String((p as { kind?: unknown }).kind)}"`);
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

/** Our side is done: send what is left, then close the fd whether or not the client ends its side. */
function finish(sock: Socket): void {
  sock.end(() => sock.destroy());
}
