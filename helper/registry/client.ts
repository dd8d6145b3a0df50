// One repository on one registry, spoken to as the OCI distribution spec
// says: /v2/ to find a working endpoint (mirrors first, https before plain
// http where plain http is allowed), manifests by tag or digest, blobs (with
// Range), uploads and manifest puts. Every call goes through the Authorizer,
// which answers 401 challenges once per scope set.
import type { Readable } from 'stream';
import { NscopeError, notFound } from '../errors';
import type { RegistryAuth } from '../protocol/types/registry';
import { Authorizer, unauthorized } from './auth';
import { AgentPool, errorText, readBody, send, type HttpRequest, type HttpResponse } from './http';
import { isTag } from './reference';
import { endpointsFor, type Endpoint, type RegistrySettings } from './settings';

export type Access = 'pull' | 'push';

export interface Fetched { bytes: Buffer; mediaType: string; digest?: string }

export class RegistryClient {
  private endpoint?: Endpoint;
  private authorizer?: Authorizer;
  private readonly scopes: string[];
  private readonly pool = new AgentPool();

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly settings: RegistrySettings,
    private readonly auth: RegistryAuth | undefined,
    access: Access,
    /** other repositories read from (cross-repository mounts) */
    extraPull: string[] = [],
  ) {
    // no repository (login): a token for the registry itself, no scope
    this.scopes = repository === '' ? [] : [`repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`, ...extraPull.filter((r) => r !== repository).map((r) => `repository:${r}:pull`)];
  }

  /** Paths are relative to the endpoint, which is known only once connect() has found one. */
  private base(): string { return `/v2/${this.repository}`; }

  /**
   * Finds the first endpoint that answers /v2/ (200, or 401 with a challenge)
   * and remembers it; `offline` asks the token service for a refresh token too (login).
   */
  async connect(signal?: AbortSignal, offline = false): Promise<Endpoint> {
    if (this.endpoint) return this.endpoint;
    const tried: string[] = [];
    for (const ep of endpointsFor(this.registry, this.settings)) {
      try {
        const res = await send({ method: 'GET', url: `${ep.url}/v2/`, signal }, ep.tls, this.pool);
        res.body.resume();
        if (res.status === 200 || res.status === 401) {
          this.endpoint = ep;
          this.authorizer = new Authorizer(this.registry, this.auth, ep, this.pool);
          if (res.status === 401) await this.authorizer.answer(header(res, 'www-authenticate'), this.scopes, signal, offline);
          return ep;
        }
        tried.push(`${ep.url}: HTTP ${res.status}`);
      } catch (e) {
        if (signal?.aborted || e instanceof NscopeError && e.code === 'unauthorized') throw e;
        tried.push(`${ep.url}: ${describeNet(e)}`);
      }
    }
    throw new NscopeError('failed', `cannot reach registry ${this.registry}: ${tried.join('; ')}`);
  }

  /** A request with the repository's authorization; a 401 is answered once, then it is the caller's error. */
  async call(req: HttpRequest): Promise<HttpResponse> {
    await this.connect(req.signal);
    if (req.url.startsWith('/')) req = { ...req, url: `${this.endpoint!.url}${req.url}` };
    const a = this.authorizer!;
    const withAuth = (h: string | undefined): HttpRequest => ({ ...req, headers: { ...req.headers, ...(h ? { Authorization: h } : {}) } });
    let res = await send(withAuth(a.header(this.scopes)), this.endpoint!.tls, this.pool);
    if (res.status === 401 && (req.body === undefined || Buffer.isBuffer(req.body))) {
      res.body.resume();
      const h = await a.answer(header(res, 'www-authenticate'), this.scopes, req.signal);
      res = await send(withAuth(h), this.endpoint!.tls, this.pool);
    }
    if (res.status === 401 || res.status === 403) {
      const e = await errorText(res);
      throw unauthorized(this.registry, `${e.message}${res.status === 403 ? '' : ' (log in with `nscope login ' + this.registry + '`)'}`);
    }
    return res;
  }

  /** GET a manifest or index by tag or digest, as any of `accept`; bounded in size. */
  async manifest(reference: string, accept: string[], signal?: AbortSignal): Promise<Fetched> {
    const res = await this.call({ method: 'GET', url: `${this.base()}/manifests/${reference}`, headers: { Accept: accept.join(', ') }, signal });
    if (res.status === 404) {
      const e = await errorText(res);
      // a digest is written after '@' (it has a ':' of its own), a tag after ':'
      throw notFound(`${this.registry}/${this.repository}${reference.includes(':') ? '@' : ':'}${reference}: not found: ${e.message}`);
    }
    if (res.status !== 200) throw await failure(res, `manifest ${reference}`, this.registry);
    const bytes = await readBody(res, 4 << 20, `manifest ${reference}`);
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    return { bytes, mediaType, digest: header(res, 'docker-content-digest') };
  }

  /**
   * Every tag of the repository (GET tags/list), following the Link
   * header's next pages (the `n` and `last` the registry gives) on the same
   * endpoint; at most MAX_TAGS, each checked as a tag. `pageSize`: the `n`
   * of the first request (none: the registry's own page size, as Docker asks).
   */
  async tags(signal?: AbortSignal, pageSize?: number): Promise<string[]> {
    const out = new Set<string>();
    let url = `${this.base()}/tags/list${pageSize ? `?n=${Math.max(1, Math.floor(pageSize))}` : ''}`;
    for (let page = 1; ; page++) {
      const res = await this.call({ method: 'GET', url, headers: { Accept: 'application/json' }, signal });
      if (res.status === 404) {
        const e = await errorText(res);
        throw notFound(`${this.registry}/${this.repository}: repository not found: ${e.message}`);
      }
      if (res.status !== 200) throw await failure(res, 'tags list', this.registry);
      const body = await readBody(res, 4 << 20, 'tags list');
      let doc: { tags?: unknown };
      try { doc = JSON.parse(body.toString('utf8')); } catch { throw new NscopeError('failed', `${this.registry}/${this.repository}: the tags list is not JSON`); }
      const tags = doc?.tags ?? [];
      if (!Array.isArray(tags)) throw new NscopeError('failed', `${this.registry}/${this.repository}: the tags list has no list of tags`);
      for (const t of tags) {
        if (!isTag(t)) throw new NscopeError('failed', `${this.registry}/${this.repository}: the tags list has an invalid tag ${JSON.stringify(String(t).slice(0, 80))}`);
        out.add(t);
      }
      if (out.size > MAX_TAGS) throw new NscopeError('failed', `${this.registry}/${this.repository}: more than ${MAX_TAGS} tags`);
      const next = nextLink(header(res, 'link'));
      if (!next) break;
      if (page >= MAX_TAG_PAGES) throw new NscopeError('failed', `${this.registry}/${this.repository}: the tags list goes on for more than ${MAX_TAG_PAGES} pages`);
      const u = new URL(next, this.endpoint!.url);
      if (u.origin !== new URL(this.endpoint!.url).origin || !u.pathname.endsWith(`/v2/${this.repository}/tags/list`)) {
        throw new NscopeError('failed', `${this.registry}: the tags list's next page is elsewhere (${u.host}${u.pathname.slice(0, 80)}): refused`);
      }
      url = u.toString();
    }
    return [...out];
  }

  /** GET a blob, from `offset` on (a Range request; the answer says 206 when honoured). */
  async blob(digest: string, offset: number, signal?: AbortSignal): Promise<HttpResponse> {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await this.call({ method: 'GET', url: `${this.base()}/blobs/${digest}`, headers, signal });
    if (res.status === 200 || res.status === 206) return res;
    if (res.status === 404) { res.body.resume(); throw notFound(`${this.registry}/${this.repository}: blob ${digest} not found`); }
    if (res.status === 416) { res.body.resume(); return this.blob(digest, 0, signal); }
    throw await failure(res, `blob ${digest}`, this.registry);
  }

  async hasBlob(digest: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.call({ method: 'HEAD', url: `${this.base()}/blobs/${digest}`, signal });
    res.body.resume();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new NscopeError('failed', `${this.registry}: checking blob ${digest}: HTTP ${res.status}`);
  }

  /** Asks the registry to link a blob it has in `from` (cross-repository mount); false when it starts an upload instead. */
  async mount(digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.call({ method: 'POST', url: `${this.base()}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, headers: { 'Content-Length': '0' }, body: Buffer.alloc(0), signal });
    res.body.resume();
    if (res.status === 201) return true;
    if (res.status === 202) {
      // an upload session was opened instead: cancel it, the caller uploads in its own session
      const loc = header(res, 'location');
      if (loc) void this.call({ method: 'DELETE', url: new URL(loc, this.endpoint!.url).toString(), signal }).then((r) => r.body.resume(), () => undefined);
      return false;
    }
    return false;
  }

  /**
   * Uploads a blob: one PUT when it is small, else PATCH chunks of `chunk`
   * bytes then a closing PUT with the digest. `open(start, end)` gives the
   * bytes [start, end) as a stream.
   */
  async upload(digest: string, size: number, open: (start: number, end: number) => Readable, opts: { chunk: number; signal?: AbortSignal; progress?: (sent: number) => void }): Promise<void> {
    const start = await this.call({ method: 'POST', url: `${this.base()}/blobs/uploads/`, headers: { 'Content-Length': '0' }, body: Buffer.alloc(0), signal: opts.signal });
    if (start.status !== 202) throw await failure(start, `starting the upload of ${digest}`, this.registry);
    start.body.resume();
    let loc = this.location(start);
    const withDigest = (u: string) => { const x = new URL(u); x.searchParams.set('digest', digest); return x.toString(); };
    if (size <= opts.chunk) {
      const res = await this.call({ method: 'PUT', url: withDigest(loc), headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body: open(0, size), signal: opts.signal });
      if (res.status !== 201) throw await failure(res, `uploading ${digest}`, this.registry);
      res.body.resume();
      opts.progress?.(size);
      return;
    }
    for (let at = 0; at < size; at += opts.chunk) {
      const end = Math.min(size, at + opts.chunk);
      const res = await this.call({
        method: 'PATCH', url: loc, signal: opts.signal, body: open(at, end),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - at), 'Content-Range': `${at}-${end - 1}` },
      });
      if (res.status !== 202) throw await failure(res, `uploading ${digest} (bytes ${at}-${end - 1})`, this.registry);
      res.body.resume();
      loc = this.location(res);
      opts.progress?.(end);
    }
    const done = await this.call({ method: 'PUT', url: withDigest(loc), headers: { 'Content-Length': '0' }, body: Buffer.alloc(0), signal: opts.signal });
    if (done.status !== 201) throw await failure(done, `finishing the upload of ${digest}`, this.registry);
    done.body.resume();
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<string | undefined> {
    const res = await this.call({ method: 'PUT', url: `${this.base()}/manifests/${reference}`, headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, body: bytes, signal });
    if (res.status !== 201 && res.status !== 200) throw await failure(res, `manifest ${reference}`, this.registry);
    res.body.resume();
    return header(res, 'docker-content-digest');
  }

  /** An upload Location, made absolute against the endpoint (registries often answer with a path). */
  private location(res: HttpResponse): string {
    const loc = header(res, 'location');
    if (!loc) throw new NscopeError('failed', `${this.registry}: an upload answer without a Location`);
    const u = new URL(loc, this.endpoint!.url);
    if (u.origin !== new URL(this.endpoint!.url).origin) throw new NscopeError('failed', `${this.registry}: upload location on another host (${u.host}) refused`);
    return u.toString();
  }

  /** Closes the transfer's connections (idle keep-alive ones and any still open). */
  close(): void {
    this.pool.close();
  }

  /** The refresh token the registry gave at login, if any. */
  get refreshToken(): string | undefined { return this.authorizer?.refreshToken; }

  /** For login: checks the credentials by getting a token (or a 200 from /v2/ with basic auth). */
  async login(signal?: AbortSignal): Promise<void> {
    const ep = await this.connect(signal, true);
    const h = this.authorizer!.header(this.scopes);
    if (!h) return; // /v2/ answered 200: a registry without authentication, nothing to check
    const again = await send({ method: 'GET', url: `${ep.url}/v2/`, signal, headers: { Authorization: h } }, ep.tls, this.pool);
    again.body.resume();
    if (again.status === 401 || again.status === 403) throw unauthorized(this.registry, 'incorrect username or password');
    if (again.status !== 200) throw new NscopeError('failed', `${this.registry}: /v2/ answered HTTP ${again.status}`);
  }
}

/** the most tags one repository may have for nscope, and pages of them */
const MAX_TAGS = 10000;
const MAX_TAG_PAGES = 100;

/** The `rel="next"` target of a Link header (RFC 8288), as registries paginate: `</v2/x/tags/list?last=a&n=2>; rel="next"`. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>((?:\s*;\s*[^;]*)*)$/.exec(part);
    if (m && /;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(m[2])) return m[1];
  }
  return undefined;
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function failure(res: HttpResponse, what: string, registry: string): Promise<NscopeError> {
  const e = await errorText(res);
  return new NscopeError(res.status === 404 ? 'not_found' : 'failed', `${registry}: ${what}: ${e.message}`);
}

/** A network error in one line: "connection refused", "certificate signed by unknown authority"… */
export function describeNet(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'no such host';
    case 'ECONNRESET': return 'connection reset';
    case 'ETIMEDOUT': return 'timed out';
    case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `x509: certificate signed by unknown authority (${err.code}); put its CA in the certs dir (HOST:PORT/ca.crt) or mark the registry insecure`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `x509: certificate is not valid for this host`;
    case 'EPROTO': return `TLS handshake failed (${(err.message ?? '').slice(0, 120)})`;
    default: return err instanceof NscopeError ? err.message : (err?.message ?? String(e)).slice(0, 200);
  }
}
