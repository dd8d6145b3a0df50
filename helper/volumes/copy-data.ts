// Docker's "copyData": the first time an empty volume is mounted over a
// directory the image has content in, that content is copied into the
// volume, so `-v db:/var/lib/postgresql` starts with what the image put
// there. The source is the image's layers merged as the container sees them
// (whiteouts and opaque directories respected): the target is looked up in
// the layers by rootfs/read.ts (symlinks resolved inside the image's root,
// never the host's), then the layers' copies of that one directory are
// mounted as a read-only overlay in a mount namespace of the copy's own
// (`unshare -m`: the mount goes away with the process, none can be left
// behind) and `cp -a` copies it: owners, modes, times, xattrs, symlinks as
// symlinks, hardlinks as hardlinks, device nodes. The volume is empty and no
// running container has it, so nothing else writes where cp writes.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import type { IdMap } from '../lib/idmap';
import { toHostId } from '../lib/idmap';
import { shiftOwners } from '../rootfs/idmap-copy';
import { resolve, type View } from '../rootfs/read';
import { topmostOnce } from '../rootfs/layout';

/** The layers' directories that make up `target` in the merged image, top first; null when the image has no directory there. */
export function imageDirLayers(layers: string[], target: string): string[] | null {
  if (!layers.length) return null;
  const view: View = { layers: layers.map((dir, i) => ({ dir, ref: { layer: i } })), raw: false, label: 'image' };
  let node;
  try { node = resolve(view, target, true); } catch (e) {
    if (e instanceof NscopeError && (e.code === 'not_found' || e.code === 'invalid')) return null; // nothing there, or not a directory
    throw e;
  }
  if (!node.dirs) return null;
  const rel = node.parts.join('/');
  return node.dirs.map((li) => path.join(layers[li], rel));
}

export function isEmptyDir(dir: string): boolean {
  try { return fs.readdirSync(dir).length === 0; } catch { return false; }
}

function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (err) fail(new NscopeError('failed', `${what}: ${(stderr || err.message).trim().split('\n').slice(-1)[0]}`));
      else ok();
    });
  });
}

/**
 * Copies the image's `target` into the empty `data` dir. `scratch` is a
 * private directory for the overlay's mount point (and its empty bottom
 * layer: an overlay without upper wants two lower ones). With `idMap`
 * (--userns=auto) the copy is then given to the container's mapped ids.
 * Returns false when the image has nothing there.
 */
export async function copyImageData(layers: string[], target: string, data: string, scratch: string, idMap?: IdMap): Promise<boolean> {
  const found = imageDirLayers(layers, target);
  if (!found) return false;
  const dirs = topmostOnce(found);
  const what = `copy the image's ${target} into the volume`;
  // relative lowerdirs (from the common root, as cwd) keep the mount options short: the kernel takes one page of them
  const base = commonDir([...dirs, scratch]);
  const empty = path.join(scratch, 'empty');
  const mnt = path.join(scratch, 'merged');
  fs.mkdirSync(empty, { recursive: true, mode: 0o700 });
  fs.mkdirSync(mnt, { recursive: true, mode: 0o700 });
  const lower = [...dirs, empty].map((d) => path.relative(base, d) || '.');
  for (const l of lower) if (/[:,\\]/.test(l)) throw new NscopeError('failed', `${what}: layer path ${l} has a character overlay options cannot carry`);
  const opts = `ro,lowerdir=${lower.join(':')}`;
  if (opts.length > 4000) throw new NscopeError('failed', `${what}: the image has too many layers for one overlay (${dirs.length})`);
  try {
    // $1 base, $2 options, $3 mount point, $4 data: passed as arguments, never spliced into the script
    await run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
      'cd "$1" && mount -t overlay -o "$2" nscope-copydata "$3" && exec cp -a --no-target-directory -- "$3/." "$4"',
      'copydata', base, opts, mnt, data], what);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (idMap) await shiftOwners(data, idMap);
  return true;
}

/** A fresh volume that gets no copy, under --userns=auto: its top given to the container's root. */
export function giveToMappedRoot(data: string, idMap: IdMap): void {
  const uid = toHostId(idMap.uid, 0);
  const gid = toHostId(idMap.gid, 0);
  if (uid !== undefined && gid !== undefined) fs.chownSync(data, uid, gid);
}

function commonDir(paths: string[]): string {
  let parts = paths[0].split('/');
  for (const p of paths.slice(1)) {
    const q = p.split('/');
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/') || '/';
}
