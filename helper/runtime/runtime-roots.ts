// The host-wide list of the --root directories nscope-runtime has created
// containers under, so the daemon can find the containers Docker, containerd
// and Podman run with it (engine-containers.ts): each engine passes a --root
// of its own (/run/containerd/runc/<ns>, <exec-root>/runtime-<name>/moby, ...)
// and nothing else names them. One file per root, named by a hash of the path,
// holding the path; written atomically at create. The directory is root's
// alone (0700): a reader still checks every path it gets from it.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../lib/atomic';

/**
 * NSCOPE_RUNTIME_ROOTS_DIR moves it (the tests keep theirs in their own temp
 * dir, so nothing of them is left in /run): an absolute path, else ignored.
 */
export const RUNTIME_ROOTS_DIR = ((v) => (v && path.isAbsolute(v) && !v.includes('\0') ? path.normalize(v) : '/run/nscope-runtime-roots'))(process.env.NSCOPE_RUNTIME_ROOTS_DIR);

const DROP_AFTER_MS = 30_000;

const entryName = (root: string) => createHash('sha256').update(root).digest('hex').slice(0, 32);

/** A path read from a file we did not write ourselves just now: absolute, normalised, no NUL or newline. */
export function isSafeAbsPath(p: unknown): p is string {
  return typeof p === 'string' && p.length > 1 && p.length < 4096 && path.isAbsolute(p) && !/[\0\n]/.test(p) && path.normalize(p) === p;
}

/** An entry younger than this is not written again (well inside DROP_AFTER_MS). */
const FRESH_MS = DROP_AFTER_MS / 3;

/**
 * `.<root, URI-escaped>` beside the entries: a symlink to the root's entry, so
 * that a create finds its root recorded with one stat and never hashes (the
 * `crypto` module alone costs ~3 ms to load, and only the hash needs it). The
 * name a hash gives once, the symlink keeps it; a reader that drops the entry
 * drops the symlink too. undefined when the escaped path is too long to be a
 * file name: then every create hashes.
 */
function shortcut(root: string, dir: string): string | undefined {
  const name = '.' + encodeURIComponent(root);
  // (room left for the temporary name it is made under)
  return Buffer.byteLength(name) <= 200 ? path.join(dir, name) : undefined;
}

/**
 * Records `root` (absolute), made again by a create when older than FRESH_MS:
 * its recent mtime keeps a reader that saw the root empty a moment ago from
 * dropping it (see below), and a burst of creates under one root (an engine
 * starting many containers) costs a stat each, not a write and a rename.
 * A failure only costs the explorer its view, never the create.
 */
export function recordRuntimeRoot(root: string, dir = RUNTIME_ROOTS_DIR): void {
  try {
    const link = shortcut(root, dir);
    let name: string | undefined;
    if (link) {
      // through the symlink: the entry's own mtime
      try { if (Date.now() - fs.statSync(link).mtimeMs < FRESH_MS) return; } catch { /* no entry, or no symlink yet */ }
      try { name = /^[0-9a-f]{32}$/.exec(fs.readlinkSync(link))?.[0]; } catch { /* no symlink yet */ }
    }
    const file = path.join(dir, name ?? entryName(root));
    if (!link) try { if (Date.now() - fs.statSync(file).mtimeMs < FRESH_MS) return; } catch { /* not there yet */ }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(file, root + '\n', 0o600);
    if (link && !name) {
      const tmp = `${link}.tmp-${process.pid}`;
      try {
        fs.rmSync(tmp, { force: true });
        fs.symlinkSync(path.basename(file), tmp);
        fs.renameSync(tmp, link);
      } catch { /* the next create hashes again */ }
    }
  } catch (e) {
    process.stderr.write(`nscope-runtime: warning: cannot record ${root} in ${dir}: ${(e as Error).message}\n`);
  }
}

/**
 * The recorded roots that still exist. A root with no container left is
 * dropped here (lazily: runtime processes are short-lived, the daemon reads).
 * Only a registry owned by root and not writable by others is read at all.
 */
export function listRuntimeRoots(dir = RUNTIME_ROOTS_DIR): string[] {
  let st: fs.Stats;
  try { st = fs.lstatSync(dir); } catch { return []; }
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    process.stderr.write(`nscope: warning: ignoring ${dir}: not a directory owned by root and writable by root alone\n`);
    return [];
  }
  const roots: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!/^[0-9a-f]{32}$/.test(name)) continue;
    const file = path.join(dir, name);
    let root: string;
    try { root = fs.readFileSync(file, 'utf8').replace(/\n$/, ''); } catch { continue; }
    if (!isSafeAbsPath(root) || entryName(root) !== name) continue;
    let entries: string[] | undefined;
    try { entries = fs.readdirSync(root).filter((e) => !e.startsWith('.')); } catch { /* gone */ }
    if (!entries?.length) {
      // gone or empty: dropped (the next create records it again), unless just
      // written: a create may be between its mkdir and our readdir. Its
      // symlink goes too, or every temporary root would leave one behind.
      try {
        if (Date.now() - fs.statSync(file).mtimeMs > DROP_AFTER_MS) {
          fs.rmSync(file, { force: true });
          const link = shortcut(root, dir);
          if (link) fs.rmSync(link, { force: true });
        }
      } catch { /* gone meanwhile */ }
      continue;
    }
    roots.push(root);
  }
  return roots.sort();
}
