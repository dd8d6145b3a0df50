// stream.open kinds "cp-out" and "cp-in" (`nscope cp`): the bytes are a tar,
// from or to a files worker (helper/files/worker.ts) that runs chrooted into
// the container's root. The worker is a process of its own because chroot
// changes a whole process; the daemon only relays bytes and says when the
// copy is done (a stopped container's root is unmounted then).
import type { Socket } from 'net';
import { NscopeError } from '../../errors';
import { writeAs } from '../../files/edit';
import { failure, startWorker, type Worker } from '../../files/worker-process';
import type { CopyInDone, CopyStat } from '../../protocol/types';
import type { CopyRoot } from '../../runtime/containers/copy-root';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

function jobRoot(p: { id: string; rootfs?: boolean }, s: StreamServices, write = false): CopyRoot {
  return s.containers.copyRoot(p.id, { rootfsOnly: p.rootfs === true, write });
}

export async function openCopyOutStream(p: StreamParams<'cp-out'>, s: StreamServices): Promise<OpenedStream> {
  if (typeof p.path !== 'string' || !p.path) throw new NscopeError('invalid', 'cp: no path in the container given');
  if (p.rootfs !== undefined && typeof p.rootfs !== 'boolean') throw new NscopeError('invalid', 'cp: rootfs must be a boolean');
  const where = jobRoot(p, s);
  const w = startWorker({ op: 'out', root: where.root, path: p.path, follow: !!p.follow, ids: where.ids });
  const first = await w.next();
  if (!first || !first.stat) {
    w.child.kill();
    where.release(false);
    const err = failure(first);
    // Docker's words for a source that is not there, which scripts look for
    throw err.code === 'not_found' ? new NscopeError('not_found', `Could not find the file ${p.path} in container ${p.id}`) : err;
  }
  return {
    result: { ok: true, stat: first.stat as CopyStat },
    pump: async (sock: Socket) => {
      sock.resume();
      sock.on('error', () => w.child.kill());
      sock.on('close', () => w.child.kill());
      w.child.stdout!.pipe(sock, { end: false });
      await new Promise<void>((resolve) => w.child.once('close', () => resolve()));
      // a failure after the first bytes cannot be told on the stream: the archive lacks its end
      // marker (the CLI refuses it for that), and the reason goes to the helper's log
      const late = await w.next();
      if (late?.error && !sock.destroyed) process.stderr.write(`nscope helper: copy out of ${p.id}:${p.path} stopped: ${String(late.error)}\n`);
      where.release(false);
      finish(sock);
    },
  };
}

/** The bytes of a file the editor saves, into the worker's stdin; its last line is the answer. */
export async function openFileWriteStream(p: StreamParams<'file-write'>, s: StreamServices): Promise<OpenedStream> {
  if (typeof p.path !== 'string' || !p.path) throw new NscopeError('invalid', 'file-write: no path given');
  if (p.mode !== undefined && (!Number.isInteger(p.mode) || p.mode < 0 || p.mode > 0o7777)) throw new NscopeError('invalid', `file-write: mode ${String(p.mode)} is not between 0 and 07777`);
  if (p.size !== undefined && (!Number.isSafeInteger(p.size) || p.size < 0)) throw new NscopeError('invalid', `file-write: size ${String(p.size).slice(0, 40)} is not a whole number of bytes`);
  const user = writeAs(p.user, 'file-write');
  const where = jobRoot(p, s, true);
  const w = startWorker({ op: 'write', root: where.root, path: p.path, create: p.create, overwrite: p.overwrite, mode: p.mode, size: p.size, user, ids: where.ids, mounts: where.mounts });
  return relayIn(w, where);
}

export async function openCopyInStream(p: StreamParams<'cp-in'>, s: StreamServices): Promise<OpenedStream> {
  if (typeof p.path !== 'string' || !p.path) throw new NscopeError('invalid', 'cp: no path in the container given');
  // src.name is one path component: "." and ".." would name the destination's own directory or its parent
  if (p.src !== undefined && (typeof p.src?.name !== 'string' || !p.src.name || p.src.name.includes('/') || p.src.name.includes('\0') || p.src.name === '.' || p.src.name === '..' || !['file', 'dir', 'other'].includes(p.src.type))) {
    throw new NscopeError('invalid', 'cp: src must be { name, type: file|dir|other }, the name one path component (not "." or "..")');
  }
  const where = jobRoot(p, s, true);
  const w = startWorker({ op: 'in', root: where.root, path: p.path, src: p.src, archive: !!p.archive, parents: !!p.parents && !p.src, ids: where.ids });
  const first = await w.next();
  if (!first || !first.ready) { w.child.kill(); where.release(false); throw failure(first); }
  return relayIn(w, where);
}

/** The client's bytes into the worker; its last status line back as the stream's one line of answer. */
function relayIn(w: Worker, where: CopyRoot): OpenedStream {
  return {
    result: { ok: true },
    pump: async (sock: Socket) => {
      sock.on('error', () => w.child.kill());
      w.child.stdin!.on('error', () => undefined);
      sock.pipe(w.child.stdin!);
      let last = await w.next();
      while (last && !last.ok && !last.error) last = await w.next();
      await new Promise<void>((resolve) => { if (w.child.exitCode !== null || w.child.signalCode !== null) resolve(); else w.child.once('close', () => resolve()); });
      const done: CopyInDone = last?.ok ? { ok: true } : { error: String(last?.error ?? 'copy: the files worker ended without a word'), kind: last?.kind as string | undefined };
      where.release(!!last?.ok);
      if (!sock.destroyed) sock.write(JSON.stringify(done) + '\n');
      finish(sock);
    },
  };
}
