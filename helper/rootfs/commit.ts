// `nscope commit`: a container's rw layer becomes a new image layer on top of
// its image's layers. The rw layer (overlay upperdir) is written as an OCI
// layer tar: overlay whiteouts (char device 0/0) become `.wh.NAME` files,
// opaque directories (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry;
// modes (setuid/setgid/sticky included), owners, mtimes, symlinks, hardlinks
// within the layer and xattrs are kept, overlayfs' own trusted.overlay.*
// xattrs are not. The init layer's files (/etc/hosts, /etc/hostname,
// /etc/resolv.conf, /etc/mtab) are never part of it, even when the container
// wrote to them. The config gets a history entry and the --change edits.
//
// A running container is frozen (cgroup freezer) while its rw layer is read,
// as `docker commit` pauses by default; with pause off it is read as it is,
// and files changing meanwhile may make the commit fail. The layer's files
// are opened inside the rw layer (openat2 RESOLVE_IN_ROOT), so a running
// container swapping a directory for a symlink cannot make the helper read
// host files into the image.
import * as fs from 'fs';
import * as path from 'path';
import { invalid, notFound, NscopeError } from '../errors';
import { symlinkStaysInside } from '../images/in-root';
import { walkLayer, type LayerEntry } from '../images/layers-info-walk';
import { normalizeName } from '../images/names';
import type { OciHistory, OciImageConfig } from '../images/oci';
import type { ImageStore } from '../images/store';
import { TarWriter, type TarWriteEntry } from '../images/tar-writer';
import { native } from '../native';
import type { CommitResult } from '../protocol/types/layers';
import { applyChanges } from './commit-change';
import { freezeCgroup } from './commit-freeze';
import { INIT_LAYER_FILES } from './initlayer';
import { toContainerId } from '../lib/idmap';
import type { IdMap } from '../lib/idmap';
import { devMajor, devMinor } from '../lib/dev-t';

/** What commit needs to know about the container (from the manager). */
export interface CommitSource {
  id: string;
  name: string;
  status: 'created' | 'running' | 'exited' | string;
  imageId: string;
  command: string[];
  upper: string;
  lower: string[];
  cgroup?: { version: 1 | 2; path: string };
  /** a file that exists while the commit holds the container frozen, so a helper that died meanwhile can thaw it */
  freezeMarker?: string;
  /** a --userns=auto container: its rw layer is owned by mapped ids, stored as the container sees them */
  idMap?: IdMap;
}

export interface CommitOptions {
  name: string;
  message?: string;
  author?: string;
  createdBy?: string;
  changes?: string[];
  pause?: boolean;
  /**
   * Container paths left out of the layer, with what is below them: the
   * mount points a build's RUN --mount made (the stub file or directory the
   * runtime created to mount on), which BuildKit leaves out too. A directory
   * that holds nothing else the container changed goes with them, as for the
   * init layer's files.
   */
  exclude?: string[];
}

/** at most this many paths in `exclude` */
const MAX_EXCLUDE = 64;

/** `exclude` as relative, normalized names; refused when it is not a short list of absolute paths. */
export function excludedNames(exclude: unknown): Set<string> {
  const out = new Set<string>();
  if (exclude === undefined) return out;
  if (!Array.isArray(exclude) || exclude.length > MAX_EXCLUDE) throw invalid(`commit: exclude must be a list of at most ${MAX_EXCLUDE} paths`);
  for (const x of exclude) {
    if (typeof x !== 'string' || !x.startsWith('/') || x.length > 4096 || x.includes('\0')) throw invalid(`commit: exclude: ${JSON.stringify(x).slice(0, 80)} is not an absolute path`);
    const rel = path.posix.normalize(x).replace(/^\/+|\/+$/g, '');
    // "/" itself would leave everything out: not a mount point a build makes
    if (!rel) throw invalid('commit: exclude: "/" cannot be left out');
    out.add(rel);
  }
  return out;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const INIT = new Set(INIT_LAYER_FILES.map((f) => f.replace(/^\//, '')));
const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

interface Planned {
  e: LayerEntry;
  xattrs?: Record<string, Buffer>;
  keep: boolean;
  /** directories: an init-layer file below was left out */
  skippedBelow?: boolean;
  /** directories: something below is written */
  keptBelow?: boolean;
  /** below an excluded path: goes with it, says nothing of its parents */
  below?: boolean;
}

/** The xattrs to carry (the entry read by `full`); refuses overlay features that make the rw layer not self-contained. */
function xattrsOf(full: string, e: LayerEntry): Record<string, Buffer> | undefined {
  let names: string[];
  try { names = native().llistxattr(full); } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined; // gone since the walk saw it
    throw err;
  }
  let out: Record<string, Buffer> | undefined;
  for (const n of names) {
    if (n === 'trusted.overlay.redirect' || n === 'user.overlay.redirect') {
      throw new NscopeError('unsupported', `/${e.rel} is a renamed directory (overlay redirect_dir is on for this mount): its content lives in a lower layer, so the rw layer cannot be committed alone`);
    }
    if (n === 'trusted.overlay.metacopy' || n === 'user.overlay.metacopy') {
      throw new NscopeError('unsupported', `/${e.rel} was copied up as metadata only (overlay metacopy is on): its content lives in a lower layer, so the rw layer cannot be committed alone`);
    }
    // overlayfs' own bookkeeping (opaque, origin, impure, nlink, ...) is not content
    if (n.startsWith('trusted.overlay.') || n.startsWith('user.overlay.')) continue;
    let v: Buffer | null;
    try { v = native().lgetxattr(full, n); } catch (err) {
      if (errCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    if (v) (out ??= {})[n] = v;
  }
  return out;
}

/**
 * A relative symlink target as a layer may hold it. Inside the container
 * "../../../etc/x" from /a climbs to "/" and stops there; layers (ours and
 * Docker's) refuse targets that lexically leave the root, so the excess
 * leading ".." are dropped: the same file for the kernel. A target that
 * still leaves the root (".." after other names) is not stored.
 */
export function storableLinkTarget(linkRel: string, target: string): string | undefined {
  if (target.startsWith('/') || symlinkStaysInside(linkRel.split('/').slice(0, -1), target)) return target;
  const depth = linkRel.split('/').length - 1;
  const parts = target.split('/');
  let i = 0;
  let ups = 0;
  for (; i < parts.length; i++) {
    if (parts[i] === '..') ups++;
    else if (parts[i] !== '' && parts[i] !== '.') break;
  }
  if (ups <= depth) return undefined;
  const rest = parts.slice(i).join('/');
  const out = [...Array(depth).fill('..'), ...(rest ? [rest] : [])].join('/') || '.';
  return symlinkStaysInside(linkRel.split('/').slice(0, -1), out) ? out : undefined;
}

/** The directory as the image (lower layers, top first) has it, if it is a directory there. */
function lowerDir(lower: string[], rel: string): fs.Stats | undefined {
  for (let i = lower.length - 1; i >= 0; i--) {
    let st: fs.Stats;
    try { st = fs.lstatSync(path.join(lower[i], rel)); } catch { continue; }
    return st.isDirectory() ? st : undefined;
  }
  return undefined;
}

/** Walks the rw layer and decides what goes into the layer tar. */
async function plan(upper: string, lower: string[], warnings: string[], ids?: IdMap, exclude: Set<string> = new Set()): Promise<Planned[]> {
  const all: Planned[] = [];
  const dirs = new Map<string, Planned>();
  const left = (rel: string) => INIT.has(rel) || exclude.has(rel);
  const holdsExcluded = (rel: string) => { for (const x of exclude) if (x.startsWith(`${rel}/`)) return true; return false; };
  const under = (rel: string) => { for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) if (exclude.has(rel.slice(0, i))) return true; return false; };
  await walkLayer(upper, (e, at) => {
    if (ids) { e.uid = toContainerId(ids.uid, e.uid); e.gid = toContainerId(ids.gid, e.gid); }
    const p: Planned = { e, keep: true };
    all.push(p);
    if (e.type === 'dir') dirs.set(e.rel, p);
    if (left(e.rel)) { p.keep = false; return; }
    if (exclude.size && under(e.rel)) { p.keep = false; p.below = true; return; }
    if (e.name.startsWith(WH)) {
      p.keep = false;
      warnings.push(`/${e.rel} left out: a name starting with "${WH}" means a deletion in a layer`);
      return;
    }
    if (e.type === 'socket' || ((e.type === 'char' || e.type === 'block') && !e.whiteout)) {
      p.keep = false;
      warnings.push(`/${e.rel} left out: ${e.type === 'socket' ? 'a socket cannot be stored in a layer' : `device nodes (${e.type} ${devMajor(e.rdev)}:${devMinor(e.rdev)}) are not stored in layers`}`);
      return;
    }
    if (e.type === 'symlink') {
      const t = storableLinkTarget(e.rel, e.linkTarget ?? '');
      if (t === undefined) {
        p.keep = false;
        warnings.push(`/${e.rel} left out: its target "${e.linkTarget}" climbs out of the root after other names; layers cannot hold it`);
        return;
      }
      if (t !== e.linkTarget) {
        warnings.push(`/${e.rel}: target "${e.linkTarget}" stored as "${t}" (the same file: ".." stops at the root)`);
        e.linkTarget = t;
      }
    }
    if (!e.whiteout) p.xattrs = xattrsOf(at, e);
  });
  // bottom-up: a directory that is only there because the container wrote an
  // init-layer file in it (/etc for /etc/hosts) and is unchanged otherwise is left out
  for (let i = all.length - 1; i >= 0; i--) {
    const p = all[i];
    if (p.e.type === 'dir' && p.keep && !p.keptBelow && p.skippedBelow && !p.e.opaque) {
      const st = lowerDir(lower, p.e.rel);
      if (st && (st.mode & 0o7777) === p.e.mode && st.uid === p.e.uid && st.gid === p.e.gid) p.keep = false;
      // not in the image and holding nothing but a mount point left out: the runtime made it to mount on (/run/secrets)
      else if (!st && holdsExcluded(p.e.rel)) p.keep = false;
    }
    const slash = p.e.rel.lastIndexOf('/');
    const parent = slash < 0 ? undefined : dirs.get(p.e.rel.slice(0, slash));
    if (parent && !p.below) {
      if (p.keep) parent.keptBelow = true;
      else if (p.skippedBelow || left(p.e.rel)) parent.skippedBelow = true;
    }
  }
  return all.filter((p) => p.keep);
}

/** Writes the planned entries as a layer tar to `file`; returns the number of tar entries. */
async function writeLayer(upper: string, entries: Planned[], file: string, warnings: string[], ids?: IdMap): Promise<number> {
  const out = fs.openSync(file, 'w', 0o600);
  let count = 0;
  try {
    const w = new TarWriter((b) => { let off = 0; while (off < b.length) off += fs.writeSync(out, b, off); });
    const firstLink = new Map<number, string>();
    const buf = Buffer.alloc(1 << 20);
    let sinceYield = 0;
    for (const { e, xattrs } of entries) {
      const base: TarWriteEntry = { name: e.rel, type: 'file', mode: e.mode, uid: e.uid, gid: e.gid, mtime: Math.floor(e.mtime), xattrs };
      const dir = path.posix.dirname(e.rel);
      const inDir = (n: string) => (dir === '.' ? n : `${dir}/${n}`);
      if (e.whiteout) {
        w.add({ ...base, name: inDir(WH + e.name), type: 'file', xattrs: undefined });
      } else if (e.type === 'dir') {
        w.add({ ...base, type: 'dir' });
        if (e.opaque) w.add({ name: `${e.rel}/${OPAQUE}`, type: 'file', mode: 0o600, uid: e.uid, gid: e.gid, mtime: Math.floor(e.mtime) });
      } else if (e.type === 'symlink') {
        w.add({ ...base, type: 'symlink', linkname: e.linkTarget ?? '' });
      } else if (e.type === 'fifo') {
        w.add({ ...base, type: 'fifo' });
      } else if (e.type === 'file') {
        const first = e.nlink > 1 ? firstLink.get(e.ino) : undefined;
        if (first !== undefined) {
          w.add({ ...base, type: 'hardlink', linkname: first, xattrs: undefined });
        } else {
          let fd: number;
          try {
            fd = native().openInRoot(upper, e.rel, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
          } catch (err) {
            // gone or replaced since the walk (a running container that was not paused)
            if (['ENOENT', 'ELOOP', 'ENOTDIR', 'ENXIO'].includes(errCode(err) ?? '')) { warnings.push(`/${e.rel} left out: it changed while the layer was read`); continue; }
            throw err;
          }
          try {
            const st = fs.fstatSync(fd);
            if (!st.isFile()) { warnings.push(`/${e.rel} left out: it changed while the layer was read`); continue; }
            w.beginFile({ ...base, mode: st.mode & 0o7777, uid: toContainerId(ids?.uid, st.uid), gid: toContainerId(ids?.gid, st.gid), mtime: Math.floor(st.mtimeMs / 1000) }, st.size);
            let done = 0;
            while (done < st.size) {
              const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - done), done);
              if (n === 0) throw new NscopeError('failed', `/${e.rel} shrank while it was committed (commit with pause, the default, to freeze the container)`);
              w.body(buf.subarray(0, n));
              done += n;
              sinceYield += n;
            }
            w.endFile();
          } finally {
            fs.closeSync(fd);
          }
          if (e.nlink > 1) firstLink.set(e.ino, e.rel);
        }
      }
      count++;
      // let the helper's other clients in now and then
      if (++sinceYield > 8 << 20 || count % 2000 === 0) { sinceYield = 0; await new Promise((r) => setImmediate(r)); }
    }
    w.finish();
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  return count;
}

/** History entries without empty_layer must pair up with the layers: pad a short history so ours lines up with our layer. */
function historyWith(parent: OciImageConfig, layers: number, entry: OciHistory): OciHistory[] {
  const h = Array.isArray(parent.history) ? [...parent.history] : [];
  const nonEmpty = h.filter((x) => !x?.empty_layer).length;
  for (let i = nonEmpty; i < layers; i++) h.push({ created: parent.created, comment: 'nscope: history entry missing from the parent image' });
  h.push(entry);
  return h;
}

/** Commits of one container run one after the other (one freezes, the other would thaw it mid-read). */
const running = new Map<string, Promise<unknown>>();

export function commitContainer(images: ImageStore, src: CommitSource, o: CommitOptions): Promise<CommitResult> {
  const prev = running.get(src.id) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => commitNow(images, src, o));
  running.set(src.id, next);
  void next.catch(() => undefined).then(() => { if (running.get(src.id) === next) running.delete(src.id); });
  return next;
}

async function commitNow(images: ImageStore, src: CommitSource, o: CommitOptions): Promise<CommitResult> {
  if (!o || typeof o !== 'object') throw invalid('commit: options missing');
  const name = normalizeName(o.name, 'commit: image name');
  for (const [k, v] of [['message', o.message], ['author', o.author], ['createdBy', o.createdBy]] as const) {
    if (v !== undefined && typeof v !== 'string') throw invalid(`commit: ${k} must be a string`);
    if (v !== undefined && v.length > 65536) throw invalid(`commit: ${k} is ${v.length} characters; at most 65536`);
  }
  let parent;
  try { parent = images.inspect(src.imageId); } catch (e) {
    if (e instanceof NscopeError && e.code === 'not_found') throw notFound(`container ${src.name}: its image ${src.imageId.slice(7, 19)} is no longer in the image store`);
    throw e;
  }
  // the config first: a bad --change fails before any work
  const runConfig = applyChanges(parent.config.config ?? {}, o.changes);
  const exclude = excludedNames(o.exclude);
  if (!fs.existsSync(src.upper)) throw notFound(`container ${src.name}: its rw layer ${src.upper} is missing`);

  const warnings: string[] = [];
  const tmpRoot = path.join(images.layoutDir, '.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true, mode: 0o700 });
  const tmp = fs.mkdtempSync(path.join(tmpRoot, 'commit-'));
  try {
    const tarPath = path.join(tmp, 'layer.tar');
    let paused = false;
    let thaw: (() => void) | null = null;
    if (src.status === 'running' && o.pause !== false) {
      if (src.cgroup) thaw = await freezeCgroup(src.cgroup.path, src.cgroup.version, { marker: src.freezeMarker });
      if (thaw) paused = true;
      else warnings.push('the container could not be frozen (no cgroup freezer): its rw layer was read while it ran');
    }
    let entries: number;
    try {
      const planned = await plan(src.upper, src.lower, warnings, src.idMap, exclude);
      entries = await writeLayer(src.upper, planned, tarPath, warnings, src.idMap);
    } catch (e) {
      if (errCode(e) === 'ENOENT' && !fs.existsSync(src.upper)) throw notFound(`container ${src.name} was removed during the commit`);
      throw e;
    } finally {
      thaw?.();
    }

    const created = new Date().toISOString();
    const entry: OciHistory = { created, created_by: o.createdBy ?? src.command.join(' ') };
    if (o.author) entry.author = o.author;
    if (o.message) entry.comment = o.message;
    const { rootfs: _r, ...rest } = parent.config;
    const config: Omit<OciImageConfig, 'rootfs'> = {
      ...rest, created, config: runConfig, history: historyWith(parent.config, parent.layers.length, entry),
    };
    if (o.author) config.author = o.author;
    const sum = await images.addImage(name, config, [tarPath], { parent: parent.id, moveLayers: true });
    const img = images.inspect(sum.id);
    const top = img.layers[img.layers.length - 1];
    return {
      id: sum.id, name: sum.name, digest: sum.digest, paused, warnings,
      layer: { digest: top.digest, diffId: top.diffId, size: top.unpackedSize, entries },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
