// Path handling for hostile layer tars: lexical cleaning of entry names, and
// resolution of an entry's parent directory *inside* the layer root, with
// symlinks followed as if the root were "/" (what openat2 RESOLVE_IN_ROOT
// does in the kernel). The unpacker is the only writer of the directory it
// resolves in (a fresh temp dir in the root-only state dir), so checking each
// component with lstat cannot be raced by anyone else.
import * as fs from 'fs';
import * as path from 'path';

/**
 * "./a//b/../c/" -> ["a","c"]. A leading "/" makes the name absolute: it is
 * taken relative to the root and ".." stops at the root (like Docker).
 * A relative name whose ".." climbs above the root returns null (refused).
 */
export function cleanEntryPath(name: string): string[] | null {
  const absolute = name.startsWith('/');
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length) out.pop();
      else if (!absolute) return null;
      continue;
    }
    out.push(part);
  }
  return out;
}

/** Does a relative symlink target, read from the link's own directory `dirParts`, stay inside the root? (lexical, like Docker) */
export function symlinkStaysInside(dirParts: string[], target: string): boolean {
  if (target.startsWith('/')) return true; // absolute targets are resolved in the container's root
  let depth = dirParts.length;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') { if (--depth < 0) return false; } else depth++;
  }
  return true;
}

const MAX_LINKS = 40; // as the kernel's ELOOP limit

export class InRootError extends Error {}

/**
 * Resolves directory components `parts` inside `root`, following symlinks
 * clamped to the root, and returns the real path as components that are all
 * real directories (no symlinks). Missing directories are created (mode
 * 0755, as tar does for implied parents) when `create` is set, otherwise
 * null is returned. A component that is an existing non-directory throws.
 */
export function resolveDirInRoot(root: string, parts: string[], create: boolean): string[] | null {
  const done: string[] = [];
  const todo = [...parts];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') { done.pop(); continue; } // ".." at the root stays at the root
    const p = path.join(root, ...done, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!create) return null;
      fs.mkdirSync(p, 0o755);
      done.push(part);
      continue;
    }
    if (st.isDirectory()) { done.push(part); continue; }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new InRootError(`too many levels of symbolic links at "${[...done, part].join('/')}"`);
      const target = fs.readlinkSync(p);
      if (target.startsWith('/')) done.length = 0; // absolute: from the layer root, never the host's
      todo.unshift(...target.split('/'));
      continue;
    }
    throw new InRootError(`"${[...done, part].join('/')}" is not a directory`);
  }
  return done;
}

/**
 * Resolves a whole path `parts` inside `root`, following symlinks in every
 * component, the last one included, clamped to the root as above: the real
 * path as components, or null where something is missing. `nscope build`
 * takes COPY/ADD sources from the build context with it, as BuildKit does: a
 * link in the context (`root -> /`) leads to the context's own root, never to
 * the host's files.
 */
export function resolvePathInRoot(root: string, parts: string[]): string[] | null {
  let todo = parts.filter((p) => p !== '' && p !== '.');
  for (let links = 0; ; links++) {
    if (!todo.length) return [];
    const dir = resolveDirInRoot(root, todo.slice(0, -1), false);
    if (!dir) return null;
    const last = todo[todo.length - 1];
    if (last === '..') { todo = dir.slice(0, -1); continue; }
    const p = path.join(root, ...dir, last);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return null;
    if (!st.isSymbolicLink()) return [...dir, last];
    if (links >= MAX_LINKS) throw new InRootError(`too many levels of symbolic links at "${[...dir, last].join('/')}"`);
    const target = fs.readlinkSync(p);
    todo = [...(target.startsWith('/') ? [] : dir), ...target.split('/')].filter((x) => x !== '' && x !== '.');
  }
}

/**
 * resolveDirInRoot with what it found kept: an archive of 10,000 files in 100
 * directories resolves each directory once, not once per file (an lstat per
 * component per entry). Valid while the unpacker only adds under the root;
 * it calls clear() whenever it removes or replaces a path, since a directory
 * replaced by a symlink must be resolved again.
 */
export class ResolvedDirs {
  private readonly known = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  resolve(parts: string[], create: boolean): string[] | null {
    const key = parts.join('/');
    const hit = this.known.get(key);
    if (hit) return hit;
    const found = resolveDirInRoot(this.root, parts, create);
    if (found) this.known.set(key, found);
    return found;
  }

  clear(): void { this.known.clear(); }
}
