// The client's side of an archive the helper streams (`nscope save`, `image
// export`, `nscope export` of a container, the extension's Save Image… and
// Export Container…): the bytes handed to `sink` with its backpressure; an
// image archive's count checked against the size the helper announced, a
// container's tar against its end-of-archive blocks, so a cut archive is an
// error, never a short file. Writing a file: whole into a temp file beside
// it, then renamed into place.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { openStreamWithResult } from '../protocol/client';
import type { Result, StreamOpenParams } from '../protocol';

export interface Sink { write(b: Buffer): boolean; drain(): Promise<void> }

/** The bytes of a stream of `params` into `sink` (a false return pauses until `drain()` resolves); the handshake's result and the count. */
async function receiveStream(socket: string, params: StreamOpenParams, sink: Sink): Promise<{ result: Result<'stream.open'>; got: number }> {
  const { sock, result } = await openStreamWithResult(socket, params);
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    sock.on('data', (b: Buffer) => {
      got += b.length;
      let more = true;
      try { more = sink.write(b); } catch (e) { sock.destroy(); reject(e); return; }
      if (!more) { sock.pause(); sink.drain().then(() => sock.resume(), (e) => { sock.destroy(); reject(e); }); }
    });
    sock.on('error', reject);
    // the helper ends its side when the archive is complete (the socket is half-open: end ours too)
    sock.on('end', () => { sock.end(); resolve(); });
    sock.on('close', () => resolve());
    sock.resume();
  });
  return { result, got };
}

/**
 * Streams the archive of `refs` from the helper at `socket` into `sink`.
 * `platform`: the images must be of it (`save --platform`).
 */
export async function receiveExport(socket: string, refs: string[], sink: Sink, platform?: string): Promise<void> {
  const { result, got } = await receiveStream(socket, { kind: 'export', ref: refs[0], ...(refs.length > 1 ? { refs } : {}), ...(platform ? { platform } : {}) }, sink);
  if (result.size !== undefined && got !== result.size) throw new Error(`export of ${refs.join(', ')} was cut short: ${got} of ${result.size} bytes received`);
}

/**
 * Streams container `id`'s root filesystem as a tar into `sink` (`nscope
 * export`: a running one's without its mounts). The packer ends a whole
 * archive with two zero blocks: without them the copy was cut short.
 */
export async function receiveContainerExport(socket: string, id: string, sink: Sink): Promise<void> {
  let tail: Buffer = Buffer.alloc(0);
  await receiveStream(socket, { kind: 'cp-out', id, path: '/', rootfs: true }, {
    write: (b) => { tail = b.length >= 1024 ? b.subarray(b.length - 1024) : Buffer.concat([tail, b]).subarray(-1024); return sink.write(b); },
    drain: () => sink.drain(),
  });
  if (tail.length < 1024 || tail.some((x) => x !== 0)) throw new Error(`export of ${id.slice(0, 12)} was cut short: the archive has no end`);
}

/** The file named cannot be one: a directory, or in a directory that is not there (the CLI's usage error). */
export class ArchiveTargetError extends Error {}

/** The archive of `refs` written to `file` (checked writable first; nothing left there on failure). */
export function exportToPath(socket: string, refs: string[], file: string, platform?: string): Promise<void> {
  return receiveToPath(file, (sink) => receiveExport(socket, refs, sink, platform));
}

/** What `receive` gives its sink, written to `file` (checked writable first; nothing left there on failure). */
export async function receiveToPath(file: string, receive: (sink: Sink) => Promise<void>): Promise<void> {
  const target = path.resolve(file);
  let st: fs.Stats | undefined;
  try { st = fs.statSync(target); } catch { /* new file */ }
  if (st?.isDirectory()) throw new ArchiveTargetError(`${file} is a directory`);
  if (!fs.existsSync(path.dirname(target))) throw new ArchiveTargetError(`${path.dirname(target)}: no such directory`);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try { fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot write ${file}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message}`);
  }
  try {
    await receive({
      write: (b) => { for (let off = 0; off < b.length;) off += fs.writeSync(fd, b, off); return true; },
      drain: () => Promise.resolve(),
    });
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
