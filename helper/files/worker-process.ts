// Starting the files worker (./worker.ts) for one job: its status lines
// (JSON, fd 3) read one at a time; its stdin and stdout are the caller's to
// pipe. A worker that dies says so with the last line of its stderr.
//
// Every job is a process of its own (it chroots), and node's start-up is
// ~40 ms of each: a copy, and each folder the VS Code file views open. So
// once a job has run, the next worker is started ahead and waits for its job
// on fd 4 (a standby, unreferenced, gone after two idle minutes or with the
// daemon): a burst of jobs finds it booted.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import type { Socket } from 'net';
import { NscopeError, type ErrorCode } from '../errors';
import { packageRoot } from '../native';
import type { FilesJob } from './worker';
import { lineQueue, type LineQueue } from '../lib/line-queue';

const WORKER = () => path.join(packageRoot(), 'dist', 'files-worker.js');
const STANDBY_IDLE_MS = 120_000;

export interface Worker { child: ChildProcess; next(): Promise<Record<string, unknown> | null> }

interface Started { child: ChildProcess; status: LineQueue; stderr: () => string }

/** Spawns a worker: given `job` on its command line, else a standby that reads it from fd 4. */
function spawnWorker(job?: FilesJob): Started {
  const args = job ? [WORKER(), JSON.stringify(job)] : [WORKER()];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe', job ? 'ignore' : 'pipe'] });
  const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const status = lineQueue(pipe);
  // not started (no node?): its pipe is closed, next() says so
  child.on('error', () => pipe.destroy());
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
  return { child, status, stderr: () => stderr };
}

/** Handles that keep the daemon's event loop going: a standby's are let go (a test process that used one can end). */
function handles(s: Started): (Socket | undefined)[] {
  return [s.child.stdin, s.child.stdout, s.child.stderr, s.child.stdio[3], s.child.stdio[4]] as (Socket | undefined)[];
}

let standby: (Started & { timer: NodeJS.Timeout }) | undefined;

function prepareStandby(): void {
  if (standby) return;
  let s: Started;
  try { s = spawnWorker(); } catch { return; }
  const timer = setTimeout(() => { if (standby?.child === s.child) { standby = undefined; s.child.kill(); } }, STANDBY_IDLE_MS);
  timer.unref();
  s.child.unref();
  for (const h of handles(s)) h?.unref?.();
  s.child.once('exit', () => { if (standby?.child === s.child) { standby = undefined; clearTimeout(timer); } });
  standby = { ...s, timer };
}

/** The standby, if one is up, given `job`; else undefined. */
function takeStandby(job: FilesJob): Started | undefined {
  const s = standby;
  standby = undefined;
  if (!s) return undefined;
  clearTimeout(s.timer);
  if (s.child.exitCode !== null || s.child.signalCode !== null) return undefined;
  s.child.ref();
  for (const h of handles(s)) h?.ref?.();
  (s.child.stdio[4] as NodeJS.WritableStream).end(JSON.stringify(job) + '\n');
  return s;
}

/** Starts the worker for `job`; its status lines come from next(). */
export function startWorker(job: FilesJob): Worker {
  const s = takeStandby(job) ?? spawnWorker(job);
  // the next one booted while nothing else runs: after this one
  s.child.once('close', () => prepareStandby());
  return {
    child: s.child,
    next: async () => {
      const line = await s.status.next();
      if (line !== null) return JSON.parse(line) as Record<string, unknown>;
      const why = s.stderr().trim().split('\n').filter(Boolean).pop();
      return why ? { error: `copy: ${why}` } : null;
    },
  };
}

/** Stops the standby (the daemon's shutdown). */
export function stopStandby(): void {
  const s = standby;
  standby = undefined;
  if (s) { clearTimeout(s.timer); s.child.kill(); }
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
