// `nscope save` (`image export`): images as an OCI image layout tar
// (oci-layout, index.json, blobs/sha256/…) with Docker's manifest.json beside
// it, their manifests, configs and layer blobs copied byte for byte from the
// store, so importing it back gives the same digests, skopeo
// (`oci-archive:FILE`, `docker-archive:FILE`) and `docker load` read it. The tar is deterministic (fixed
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
/** images in one archive at most (each is a store lookup and a manifest read before the first byte) */
const MAX_IMAGES = 256;

/** Header bytes of an entry (a PAX header first when a number does not fit ustar). */
function headerBytes(e: TarWriteEntry, size: number): number {
  let n = 0;
  const w = new TarWriter((b) => { n += b.length; });
  if (e.type === 'file') w.beginFile(e, size); else w.add(e);
  return n;
}

/**
 * One image or more: `nscope save IMAGE…` puts every image given into one
 * archive, each blob once. `platform` (`save --platform`): every image must
 * be of it (an image has one platform, its only variant), else Docker's
 * "does not match the specified platform".
 */
export function planExport(store: ImageStore, refs: string | string[], opts: { platform?: string } = {}): ExportPlan {
  const list = typeof refs === 'string' ? [refs] : refs;
  if (!Array.isArray(list) || list.length === 0 || !list.every((r) => typeof r === 'string' && r)) throw invalid('export: no image given');
  if (list.length > MAX_IMAGES) throw invalid(`export: ${list.length} images; at most ${MAX_IMAGES} go in one archive`);
  const imgs = list.map((r) => store.inspect(r, opts.platform));
  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] };
  // Docker's own table of contents beside the OCI layout (as `docker save` writes since Docker 25),
  // so `docker load` and skopeo's docker-archive: read the archive too; an image given twice is one entry
  const dockerManifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const blobPath = (digest: string) => `blobs/sha256/${digest.slice(7)}`;

  const items: Item[] = [];
  const file = (name: string, data: Buffer) => items.push({ entry: { name, type: 'file', mode: 0o644 }, data, size: data.length });
  const dir = (name: string) => items.push({ entry: { name, type: 'dir', mode: 0o755 }, size: 0 });
  const blobItems: Item[] = [];
  const seen = new Set<string>();
  try {
    for (const img of imgs) {
      const manifestBytes = store.blobs.read(img.digest);
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as { mediaType?: string };
      const desc: Descriptor = { mediaType: manifest.mediaType ?? MEDIA.manifest, digest: img.digest, size: manifestBytes.length };
      if (img.name !== UNNAMED) desc.annotations = { [ANNOTATION_REF_NAME]: img.name };
      if (!index.manifests.some((d) => d.digest === desc.digest && d.annotations?.[ANNOTATION_REF_NAME] === desc.annotations?.[ANNOTATION_REF_NAME])) index.manifests.push(desc);
      const entry = dockerManifest.find((m) => m.Config === blobPath(img.manifest.config.digest));
      if (entry) {
        if (img.name !== UNNAMED && !entry.RepoTags?.includes(img.name)) entry.RepoTags = [...(entry.RepoTags ?? []), img.name];
      } else {
        dockerManifest.push({ Config: blobPath(img.manifest.config.digest), RepoTags: img.name === UNNAMED ? null : [img.name], Layers: img.manifest.layers.map((l) => blobPath(l.digest)) });
      }
      if (!seen.has(img.digest)) {
        seen.add(img.digest);
        blobItems.push({ entry: { name: blobPath(img.digest), type: 'file', mode: 0o644 }, data: manifestBytes, size: manifestBytes.length });
      }
      for (const d of [img.manifest.config, ...img.manifest.layers]) {
        if (seen.has(d.digest)) continue; // the same layer twice (or in two images): one blob
        seen.add(d.digest);
        let fd: number;
        try { fd = fs.openSync(store.blobs.path(d.digest), 'r'); } catch {
          throw new NscopeError('failed', `image ${img.name}: blob ${d.digest} is missing from the image store`);
        }
        const size = fs.fstatSync(fd).size;
        blobItems.push({ entry: { name: blobPath(d.digest), type: 'file', mode: 0o644 }, fd, size });
        if (typeof d.size === 'number' && d.size !== size) throw new NscopeError('failed', `image ${img.name}: blob ${d.digest} is ${size} bytes, its descriptor says ${d.size}`);
      }
    }
    file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    file('index.json', Buffer.from(JSON.stringify(index)));
    file('manifest.json', Buffer.from(JSON.stringify(dockerManifest)));
    dir('blobs/');
    dir('blobs/sha256/');
    items.push(...blobItems);
  } catch (e) {
    for (const it of blobItems) if (it.fd !== undefined) fs.closeSync(it.fd);
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
    name: imgs.map((img) => (img.name === UNNAMED ? img.id : img.name)).join(', '),
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
