// `nscope image host`: a one-layer image made of the host's own programs and
// the shared libraries `ldd` lists for them. Host paths are mirrored as they
// are: a symlink on the way (/bin -> usr/bin on merged-usr Debian,
// /usr/bin/sh -> dash, /lib64/ld-linux… -> ../lib/…) is copied as a symlink
// and its target copied too, so the dynamic loader and the libraries sit at
// the very paths the binaries ask for. Every program is also reachable as
// /bin/NAME. The tar is deterministic (sorted entries, fixed mtime, uid 0).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { invalid, NscopeError, notFound } from '../errors';
import type { TarWriter } from './tar-writer';

export const DEFAULT_HOST_PROGRAMS = ['sh', 'ls', 'cat', 'echo', 'ps', 'mkdir', 'rm', 'hostname', 'sleep', 'id', 'mount'];
export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** All entries carry this mtime: the same host files give the same layer digest. */
const MTIME = 0;

interface Node {
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  linkname?: string;
  hostFile?: string;
  data?: string;
}

const MAX_LINKS = 40;

export class HostTree {
  /** image path without the leading "/" -> node */
  readonly nodes = new Map<string, Node>();
  /** newest mtime (ms) of the host files copied: the image's "created" */
  newest = 0;

  private addDir(key: string, mode = 0o755): void {
    if (!this.nodes.has(key)) this.nodes.set(key, { type: 'dir', mode });
  }

  /**
   * Resolves an image path in the tree (symlinks followed, clamped to the root).
   * Returns the key of the final node, or undefined if something is missing.
   */
  resolve(p: string): string | undefined {
    return walkPath(p, (key, last) => {
      const n = this.nodes.get(key);
      if (!n) return { stop: undefined };
      if (n.type === 'symlink') return { follow: n.linkname! };
      if (n.type === 'file' && !last) return { stop: undefined };
      return 'enter';
    }, () => undefined);
  }

  /**
   * Copies host path `abs` into the tree at the same path, keeping every
   * symlink met on the way (and copying what it points to). Returns the key of the final file.
   */
  addHostPath(abs: string): string {
    let file: string | undefined;
    walkPath(abs, (key, last) => {
      const host = `/${key}`;
      let st: fs.Stats;
      try { st = fs.lstatSync(host); } catch { throw notFound(`host image: ${abs}: ${host} does not exist`); }
      if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(host);
        const had = this.nodes.get(key);
        // the skeleton may have made a real dir where the host has a symlink: then the dir stays
        if (!had) this.nodes.set(key, { type: 'symlink', mode: 0o777, linkname: target });
        return !had || had.type === 'symlink' ? { follow: target } : 'enter';
      }
      if (st.isDirectory()) {
        if (last) throw invalid(`host image: ${abs} is a directory, not a program`);
        this.addDir(key);
        return 'enter';
      }
      if (!st.isFile() || !last) throw invalid(`host image: ${host} is not a regular file`);
      if (!this.nodes.has(key)) {
        this.nodes.set(key, { type: 'file', mode: st.mode & 0o7777, hostFile: host });
        this.newest = Math.max(this.newest, st.mtimeMs);
      }
      file = key;
      return { stop: key };
    }, () => { throw invalid(`host image: ${abs}: too many levels of symbolic links`); });
    // a walk that ended without reaching a file (e.g. "/") found none
    if (file === undefined) throw invalid(`host image: ${abs} is not a file`);
    return file;
  }

  addFile(key: string, data: string, mode = 0o644): void {
    this.nodes.set(key, { type: 'file', mode, data });
  }

  /** A top-level directory as the host has it: a symlink where the host has one (merged /usr), else a real dir. */
  addTopDir(name: string, mode = 0o755): void {
    if (this.nodes.has(name)) return;
    let st: fs.Stats | undefined;
    try { st = fs.lstatSync(`/${name}`); } catch { /* absent on the host */ }
    if (st?.isSymbolicLink()) {
      const target = fs.readlinkSync(`/${name}`);
      const abs = path.posix.resolve('/', target);
      // mirror only a link to another directory of ours (bin -> usr/bin); anything else becomes a real dir
      if (!target.startsWith('/') && !abs.startsWith('/..')) {
        this.nodes.set(name, { type: 'symlink', mode: 0o777, linkname: target });
        let p = '';
        for (const part of abs.split('/').filter(Boolean)) { p = p ? `${p}/${part}` : part; this.addDir(p); }
        return;
      }
    }
    this.addDir(name, mode);
  }

  /** Entries parents first, siblings by name: a stable order for a stable digest. */
  sortedKeys(): string[] {
    return [...this.nodes.keys()].sort((a, b) => {
      const x = a.split('/'), y = b.split('/');
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length - y.length;
    });
  }

  write(w: TarWriter): void {
    for (const key of this.sortedKeys()) {
      const n = this.nodes.get(key)!;
      const h = { name: key, mode: n.mode, uid: 0, gid: 0, mtime: MTIME };
      if (n.type === 'dir') w.add({ ...h, type: 'dir' });
      else if (n.type === 'symlink') w.add({ ...h, type: 'symlink', linkname: n.linkname });
      else if (n.data !== undefined) w.add({ ...h, type: 'file' }, n.data);
      else w.addFromFile({ ...h, type: 'file' }, n.hostFile!);
    }
  }
}

/** Finds a program: a path as given, or the first executable match in PATH. */
export function findProgram(prog: string): string | undefined {
  if (prog.includes('/')) {
    const abs = path.resolve(prog);
    return isExecutable(abs) ? abs : undefined;
  }
  const dirs = [...(process.env.PATH ?? '').split(':'), ...IMAGE_PATH.split(':')].filter((d) => d.startsWith('/'));
  for (const d of new Set(dirs)) {
    const p = path.join(d, prog);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch { return false; }
}

/** The shared objects `ldd` lists for `file` (loader included); [] for static binaries and scripts. */
export function sharedLibraries(file: string): string[] {
  const r = spawnSync('ldd', [file], { encoding: 'utf8', timeout: 30_000, env: { PATH: IMAGE_PATH, LC_ALL: 'C' } });
  if (r.error) throw new NscopeError('unsupported', `host image: cannot run ldd: ${r.error.message}`);
  const out = `${r.stdout}`;
  if (r.status !== 0) {
    if (/not a dynamic executable|statically linked/.test(`${out}${r.stderr}`)) return [];
    throw new NscopeError('failed', `host image: ldd ${file}: ${`${r.stderr}`.trim() || `exit ${r.status}`}`);
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const l = line.trim();
    if (!l || /statically linked/.test(l)) continue;
    const missing = /^(\S+) => not found/.exec(l);
    if (missing) throw new NscopeError('failed', `host image: ${file} needs ${missing[1]}, which ldd cannot find`);
    const m = /^(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(l);
    if (m) libs.push(m[1]); // "linux-vdso.so.1 (0x…)" has no path: the kernel provides it
  }
  return libs;
}

/** "#!/bin/sh -e" -> "/bin/sh": a script's interpreter must be in the image too. */
function interpreterOf(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(256);
    const n = fs.readSync(fd, b, 0, b.length, 0);
    const head = b.subarray(0, n).toString('latin1');
    if (!head.startsWith('#!')) return undefined;
    const m = /^#!\s*(\/\S+)/.exec(head);
    return m?.[1];
  } finally { fs.closeSync(fd); }
}

export interface HostImagePlan {
  tree: HostTree;
  /** the programs as resolved on the host (for the history line) */
  programs: string[];
}

/**
 * The image's file tree: skeleton, /etc files, programs and their libraries.
 * `programs` undefined means the defaults, each skipped when the host lacks it;
 * an explicitly requested program that is missing is an error.
 */
export function planHostImage(programs?: string[]): HostImagePlan {
  const explicit = programs !== undefined && programs.length > 0;
  const wanted = explicit ? programs! : DEFAULT_HOST_PROGRAMS;
  const tree = new HostTree();
  // /bin and /sbin first, so they mirror the host (symlink into /usr, or real dirs)
  for (const d of ['bin', 'sbin']) tree.addTopDir(d);

  const found: string[] = [];
  const shells = new Set<string>();
  const hostShells = readHostShells();
  for (const prog of wanted) {
    if (typeof prog !== 'string' || !prog || prog.includes('\0')) throw invalid(`host image: invalid program name ${JSON.stringify(prog)}`);
    const hostPath = findProgram(prog);
    if (!hostPath) {
      if (explicit) throw notFound(`host image: program "${prog}" not found on the host${prog.includes('/') ? '' : ' (searched PATH)'}`);
      continue;
    }
    found.push(prog);
    const key = tree.addHostPath(hostPath);
    const real = `/${key}`;
    for (const lib of sharedLibraries(real)) tree.addHostPath(lib);
    const interp = interpreterOf(real);
    if (interp && findProgram(interp)) {
      const ikey = tree.addHostPath(interp);
      for (const lib of sharedLibraries(`/${ikey}`)) tree.addHostPath(lib);
    }
    // reachable as /bin/NAME whatever its host directory
    const name = path.basename(hostPath);
    if (!tree.resolve(`bin/${name}`)) {
      const binDir = tree.resolve('bin')!;
      tree.nodes.set(`${binDir}/${name}`, { type: 'symlink', mode: 0o777, linkname: hostPath });
    }
    if (hostShells.has(name)) shells.add(`/bin/${name}`);
  }

  for (const d of ['usr/bin', 'etc', 'proc', 'sys', 'dev', 'root', 'var', 'run']) {
    if (!tree.resolve(d)) for (let p = '', parts = d.split('/'), i = 0; i < parts.length; i++) {
      p = p ? `${p}/${parts[i]}` : parts[i];
      if (!tree.nodes.has(p)) tree.nodes.set(p, { type: 'dir', mode: d === 'root' && p === 'root' ? 0o700 : 0o755 });
    }
  }
  if (!tree.nodes.has('tmp')) tree.nodes.set('tmp', { type: 'dir', mode: 0o1777 });

  tree.addFile('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  tree.addFile('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  tree.addFile('etc/shells', `# /etc/shells: valid login shells\n${[...shells].sort().map((s) => `${s}\n`).join('')}`);
  return { tree, programs: found };
}

/** Base names of the host's login shells (sh, bash, dash…), to list the ones the image has. */
function readHostShells(): Set<string> {
  const out = new Set(['sh']);
  try {
    for (const l of fs.readFileSync('/etc/shells', 'utf8').split('\n')) {
      const t = l.trim();
      if (t.startsWith('/')) out.add(path.basename(t));
    }
  } catch { /* none */ }
  return out;
}

type WalkStep = 'enter' | { follow: string } | { stop: string | undefined };

/**
 * Walks `p` a component at a time, as path resolution does: "." and "" are
 * skipped, ".." goes up (never above the root), a symlink's target is walked
 * in its place (from the root when absolute). `step` sees each component's
 * key ("usr/bin/sh") and whether it is the last; it enters it, follows it as
 * a symlink, or stops the walk with a result. Past MAX_LINKS symlinks,
 * `tooManyLinks` decides. Walking the whole path gives its key.
 */
function walkPath(p: string, step: (key: string, last: boolean) => WalkStep, tooManyLinks: () => undefined): string | undefined {
  const done: string[] = [];
  const todo = p.split('/');
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const r = step([...done, part].join('/'), !todo.some((t) => t !== '' && t !== '.'));
    if (r === 'enter') { done.push(part); continue; }
    if ('stop' in r) return r.stop;
    if (++links > MAX_LINKS) return tooManyLinks();
    if (r.follow.startsWith('/')) done.length = 0;
    todo.unshift(...r.follow.split('/'));
  }
  return done.join('/');
}
