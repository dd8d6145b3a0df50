// The daemon's layer workers: a few worker threads (dist/layer-worker.js),
// each downloading and receiving whole layers (./layer-worker.ts). The
// daemon's thread makes each blob's request (endpoint, authorization, Range:
// RegistryClient.blob with a worker as its sender) and reads its answer's
// status; a 2xx body is read in the worker, where it is hashed, inflated,
// parsed and written. So a pull's layers use every core, and no byte of a
// blob crosses threads.
//
// One worker starts when a pull starts (its start-up overlaps the manifest and
// config round trips), more as layers come, up to one per core; idle workers
// keep no process alive and stop after a while without work. A worker that
// dies mid-layer fails its layers: their temp dirs and partial files are the
// caller's to remove (LayerJob.tmp, .partial), and the files it had open are
// closed here.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { Worker } from 'worker_threads';
import { NscopeError } from '../errors';
import { packageRoot } from '../native';
import type { HttpResponse, Sender } from './http';
import { BadBlob, type LayerJob, type ReceiveHooks } from './layer-receive';
import type { FromWorker, ToWorker, WireError, WireHead } from './layer-worker';

/** a pool without work for this long stops its workers */
const IDLE_MS = 60_000;

/** The worker died with layers in flight: their files are the caller's to remove. */
export class WorkerGone extends NscopeError {}

/** A failed download in the worker: the connection failed (`net`), the partial file is worth keeping. */
export class NetError extends NscopeError {
  constructor(readonly netError: Error) { super('failed', netError.message); }
}

export interface LayerTask {
  /** Sends a request from the worker: RegistryClient.blob's sender. On 2xx the worker receives the layer. */
  fetch: Sender;
  /** Gives up (cancelled, or no fetch will come): the worker stops and cleans up; `done` rejects. */
  stop(message: string): void;
  /**
   * Resolves when the layer is in place; rejects with why not: a BadBlob, an
   * NscopeError, a NetError (the connection) or WorkerGone.
   */
  readonly done: Promise<void>;
}

export type TaskHooks = ReceiveHooks;

interface Task {
  job: LayerJob;
  hooks: TaskHooks;
  head?: { resolve: (h: HttpResponse) => void; reject: (e: Error) => void };
  resolve: () => void;
  reject: (e: Error) => void;
}

interface Slot { worker: Worker; tasks: Map<number, Task>; exited: boolean }

const workerScript = () => path.join(packageRoot(), 'dist', 'layer-worker.js');

function fromWire(e: WireError): Error {
  if (e.bad) return new BadBlob(e.nscope ?? 'invalid', e.message);
  const err = e.nscope ? new NscopeError(e.nscope, e.message) : Object.assign(new Error(e.message), e.errno ? { code: e.errno } : {});
  return e.net ? new NetError(err) : err;
}

function response(h: WireHead): HttpResponse {
  // a 2xx body stays in the worker; an error document comes along, for the client to read
  return { status: h.status, headers: h.headers, url: h.url, body: Readable.from(h.body ? [Buffer.from(h.body.buffer, h.body.byteOffset, h.body.byteLength)] : []) };
}

/** layers a pull downloads at once */
export const LAYERS_AT_ONCE = 3;

export class LayerWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;

  /**
   * `size` workers at most: one per core, up to one per layer in flight.
   * Not more: each worker's start costs ~30-45 ms of CPU (node's bootstrap
   * of a thread), which on a busy 2-core host costs more than a third
   * worker's better balance of the layers' tails gains.
   */
  constructor(readonly size = Math.max(1, Math.min(LAYERS_AT_ONCE, os.availableParallelism?.() ?? os.cpus().length))) {}

  /** Starts a worker (if none runs) ahead of the first layer: its start-up overlaps the manifest and config round trips. */
  warm(): void {
    if (!this.slots.length) this.spawn();
  }

  /** A task for `job` on an idle worker (started if there are fewer than `size`), else the least busy; nothing is sent until its first fetch. */
  start(job: LayerJob, hooks: TaskHooks): LayerTask {
    clearTimeout(this.idleTimer);
    let slot = this.slots.find((s) => !s.tasks.size);
    if (!slot && this.slots.length < this.size) slot = this.spawn();
    slot ??= this.slots.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
    const id = this.nextId++;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    const task: Task = { job, hooks, resolve, reject };
    slot.tasks.set(id, task);
    slot.worker.ref();
    this.post(slot, { t: 'job', id, job });
    const settle = () => { this.finish(slot, id); };
    done.then(settle, settle);
    return {
      done,
      fetch: (req, tls) => new Promise<HttpResponse>((resolve, reject) => {
        if (!slot.tasks.has(id)) { reject(new NscopeError('failed', `${job.label}: the layer task has ended`)); return; }
        task.head = { resolve, reject };
        this.post(slot, { t: 'fetch', id, req: { method: req.method, url: req.url, headers: req.headers, follow: req.follow }, tls });
      }),
      stop: (message) => { if (slot.tasks.has(id)) this.post(slot, { t: 'stop', id, message }); },
    };
  }

  /** Stops every worker now (a layer in flight fails with WorkerGone). */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Workers running (for tests). */
  get running(): number { return this.slots.length; }

  private post(slot: Slot, m: ToWorker): void { slot.worker.postMessage(m); }

  private spawn(): Slot {
    // fds are not tracked per worker: the unpacker closes the ones openat2 gave it (which node did not open,
    // and would warn about at each close), and a dead worker's are closed by closeFilesOf()
    const worker = new Worker(workerScript(), { trackUnmanagedFds: false });
    const slot: Slot = { worker, tasks: new Map(), exited: false };
    this.slots.push(slot);
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      const task = slot.tasks.get(m.id);
      if (!task) return;
      if (m.t === 'head') {
        const h = task.head;
        task.head = undefined;
        if (m.head) h?.resolve(response(m.head)); else h?.reject(fromWire(m.error!));
      } else if (m.t === 'progress') task.hooks.progress(m.status, m.n);
      else if (m.t === 'complete') task.hooks.complete();
      else {
        slot.tasks.delete(m.id);
        task.head?.reject(new NscopeError('failed', `${task.job.label}: the layer task has ended`));
        if (m.error) task.reject(fromWire(m.error)); else task.resolve();
      }
    });
    let why = '';
    worker.on('error', (e) => { why = e.message; });
    worker.on('exit', (code) => {
      slot.exited = true;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (!slot.tasks.size) return;
      closeFilesOf([...slot.tasks.values()].map((t) => t.job));
      for (const task of slot.tasks.values()) {
        const e = new WorkerGone('failed', `${task.job.label}: the layer worker stopped (${why || `exit code ${code}`})`);
        task.head?.reject(e);
        task.reject(e);
      }
      slot.tasks.clear();
    });
    return slot;
  }

  private finish(slot: Slot, id: number): void {
    slot.tasks.delete(id);
    if (slot.exited) return;
    if (!slot.tasks.size) slot.worker.unref();
    if (this.slots.every((s) => !s.tasks.size)) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => { void this.stop(); }, IDLE_MS);
      this.idleTimer.unref();
    }
  }
}

/**
 * Closes what a dead worker had open for `jobs`: its partial files and
 * anything in their temp dirs. Safe once the worker has exited: a worker
 * thread ends only after its file requests have completed, and nobody else
 * opens a job's private paths.
 */
function closeFilesOf(jobs: LayerJob[]): void {
  let fds: string[] = [];
  try { fds = fs.readdirSync('/proc/self/fd'); } catch { return; }
  const mine = (p: string) => jobs.some((j) => p === j.partial || p === j.tmp || p.startsWith(j.tmp + '/'));
  for (const fd of fds) {
    let target: string;
    try { target = fs.readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, ''); } catch { continue; }
    if (mine(target)) { try { fs.closeSync(Number(fd)); } catch { /* closed meanwhile */ } }
  }
}

let pool: LayerWorkers | undefined;

/** The process's layer workers. */
export function layerWorkers(): LayerWorkers {
  pool ??= new LayerWorkers();
  return pool;
}
