// dist/layer-worker.js: a worker thread that downloads layers for the
// daemon's pulls (./layer-workers.ts starts it): the blob's GET is sent from
// here, with the request the daemon's RegistryClient made (endpoint,
// authorization, Range), so the bytes are read, hashed, inflated, parsed and
// written on this thread (./layer-receive.ts) and never cross threads.
// Several layers at once, interleaved here as they would be on the main one.
// Messages in:
//   {t:'job', id, job}            a layer to receive, once a fetch answers 2xx
//   {t:'fetch', id, req, tls}     send the blob's GET (again, after a 401, a 416…)
//   {t:'stop', id, message}       the daemon gave up on it (cancelled, or its fetch was refused)
// and out:
//   {t:'head', id, head | error}  a fetch's answer: status and headers (and the error document
//                                 of an answer that is not 2xx, whose body is not read further);
//                                 on 2xx the layer is being received
//   {t:'progress', id, status, n} bytes of the blob so far: 'Downloading', then 'Verifying Checksum'
//   {t:'complete', id}            every byte came and had the digest; the layer goes in place next
//   {t:'done', id, error?}        finished: the layer is in place, or why not (files cleaned up)
import type { IncomingHttpHeaders } from 'http';
import { parentPort } from 'worker_threads';
import { NscopeError } from '../errors';
import { AgentPool, aborted, send, type HttpRequest } from './http';
import { BadBlob, ReceiveError, receiveLayer, type LayerJob } from './layer-receive';
import type { Endpoint } from './settings';

/** A request as it crosses threads (GET, no body). */
export type WireRequest = Pick<HttpRequest, 'method' | 'url' | 'headers' | 'follow'>;

export type ToWorker =
  | { t: 'job'; id: number; job: LayerJob }
  | { t: 'fetch'; id: number; req: WireRequest; tls: Endpoint['tls'] }
  | { t: 'stop'; id: number; message: string };

/** An error as it crosses threads: its class's kind, its code (NscopeError's or an errno), and whether the connection failed. */
export interface WireError { bad?: boolean; nscope?: NscopeError['code']; errno?: string; net?: boolean; message: string }

export interface WireHead { status: number; headers: IncomingHttpHeaders; url: string; body?: Uint8Array }

export type FromWorker =
  | { t: 'head'; id: number; head?: WireHead; error?: WireError }
  | { t: 'progress'; id: number; status: 'Downloading' | 'Verifying Checksum'; n: number }
  | { t: 'complete'; id: number }
  | { t: 'done'; id: number; error?: WireError };

/** a layer's 'Downloading' progress is sent at most this often */
const PROGRESS_MS = 100;

/** error documents of answers that are not 2xx: the daemon reads at most this */
const ERROR_BODY_LIMIT = 64 << 10;

export function toWire(e: unknown, net = false): WireError {
  if (e instanceof NscopeError) return { bad: e instanceof BadBlob || undefined, nscope: e.code, net: net || undefined, message: e.message };
  const errno = (e as NodeJS.ErrnoException)?.code;
  return { errno: typeof errno === 'string' ? errno : undefined, net: net || undefined, message: (e as Error)?.message ?? String(e) };
}

/** A TLS Buffer arrives as a Uint8Array: tls wants Buffers. */
function tlsOf(t: Endpoint['tls']): Endpoint['tls'] {
  if (!t) return t;
  const buf = (u?: Uint8Array) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined);
  return { ...t, ca: t.ca?.map((c) => buf(c)!), cert: buf(t.cert), key: buf(t.key) };
}

interface Job { job: LayerJob; abort: AbortController; pool: AgentPool; receiving: boolean; stopped?: string }

const port = parentPort;
if (!port) throw new Error('layer-worker.js runs as a worker thread of the nscope daemon');
const post = (m: FromWorker) => port.postMessage(m);
const jobs = new Map<number, Job>();

function end(id: number, error?: WireError): void {
  const j = jobs.get(id);
  if (!j) return;
  jobs.delete(id);
  j.pool.close();
  post({ t: 'done', id, error });
}

async function fetch(id: number, j: Job, req: WireRequest, tls: Endpoint['tls']): Promise<void> {
  let res;
  try {
    res = await send({ ...req, signal: j.abort.signal }, tlsOf(tls), j.pool);
  } catch (e) {
    post({ t: 'head', id, error: toWire(e, true) });
    return;
  }
  if (jobs.get(id) !== j) { res.body.destroy(); return; } // stopped meanwhile
  const head = { status: res.status, headers: res.headers, url: res.url };
  if (res.status !== 200 && res.status !== 206) {
    // the daemon's client decides (answers a 401, names a 404…): it gets the error document
    const parts: Buffer[] = [];
    let n = 0;
    try {
      for await (const b of res.body) { parts.push(b as Buffer); n += (b as Buffer).length; if (n >= ERROR_BODY_LIMIT) break; }
    } catch { /* the status will do */ }
    res.body.destroy();
    post({ t: 'head', id, head: { ...head, body: Buffer.concat(parts).subarray(0, ERROR_BODY_LIMIT) } });
    return;
  }
  post({ t: 'head', id, head });
  j.receiving = true;
  // a registry that ignored the Range sends the whole blob: start over
  const job = res.status === 200 && j.job.have > 0 ? { ...j.job, have: 0 } : j.job;
  try {
    // progress at most every PROGRESS_MS (the daemon shows it no more often): a message wakes its thread
    let last = 0;
    const progress = (status: 'Downloading' | 'Verifying Checksum', n: number) => {
      const now = Date.now();
      if (status === 'Downloading' && now - last < PROGRESS_MS) return;
      last = now;
      post({ t: 'progress', id, status, n });
    };
    await receiveLayer(job, res.body, { progress, complete: () => post({ t: 'complete', id }) });
    end(id);
  } catch (e) {
    const r = e instanceof ReceiveError ? e : new ReceiveError(e, false);
    end(id, toWire(j.stopped ? new NscopeError('failed', j.stopped) : r.error, r.net && !j.stopped));
  } finally {
    res.body.destroy();
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'job') {
    jobs.set(m.id, { job: m.job, abort: new AbortController(), pool: new AgentPool(), receiving: false });
    return;
  }
  const j = jobs.get(m.id);
  if (!j) return; // ended already
  if (m.t === 'fetch') void fetch(m.id, j, m.req, m.tls);
  else {
    j.stopped = m.message;
    j.abort.abort(aborted());
    // nothing received yet: no files to clean up, done now
    if (!j.receiving) end(m.id, toWire(new NscopeError('failed', m.message)));
  }
});
