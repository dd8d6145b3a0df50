// `nscope image export`: one image as an OCI image layout tar (oci-layout,
// index.json, blobs/sha256/…), its manifest, config and layer blobs copied
// byte for byte from the store, so importing it back gives the same digests
// and skopeo (`oci-archive:FILE`) reads it. The tar is deterministic (fixed
// order, mtime 0, uid 0) and its size is known before the first byte, so a
// client can tell a complete archive from a cut one.
//
// The blobs are opened when the export is planned: a removal of the image
// meanwhile (and the garbage collection of its blobs) cannot cut it short.
import * as fs from 'fs';
import { invalid, NscopeError } from '../errors';
import { ANNOTATION_REF_NAME, MEDIA, type Descriptor, type OciIndex } from './oci';
import type { ImageStore } from './store';
import { BLOCK } from './tar-header';
import { TarWriter, type TarWriteEntry } from './tar-writer';
import { UNNAMED } from './names';

interface Item { entry: TarWriteEntry; data?: Buffer; fd?: number; size: number }

export interface ExportPlan {
  /** the image exported ("name:tag" or its ID) */
  name: string;
  /** bytes of the whole archive */
  size: number;
  /** writes the archive through `sink`, awaiting it (backpressure); closes the blob files at the end */
  write(sink: (b: Buffer) => void | Promise<void>, cancelled?: () => boolean): Promise<void>;
  /** closes the blob files (when write() is not called) */
  close(): void;
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Header bytes of an entry (a PAX header first when a number does not fit ustar). */
function headerBytes(e: TarWriteEntry, size: number): number {
  let n = 0;
  const w = new TarWriter((b) => { n += b.length; });
  if (e.type === 'file') w.beginFile(e, size); else w.add(e);
  return n;
}

export function planExport(store: ImageStore, ref: string): ExportPlan {
  if (typeof ref !== 'string' || !ref) throw invalid('export: no image given');
  const img = store.inspect(ref);
  const manifestBytes = store.blobs.read(img.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { mediaType?: string };
  const desc: Descriptor = { mediaType: manifest.mediaType ?? MEDIA.manifest, digest: img.digest, size: manifestBytes.length };
  if (img.name !== UNNAMED) desc.annotations = { [ANNOTATION_REF_NAME]: img.name };
  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [desc] };

  const items: Item[] = [];
  const file = (name: string, data: Buffer) => items.push({ entry: { name, type: 'file', mode: 0o644 }, data, size: data.length });
  const dir = (name: string) => items.push({ entry: { name, type: 'dir', mode: 0o755 }, size: 0 });
  file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  file('index.json', Buffer.from(JSON.stringify(index)));
  dir('blobs/');
  dir('blobs/sha256/');
  const seen = new Set<string>();
  try {
    file(`blobs/sha256/${img.digest.slice(7)}`, manifestBytes);
    seen.add(img.digest);
    const blobs: Descriptor[] = [img.manifest.config, ...img.manifest.layers];
    for (const d of blobs) {
      if (seen.has(d.digest)) continue; // the same layer twice: one blob
      seen.add(d.digest);
      let fd: number;
      try { fd = fs.openSync(store.blobs.path(d.digest), 'r'); } catch {
        throw new NscopeError('failed', `image ${img.name}: blob ${d.digest} is missing from the image store`);
      }
      const size = fs.fstatSync(fd).size;
      items.push({ entry: { name: `blobs/sha256/${d.digest.slice(7)}`, type: 'file', mode: 0o644 }, fd, size });
      if (typeof d.size === 'number' && d.size !== size) throw new NscopeError('failed', `image ${img.name}: blob ${d.digest} is ${size} bytes, its descriptor says ${d.size}`);
    }
  } catch (e) {
    for (const it of items) if (it.fd !== undefined) fs.closeSync(it.fd);
    throw e;
  }
  const size = items.reduce((n, it) => n + headerBytes(it.entry, it.size) + padded(it.size), 0) + 2 * BLOCK;

  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const it of items) if (it.fd !== undefined) { try { fs.closeSync(it.fd); } catch { /* closed */ } }
  };
  return {
    name: img.name === UNNAMED ? img.id : img.name,
    size,
    close,
    async write(sink, cancelled = () => false) {
      let queue: Buffer[] = [];
      const w = new TarWriter((b) => { queue.push(b); });
      const flush = async () => {
        const q = queue;
        queue = [];
        for (const b of q) await sink(b);
      };
      try {
        for (const it of items) {
          if (cancelled()) return;
          if (it.entry.type === 'dir') { w.add(it.entry); await flush(); continue; }
          if (it.data) { w.add(it.entry, it.data); await flush(); continue; }
          w.beginFile(it.entry, it.size);
          await flush();
          let done = 0;
          while (done < it.size) {
            if (cancelled()) return;
            // a new buffer each time: the sink may hold on to it (a socket's write queue)
            const b = Buffer.allocUnsafe(Math.min(1 << 20, it.size - done));
            const n = fs.readSync(it.fd!, b, 0, b.length, done);
            if (n === 0) throw new NscopeError('failed', `${it.entry.name} shrank while it was exported`);
            w.body(n === b.length ? b : b.subarray(0, n));
            done += n;
            await flush();
          }
          w.endFile();
          await flush();
        }
        w.finish();
        await flush();
        if (w.size !== size) throw new NscopeError('failed', `export: wrote ${w.size} bytes, planned ${size}`);
      } finally {
        close();
      }
    },
  };
}

/** Writes the export to a file (tests, and callers inside the helper). */
export async function exportToFile(store: ImageStore, ref: string, file: string): Promise<{ size: number }> {
  const p = planExport(store, ref);
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    await p.write((b) => { let off = 0; while (off < b.length) off += fs.writeSync(fd, b, off); });
  } finally {
    p.close();
    fs.closeSync(fd);
  }
  return { size: p.size };
}
