// Where the kernel cannot idmap the image layers (before Linux 5.19 for
// overlayfs on idmapped layers, or a file system without idmapped mounts), a
// container with its own user namespace gets a copy of each layer whose
// owners are shifted into its range, as Docker's userns-remap keeps a copy
// of the image store per remapped root. Made once per range and layer, kept
// until the last container of that range is removed.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { OVERFLOW_ID, toHostId, type IdMap, type IdMapping } from '../lib/idmap';
import { NscopeError } from '../errors';

/** `<root>/userns-layers/<uid base>-<gid base>/<layer dir name>` */
export function shiftedLayersDir(root: string, map: IdMap): string {
  return path.join(root, 'userns-layers', `${map.uid[0].hostID}-${map.gid[0].hostID}`);
}

function cpA(src: string, dst: string): Promise<void> {
  // cp -a keeps hardlinks, device nodes (overlay whiteouts), xattrs (opaque
  // directories) and times; the helper is root, so every one of them
  return new Promise((resolve, reject) => {
    execFile('cp', ['-a', '--no-target-directory', src, dst], (err, _out, stderr) => {
      if (err) reject(new NscopeError('failed', `copy layer ${path.basename(src)} for a user namespace: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

/**
 * Every entry of `dir` handed to the mapped ids (an id the map lacks
 * becomes the overflow id's host id, as the container would see it; one
 * already in the range is left as it is). Each
 * inode once (hardlinks), symlinks themselves, set-id bits put back after
 * chown clears them.
 */
export async function shiftOwners(dir: string, map: IdMap): Promise<void> {
  // an id already in the range stays (the init layer is given again at every start)
  const shifter = (m: IdMapping[]) => {
    const overflow = toHostId(m, OVERFLOW_ID) ?? m[0].hostID;
    return (id: number) => m.some((x) => id >= x.hostID && id < x.hostID + x.size) ? id : toHostId(m, id) ?? overflow;
  };
  const uid = shifter(map.uid);
  const gid = shifter(map.gid);
  const seen = new Set<string>();
  const visit = async (p: string): Promise<void> => {
    const st = await fs.promises.lstat(p);
    const key = `${st.dev}:${st.ino}`;
    if (!seen.has(key)) {
      seen.add(key);
      await fs.promises.lchown(p, uid(st.uid), gid(st.gid));
      if (!st.isSymbolicLink() && (st.mode & 0o6000)) await fs.promises.chmod(p, st.mode & 0o7777);
    }
    if (st.isDirectory()) for (const name of await fs.promises.readdir(p)) await visit(path.join(p, name));
  };
  await visit(dir);
}

/** Where the shifted copies of `layers` are, in the same order (made or not). */
export function shiftedLayerPaths(root: string, layers: string[], map: IdMap): string[] {
  return layers.map((l) => path.join(shiftedLayersDir(root, map), path.basename(l)));
}

/** The shifted copies of `layers` (made now where missing), in the same order. */
export async function shiftedLayers(root: string, layers: string[], map: IdMap): Promise<string[]> {
  await fs.promises.mkdir(shiftedLayersDir(root, map), { recursive: true, mode: 0o700 });
  const out = shiftedLayerPaths(root, layers, map);
  for (const [i, layer] of layers.entries()) {
    const dst = out[i];
    if (!fs.existsSync(dst)) {
      // made aside and renamed: a copy that is there is a whole one
      const tmp = `${dst}.tmp-${process.pid}-${Date.now()}`;
      try {
        await cpA(layer, tmp);
        await shiftOwners(tmp, map);
        await fs.promises.rename(tmp, dst);
      } catch (e) {
        await fs.promises.rm(tmp, { recursive: true, force: true });
        if (!fs.existsSync(dst)) throw e; // else another create made it meanwhile
      }
    }
  }
  return out;
}

/** Once no container holds the range any more. */
export async function removeShiftedLayers(root: string, map: IdMap): Promise<void> {
  await fs.promises.rm(shiftedLayersDir(root, map), { recursive: true, force: true });
}
