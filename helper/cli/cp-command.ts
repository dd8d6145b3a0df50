// `nscope cp`: Docker's `docker cp`, both ways, on the `cp-out`/`cp-in`
// streams (the helper's files worker does the container's side, chrooted into
// it). Where a copy lands follows Docker's rules: into an existing directory
// under the source's name, as DEST when DEST does not exist (its parent must),
// a directory's contents only when SRC ends in "/.", never a directory over a
// file; `-` is a tar on stdin or stdout. What comes out of a container is
// hostile: it is unpacked with the image unpacker's defences (no names,
// links or device nodes that reach outside DEST).
import { once } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import { UMASK } from '../images/unpack';
import { nativeTreeTar } from '../images/native-tar';
import { unpackCopy, type Placement } from '../files/copy-unpack';
import { openStreamWithResult } from '../protocol/client';
import { sendArchive } from '../files/send-archive';

import { bool, UsageError, type Parsed } from './args';
import type { Command, Ctx } from './command';

interface Location { container?: string; path: string }

/** `NAME:PATH` is in a container; `-`, an absolute or ./relative path, or one without ':' is local (Docker's rule). */
export function parseCpArg(arg: string): Location {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0) return { path: arg };
  const container = arg.slice(0, i);
  if (!container) throw new UsageError(`"${arg}": no container name before ':'`);
  return { container, path: arg.slice(i + 1) || '/' };
}

/** How the archive's top entry `top` ('.' for a container's root) lands: kept, renamed, or only its contents. */
function placement(top: string, how: { rename?: string; contents?: boolean }): Placement | undefined {
  if (top === '.') return how.rename ? { prepend: how.rename } : undefined;
  if (how.contents) return { top, contents: true };
  if (how.rename) return { top, to: how.rename };
  return undefined;
}

async function copyOut(ctx: Ctx, from: Location & { container: string }, dest: string, p: Parsed): Promise<void> {
  const toStdout = dest === '-';
  if (toStdout && process.stdout.isTTY) throw new UsageError('refusing to write an archive to a terminal: give a DEST, or redirect stdout');
  // where it goes is checked before anything is read from the container
  const target = toStdout ? '' : path.resolve(dest);
  let st: fs.Stats | undefined;
  if (!toStdout) try { st = fs.statSync(target); } catch { /* a new name */ }
  if (!toStdout && !st && (dest.endsWith('/') || !fs.existsSync(path.dirname(target)))) throw new Error(`${dest}: no such directory`);
  const { sock, result } = await openStreamWithResult(ctx.socket, { kind: 'cp-out', id: from.container, path: from.path, follow: bool(p, 'follow-link') });
  const stat = result.stat!;
  const label = `copy from ${from.container}:${from.path}`;
  const archive = endChecked(sock, label);
  if (toStdout) {
    for await (const b of archive) if (!process.stdout.write(b)) await once(process.stdout, 'drain');
    return;
  }
  const isDir = stat.type === 'dir';
  const top = stat.name === '/' ? '.' : stat.name;
  let into: string;
  let place: Placement | undefined;
  if (st?.isDirectory()) {
    into = target;
    place = placement(top, { contents: isDir && /\/\.$/.test(from.path) });
  } else {
    if (st && isDir) { sock.destroy(); throw new Error(`cannot copy a directory to a file: ${dest}`); }
    into = path.dirname(target);
    place = placement(top, { rename: path.basename(target) });
  }
  const owner: [number, number] | 'archive' = bool(p, 'archive') ? 'archive' : [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
  await unpackCopy(archive, into, label, { owner, placement: place, umask: UMASK });
}

/** Tar's end-of-archive marker: two zero blocks. */
const END_MARKER = 1024;

/**
 * The archive from the helper, refused at its end if it lacks the end marker:
 * the files worker always writes one, so an archive without it was cut short
 * by a failure on the container's side (the helper's log says which), not a
 * copy to report as done.
 */
async function* endChecked(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  let tail = Buffer.alloc(0);
  for await (const b of input) {
    tail = Buffer.concat([tail, b.subarray(Math.max(0, b.length - END_MARKER))]).subarray(-END_MARKER);
    yield b;
  }
  if (tail.length < END_MARKER || tail.some((x) => x !== 0)) throw new Error(`${label}: the archive was cut short (the container's side failed; the helper's log says why)`);
}

async function copyIn(ctx: Ctx, src: string, to: Location & { container: string }, p: Parsed): Promise<void> {
  let params: { src?: { name: string; type: 'file' | 'dir' | 'other' } } = {};
  let body: Iterable<Buffer> | AsyncIterable<Buffer>;
  if (src === '-') {
    if (process.stdin.isTTY) throw new UsageError('cp -: a tar archive is read from stdin, which is a terminal');
    body = process.stdin as AsyncIterable<Buffer>;
  } else {
    const abs = path.resolve(src);
    // "SRC/" or "SRC/." names a directory: a symlink there is followed, a file refused (docker cp's rule)
    const dirOnly = abs !== '/' && /\/\.?$/.test(src);
    const follow = bool(p, 'follow-link') || dirOnly;
    let st: fs.Stats;
    try { st = follow ? fs.statSync(abs) : fs.lstatSync(abs); } catch { throw new Error(`${src}: no such file or directory`); }
    if (dirOnly && !st.isDirectory()) throw new Error(`${src}: not a directory`);
    const contents = st.isDirectory() && /\/\.$/.test(src);
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    const name = contents ? '.' : path.basename(abs);
    if (!contents) params = { src: { name, type } };
    body = nativeTreeTar(abs, name, { follow });
  }
  await sendArchive(ctx.socket, { kind: 'cp-in', id: to.container, path: to.path, archive: bool(p, 'archive'), ...params }, body);
}

export const cpCommand: Command = {
  summary: 'Copy files/folders between a container and the local filesystem', group: 'Files', min: 2,
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       nscope cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  flags: [
    { name: 'archive', short: 'a', help: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', help: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', help: 'Suppress progress output (nscope prints none)' },
  ],
  run: runCp,
};

async function runCp(p: Parsed, ctx: Ctx): Promise<number> {
  if (p.positionals.length !== 2) throw new UsageError('"cp" requires exactly 2 arguments: SRC and DEST');
  const [a, b] = p.positionals.map(parseCpArg);
  if (a.container && b.container) throw new UsageError('copying between containers is not supported');
  if (!a.container && !b.container) throw new UsageError('must specify at least one container source (CONTAINER:PATH)');
  try {
    if (a.container) await copyOut(ctx, { container: a.container, path: a.path }, b.path, p);
    else await copyIn(ctx, a.path, { container: b.container!, path: b.path }, p);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`nscope: ${(e as Error).message}\n`);
    return 1;
  }
}
