// Starting the files worker (./worker.ts) for one job: its status lines
// (JSON, fd 3) read one at a time; its stdin and stdout are the caller's to
// pipe. A worker that dies says so with the last line of its stderr.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { NscopeError, type ErrorCode } from '../errors';
import { packageRoot } from '../native';
import type { FilesJob } from './worker';
import { lineQueue } from '../lib/line-queue';

const WORKER = () => path.join(packageRoot(), 'dist', 'files-worker.js');

export interface Worker { child: ChildProcess; next(): Promise<Record<string, unknown> | null> }

/** Starts the worker for `job`; its status lines come from next(). */
export function startWorker(job: FilesJob): Worker {
  const child = spawn(process.execPath, [WORKER(), JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const status = lineQueue(pipe);
  // not started (no node?): its pipe is closed, next() says so
  child.on('error', () => pipe.destroy());
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
  return {
    child,
    next: async () => {
      const line = await status.next();
      if (line !== null) return JSON.parse(line) as Record<string, unknown>;
      const why = stderr.trim().split('\n').filter(Boolean).pop();
      return why ? { error: `copy: ${why}` } : null;
    },
  };
}

export function failure(line: Record<string, unknown> | null): NscopeError {
  return new NscopeError(((line?.kind as ErrorCode) ?? 'failed'), String(line?.error ?? 'copy: the files worker ended without a word'));
}

/** Runs a job that needs no bytes in or out; resolves with its last status line, throws its error. */
export async function runWorker(job: FilesJob, input?: Buffer): Promise<Record<string, unknown>> {
  const w = startWorker(job);
  w.child.stdin!.on('error', () => undefined);
  w.child.stdin!.end(input);
  w.child.stdout!.resume();
  let last: Record<string, unknown> | null = null;
  for (let l = await w.next(); l; l = await w.next()) { last = l; if (l.error || l.ok) break; }
  await new Promise<void>((resolve) => { if (w.child.exitCode !== null || w.child.signalCode !== null) resolve(); else w.child.once('close', () => resolve()); });
  if (!last?.ok) throw failure(last);
  return last;
}
