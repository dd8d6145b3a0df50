// Unpacked layers, one directory per diff_id (<stateRoot>/layers/<hex>/),
// shared by every image and container that has the layer. The directory is
// the overlay lower dir itself, so the layer's metadata (its unpacked size)
// sits beside it in <hex>.json. A directory that exists is complete (unpack
// renames it into place at the end).
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { NscopeError } from '../errors';
import { writeJsonAtomic, readJson } from '../lib/atomic';
import { layerDiffId, unpackLayer } from './unpack';
import { DIGEST_RE } from './oci';

interface LayerMeta { diffId: string; size: number }

export class LayerStore {
  constructor(readonly dir: string) {}

  path(diffId: string): string {
    if (!DIGEST_RE.test(diffId)) throw new NscopeError('invalid', `"${diffId}" is not a sha256 diff_id`);
    return path.join(this.dir, diffId.slice(7));
  }

  has(diffId: string): boolean {
    return fs.existsSync(this.path(diffId));
  }

  /** Unpacked size in bytes; recomputed (and remembered) if the side file is missing. */
  size(diffId: string): number {
    const meta = readJson<LayerMeta>(`${this.path(diffId)}.json`);
    if (meta && typeof meta.size === 'number') return meta.size;
    if (!this.has(diffId)) return 0;
    const size = du(this.path(diffId));
    try { writeJsonAtomic(`${this.path(diffId)}.json`, { diffId, size }); } catch { /* read-only is fine */ }
    return size;
  }

  /**
   * Makes sure the layer `diffId` is unpacked, from the blob at `blobFile`
   * (plain or gzip tar). The blob must decompress to exactly `diffId`: when
   * the directory already exists the blob is still hashed, so an archive
   * cannot attach arbitrary bytes to a layer name that is already here.
   */
  async ensure(diffId: string, blobFile: string, label: string): Promise<void> {
    const target = this.path(diffId);
    if (fs.existsSync(target)) {
      const got = await layerDiffId(fs.createReadStream(blobFile), label);
      if (got !== diffId) throw new NscopeError('invalid', `${label}: content does not match its diff_id (expected ${diffId}, got ${got})`);
      return;
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const res = await unpackLayer(fs.createReadStream(blobFile), target, { label, expectDiffId: diffId });
    writeJsonAtomic(`${target}.json`, { diffId, size: res.size });
  }

  /**
   * Unpacks the layer `diffId` from a stream (a download on its way in);
   * `beforeCommit` runs before it is put in place. A layer already here is
   * checked instead (the stream must still decompress to `diffId`).
   */
  async fromStream(diffId: string, input: Readable, label: string, beforeCommit: () => Promise<void>): Promise<void> {
    const target = this.path(diffId);
    if (fs.existsSync(target)) {
      const got = await layerDiffId(input, label);
      await beforeCommit();
      if (got !== diffId) throw new NscopeError('invalid', `${label}: content does not match its diff_id (expected ${diffId}, got ${got})`);
      return;
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const res = await unpackLayer(input, target, { label, expectDiffId: diffId, beforeCommit });
    writeJsonAtomic(`${target}.json`, { diffId, size: res.size });
  }

  /** Digests of the layers on disk. */
  list(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch { return []; }
  }

  remove(diffId: string): void {
    const p = this.path(diffId);
    // rename first so that a half-removed layer is never mistaken for a complete one
    const doomed = path.join(this.dir, `.rm-${path.basename(p)}-${process.pid}-${Date.now()}`);
    try { fs.renameSync(p, doomed); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
    fs.rmSync(doomed, { recursive: true, force: true });
    fs.rmSync(`${p}.json`, { force: true });
  }

  /** Leftovers of unpacks/removals interrupted by a crash. */
  cleanTemp(): void {
    let names: string[] = [];
    try { names = fs.readdirSync(this.dir); } catch { return; }
    for (const n of names) {
      if (n.startsWith('.tmp-') || n.startsWith('.rm-')) fs.rmSync(path.join(this.dir, n), { recursive: true, force: true });
    }
  }
}

/** Bytes of regular-file content under `dir` (hardlinked inodes counted once), without following symlinks. */
function du(dir: string): number {
  let total = 0;
  const seen = new Set<string>();
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) {
        const st = fs.lstatSync(p);
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) { if (seen.has(key)) continue; seen.add(key); }
        total += st.size;
      }
    }
  };
  walk(dir);
  return total;
}
