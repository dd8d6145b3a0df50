// stream.open kinds "cp-out" and "cp-in" (`nscope cp`): the bytes are a tar,
// from or to a files worker (helper/files/worker.ts) that runs chrooted into
// the container's root. The worker is a process of its own because chroot
// changes a whole process; the daemon only relays bytes and says when the
// copy is done (a stopped container's root is unmounted then).
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Socket } from 'net';
import { NscopeError, type ErrorCode } from '../../errors';
import type { FilesJob } from '../../files/worker';
import { packageRoot } from '../../native';
import type { CopyInDone, CopyStat } from '../../protocol/types';
import type { CopyRoot } from '../../runtime/containers/copy-root';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

const WORKER = () => path.join(packageRoot(), 'dist', 'files-worker.js');

interface Worker { child: ChildProcess; next(): Promise<Record<string, unknown> | null> }

/** Starts the worker for `job`; its status lines come from next(). */
function startWorker(job: FilesJob): Worker {
  const child = spawn(process.execPath, [WORKER(), JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let ended = false;
  let wake: (() => void) | undefined;
  const status = child.stdio[3] as NodeJS.ReadableStream;
  status.setEncoding('utf8');
  status.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    wake?.();
  });
  status.on('end', () => { ended = true; wake?.(); });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
  child.on('error', () => { ended = true; wake?.(); });
  return {
    child,
    next: async () => {
      for (;;) {
        if (lines.length) return JSON.parse(lines.shift()!) as Record<string, unknown>;
        if (ended) {
          const why = stderr.trim().split('\n').filter(Boolean).pop();
          return why ? { error: `copy: ${why}` } : null;
        }
        await new Promise<void>((r) => { wake = r; });
        wake = undefined;
      }
    },
  };
}

function failure(line: Record<string, unknown> | null): NscopeError {
  return new NscopeError(((line?.kind as ErrorCode) ?? 'failed'), String(line?.error ?? 'copy: the files worker ended without a word'));
}

function jobRoot(p: { id: string }, s: StreamServices): CopyRoot {
  return s.containers.copyRoot(p.id);
}

export async function openCopyOutStream(p: StreamParams<'cp-out'>, s: StreamServices): Promise<OpenedStream> {
  if (typeof p.path !== 'string' || !p.path) throw new NscopeError('invalid', 'cp: no path in the container given');
  const where = jobRoot(p, s);
  const w = startWorker({ op: 'out', root: where.root, path: p.path, follow: !!p.follow, ids: where.ids });
  const first = await w.next();
  if (!first || !first.stat) { w.child.kill(); where.release(false); throw failure(first); }
  return {
    result: { ok: true, stat: first.stat as CopyStat },
    pump: async (sock: Socket) => {
      sock.resume();
      sock.on('error', () => w.child.kill());
      sock.on('close', () => w.child.kill());
      w.child.stdout!.pipe(sock, { end: false });
      await new Promise<void>((resolve) => w.child.once('close', () => resolve()));
      where.release(false);
      finish(sock);
    },
  };
}

export async function openCopyInStream(p: StreamParams<'cp-in'>, s: StreamServices): Promise<OpenedStream> {
  if (typeof p.path !== 'string' || !p.path) throw new NscopeError('invalid', 'cp: no path in the container given');
  if (p.src !== undefined && (typeof p.src?.name !== 'string' || !p.src.name || p.src.name.includes('/') || !['file', 'dir', 'other'].includes(p.src.type))) {
    throw new NscopeError('invalid', 'cp: src must be { name, type: file|dir|other }');
  }
  const where = jobRoot(p, s);
  const w = startWorker({ op: 'in', root: where.root, path: p.path, src: p.src, archive: !!p.archive, ids: where.ids });
  const first = await w.next();
  if (!first || !first.ready) { w.child.kill(); where.release(false); throw failure(first); }
  return {
    result: { ok: true },
    pump: async (sock: Socket) => {
      sock.on('error', () => w.child.kill());
      w.child.stdin!.on('error', () => undefined);
      sock.pipe(w.child.stdin!);
      const last = await w.next();
      await new Promise<void>((resolve) => { if (w.child.exitCode !== null || w.child.signalCode !== null) resolve(); else w.child.once('close', () => resolve()); });
      const done: CopyInDone = last?.ok ? { ok: true } : { error: String(last?.error ?? 'copy: the files worker ended without a word'), kind: last?.kind as string | undefined };
      where.release(!!last?.ok);
      if (!sock.destroyed) sock.write(JSON.stringify(done) + '\n');
      finish(sock);
    },
  };
}

// the worker's bundle is part of the build: say so clearly if it is missing
export function filesWorkerBuilt(): boolean { return fs.existsSync(WORKER()); }
