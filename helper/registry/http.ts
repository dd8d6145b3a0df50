// HTTP for registry calls: node's http/https with the endpoint's TLS material,
// keep-alive agents per endpoint (layers come in parallel from one host),
// redirects followed (blob storage often lives elsewhere) without carrying the
// registry's Authorization to another host, and cancellation by AbortSignal.
import * as http from 'http';
import * as https from 'https';
import type { Readable } from 'stream';
import { NscopeError } from '../errors';
import type { Endpoint } from './settings';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** a Buffer, or a stream of known length (Content-Length set by the caller) */
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** whether 3xx answers are followed (not for upload locations) */
  follow?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the URL that answered (after redirects) */
  url: string;
  body: http.IncomingMessage;
}

const MAX_REDIRECTS = 5;
const CONNECT_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The CAs a connection trusts: the endpoint's (else node's, the system's
 * bundle). An endpoint that is not verified (an insecure registry, tried
 * with https before http) needs none: an empty list, which spares loading
 * the whole root store (~30 ms of CPU) for a check that is not made.
 */
function caOf(tls: Endpoint['tls']): Buffer[] | undefined {
  return tls?.verify === false ? (tls.ca ?? []) : tls?.ca;
}

/**
 * Keep-alive connections for one transfer (a pull's layers come in parallel
 * from one host); closed when it ends, so nothing of a finished or cancelled
 * pull stays connected.
 */
export class AgentPool {
  private readonly agents = new Map<string, http.Agent>();

  get(url: URL, tls: Endpoint['tls']): http.Agent {
    const key = `${url.protocol}//${url.host}|${tls?.verify === false ? 'noverify' : 'verify'}|${tls?.ca?.length ?? 0}|${tls?.cert ? 'cert' : ''}`;
    let a = this.agents.get(key);
    if (!a) {
      a = url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 8, ca: caOf(tls), cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.verify !== false })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
      this.agents.set(key, a);
    }
    return a;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

function once(req: HttpRequest, url: URL, tls: Endpoint['tls'], pool: AgentPool | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) { reject(aborted()); return; }
    const mod = url.protocol === 'https:' ? https : http;
    const r = mod.request(url, {
      method: req.method,
      headers: { 'User-Agent': 'nscope', ...req.headers },
      // no pool: a one-off connection with the endpoint's TLS material
      ...(pool ? { agent: pool.get(url, tls) } : { agent: false, ca: caOf(tls), cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.verify !== false }),
      timeout: CONNECT_TIMEOUT_MS,
    });
    const onAbort = () => r.destroy(aborted());
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('response', (res) => {
      // an idle body (a registry that stops sending) must not hang the pull forever
      res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new NscopeError('failed', `${url.host}: no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
      res.once('close', () => req.signal?.removeEventListener('abort', onAbort));
      resolve(res);
    });
    r.on('timeout', () => r.destroy(new NscopeError('failed', `${url.host}: no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)));
    r.on('error', (e) => { req.signal?.removeEventListener('abort', onAbort); reject(e); });
    const b = req.body;
    if (b === undefined || Buffer.isBuffer(b)) r.end(b);
    else {
      b.on('error', (e) => r.destroy(e));
      b.pipe(r);
    }
  });
}

export function aborted(): NscopeError {
  return new NscopeError('failed', 'cancelled');
}

/**
 * Sends `req`. Redirects (301/302/303/307/308) are followed for GET and HEAD
 * when `follow` is not false; the Authorization header goes only to the
 * origin it was made for.
 */
export async function send(req: HttpRequest, tls: Endpoint['tls'], pool?: AgentPool): Promise<HttpResponse> {
  let url = new URL(req.url);
  const origin = url.origin;
  let headers = req.headers ?? {};
  for (let hop = 0; ; hop++) {
    const res = await once({ ...req, headers }, url, tls, pool);
    const loc = res.headers.location;
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && loc && req.follow !== false && (req.method === 'GET' || req.method === 'HEAD');
    if (!redirect) return { status: res.statusCode ?? 0, headers: res.headers, url: url.toString(), body: res };
    res.resume();
    if (hop >= MAX_REDIRECTS) throw new NscopeError('failed', `${origin}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(loc!, url);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new NscopeError('failed', `${origin}: redirect to unsupported URL scheme ${next.protocol}`);
    // a downgrade from https to http would expose the download; the registry's own token never leaves its origin
    if (url.protocol === 'https:' && next.protocol === 'http:') throw new NscopeError('failed', `${origin}: refused a redirect from https to http (${next.host})`);
    if (next.origin !== origin) {
      const { Authorization: _a, authorization: _b, ...rest } = headers;
      headers = rest;
    }
    url = next;
  }
}

/** The body as a Buffer, refusing more than `limit` bytes (manifests, configs, error documents, tokens). */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const len = Number(res.headers['content-length']);
  if (Number.isFinite(len) && len > limit) {
    res.body.destroy();
    throw new NscopeError('invalid', `${what}: ${len} bytes is more than the ${limit} allowed`);
  }
  const parts: Buffer[] = [];
  let n = 0;
  for await (const b of res.body) {
    n += (b as Buffer).length;
    if (n > limit) { res.body.destroy(); throw new NscopeError('invalid', `${what}: more than the ${limit} bytes allowed`); }
    parts.push(b as Buffer);
  }
  return Buffer.concat(parts);
}

/** The message of a registry's error document ({"errors":[{code,message}]}), or the HTTP status line. */
export async function errorText(res: HttpResponse): Promise<{ code?: string; message: string }> {
  let body: Buffer = Buffer.alloc(0);
  try { body = await readBody(res, 64 << 10, 'error'); } catch { /* the status line will do */ }
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const e = doc.errors?.[0];
    if (e && (e.message || e.code)) return { code: typeof e.code === 'string' ? e.code : undefined, message: oneLine(String(e.message || e.code)) };
  } catch { /* not JSON */ }
  return { message: `HTTP ${res.status} ${http.STATUS_CODES[res.status] ?? ''}`.trim() };
}

/** Registry text is untrusted: one printable line, bounded. */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, 300);
}
