// The client's side of an `export` stream (`nscope save`, `image export`,
// the extension's Save Image…): the archive's bytes from the helper, handed
// to `sink` with its backpressure, and their count checked against the size
// the helper announced, so a cut archive is an error, never a short file.
// Writing a file: whole into a temp file beside it, then renamed into place.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { openStreamWithResult } from '../protocol/client';

/**
 * Streams the archive of `refs` from the helper at `socket` into `sink` (a
 * false return pauses until `drain()` resolves). `platform`: the images must
 * be of it (`save --platform`).
 */
export async function receiveExport(socket: string, refs: string[], sink: { write(b: Buffer): boolean; drain(): Promise<void> }, platform?: string): Promise<void> {
  const { sock, result } = await openStreamWithResult(socket, { kind: 'export', ref: refs[0], ...(refs.length > 1 ? { refs } : {}), ...(platform ? { platform } : {}) });
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
  if (result.size !== undefined && got !== result.size) throw new Error(`export of ${refs.join(', ')} was cut short: ${got} of ${result.size} bytes received`);
}

/** The file named cannot be one: a directory, or in a directory that is not there (the CLI's usage error). */
export class ArchiveTargetError extends Error {}

/** The archive of `refs` written to `file` (checked writable first; nothing left there on failure). */
export async function exportToPath(socket: string, refs: string[], file: string, platform?: string): Promise<void> {
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
    await receiveExport(socket, refs, {
      write: (b) => { for (let off = 0; off < b.length;) off += fs.writeSync(fd, b, off); return true; },
      drain: () => Promise.resolve(),
    }, platform);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
