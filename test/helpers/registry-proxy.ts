// A proxy between a client and a plain-HTTP test registry that misbehaves
// on purpose, so failure tests are deterministic:
//   cut       the first blob GET (or the first `times`) gets its status and
//             headers and `cutAfterBytes` bytes of body, then the connection
//             is dropped: a pull interrupted mid-blob. Later ones pass whole.
//   throttle  blob bodies go out at `bytesPerSecond`: a download slow enough
//             for a test to cancel it half-way (waitForBlobBytes tells when).
//   redirect  blob GETs answered with a 307 to a blob store of another
//             origin (as registries on object storage do), which serves the
//             registry's stored file and records what each request carried.
// It works at the HTTP level, not on raw TCP: only there is it known where a
// blob's body starts, whatever the framing or keep-alive reuse. Requests go
// upstream unchanged (Host included, so the registry's Location headers
// point back through the proxy). Listens on 127.0.0.1, a free port.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** drop the connection after this many bytes of a blob GET's body */
  cutAfterBytes?: number;
  /** how many blob GETs are cut (1 unless given) */
  times?: number;
  /** cut only this blob's GETs ("sha256:…") */
  digest?: string;
  /** blob bodies at most this fast */
  bytesPerSecond?: number;
  /** blob GETs redirected to a store of its own serving this file of a digest */
  redirectBlobsTo?: (digest: string) => string;
}

export interface BlobStoreRequest { path: string; authorization?: string; range?: string; status: number }

export interface ProxiedRequest { method: string; path: string; status: number; range?: string; bytes: number; cut: boolean }

export interface RegistryProxy {
  host: string;
  url: string;
  /** every request passed through, in order of completion */
  requests: ProxiedRequest[];
  /** blob GETs cut so far */
  readonly cuts: number;
  /** blob body bytes sent to clients so far */
  readonly blobBytes: number;
  /** the redirect mode's blob store: its origin, and the requests it served */
  blobStore?: { url: string; requests: BlobStoreRequest[] };
  /** resolves once `n` bytes of blob body have gone out */
  waitForBlobBytes(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const BLOB_GET = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startProxy(targetHost: string, o: ProxyOptions = {}): Promise<RegistryProxy> {
  const [targetName, targetPort] = [targetHost.slice(0, targetHost.lastIndexOf(':')), Number(targetHost.slice(targetHost.lastIndexOf(':') + 1))];
  const requests: ProxiedRequest[] = [];
  let cuts = 0;
  let reserved = 0;
  let blobBytes = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const sent = (n: number) => {
    blobBytes += n;
    for (const w of [...waiters]) if (blobBytes >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  // a new connection upstream per request: nothing the registry keeps open outlives stop()
  const agent = new http.Agent({ keepAlive: false });

  const store = o.redirectBlobsTo ? await startBlobStore(o.redirectBlobsTo) : undefined;

  const server = http.createServer((req, res) => {
    const pathOnly = (req.url ?? '/').split('?')[0];
    const blob = req.method === 'GET' ? BLOB_GET.exec(pathOnly) : null;
    if (blob && store) {
      requests.push({ method: 'GET', path: req.url ?? '', status: 307, bytes: 0, cut: false });
      res.writeHead(307, { Location: `${store.url}/blobs/${blob[1]}?X-Signature=test`, 'Content-Length': '0' });
      res.end();
      return;
    }
    const up = http.request({ host: targetName, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent }, async (ur) => {
      const status = ur.statusCode ?? 502;
      const record: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '', status, range: req.headers.range, bytes: 0, cut: false };
      res.writeHead(status, ur.statusMessage, ur.rawHeaders);
      const isBlobBody = !!blob && (status === 200 || status === 206);
      // reserved now (two blob GETs may run at once), given back if the body ends before the cut point
      const cutHere = isBlobBody && o.cutAfterBytes !== undefined && cuts + reserved < (o.times ?? 1) && (!o.digest || o.digest === blob![1]);
      if (cutHere) reserved++;
      try {
        for await (const chunk of ur as AsyncIterable<Buffer>) {
          let b = chunk;
          if (cutHere && record.bytes + b.length >= o.cutAfterBytes!) b = b.subarray(0, o.cutAfterBytes! - record.bytes);
          // slices of ~1/20 s each: the rate holds within a chunk too
          const slice = isBlobBody && o.bytesPerSecond ? Math.max(1, Math.floor(o.bytesPerSecond / 20)) : b.length || 1;
          for (let off = 0; off < b.length; off += slice) {
            const piece = b.subarray(off, off + slice);
            if (res.destroyed) throw new Error('client gone');
            res.write(piece);
            record.bytes += piece.length;
            if (isBlobBody) sent(piece.length);
            if (isBlobBody && o.bytesPerSecond) await sleep((piece.length / o.bytesPerSecond) * 1000);
          }
          if (cutHere && record.bytes >= o.cutAfterBytes!) {
            record.cut = true;
            reserved--;
            cuts++;
            // flush what was written, then drop the connection without ending the body
            await new Promise<void>((r) => res.write('', () => r()));
            ur.destroy();
            res.socket?.destroy();
            requests.push(record);
            return;
          }
        }
        if (cutHere) reserved--;
        res.end();
      } catch {
        if (cutHere && !record.cut) reserved--;
        ur.destroy();
        res.destroy();
      }
      requests.push(record);
    });
    up.on('error', () => { if (!res.headersSent) { res.writeHead(502); res.end(); } else res.destroy(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    blobStore: store && { url: store.url, requests: store.requests },
    get cuts() { return cuts; },
    get blobBytes() { return blobBytes; },
    waitForBlobBytes: (n, timeoutMs = 30000) => new Promise<void>((resolve, reject) => {
      if (blobBytes >= n) { resolve(); return; }
      const t = setTimeout(() => reject(new Error(`proxy: ${blobBytes} of ${n} blob bytes after ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
    }),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { agent.destroy(); if (store) store.stop().then(resolve); else resolve(); });
    }),
  };
}

/** Another origin (its own port) serving blobs as a pre-signed URL would: no credentials needed, the ones sent recorded. */
async function startBlobStore(fileOf: (digest: string) => string): Promise<{ url: string; requests: BlobStoreRequest[]; stop(): Promise<void> }> {
  const requests: BlobStoreRequest[] = [];
  const server = http.createServer((req, res) => {
    const m = /^\/blobs\/(sha256:[0-9a-f]{64})$/.exec((req.url ?? '').split('?')[0]);
    let data: Buffer | undefined;
    try { data = m ? fs.readFileSync(fileOf(m[1])) : undefined; } catch { /* not stored */ }
    const status = data ? 200 : 404;
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization, range: req.headers.range, status });
    res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data?.length ?? 0) });
    res.end(data);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A proxy that drops the first blob GET after `cutAfterBytes` bytes of its body (`times` of them). */
export function cuttingProxy(targetHost: string, o: { cutAfterBytes: number; times?: number; digest?: string }): Promise<RegistryProxy> {
  return startProxy(targetHost, o);
}

/** A proxy that passes blob bodies at `bytesPerSecond`. */
export function throttlingProxy(targetHost: string, o: { bytesPerSecond: number }): Promise<RegistryProxy> {
  return startProxy(targetHost, o);
}
