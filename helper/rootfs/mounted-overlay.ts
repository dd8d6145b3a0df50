// The overlay an engine mounted as a container's root, read back from the
// mount table: its lowerdir (top first in the options, returned bottom to top
// as nscope's layer lists go), upperdir and workdir. This is how the layers
// and CoW diff of a container nscope did not assemble are found.
import * as fs from 'fs';
import * as path from 'path';
import { parseMountinfo } from '../lib/mountinfo';

export interface MountedOverlay { lower: string[]; upper: string; work: string; mountpoint: string }

/**
 * The overlay mounted at `mountpoint` in `mountinfoFile` (the last one there:
 * it is the one on top), or null when the root is not an overlay (e.g.
 * containerd's `ctr run --rootfs DIR`). Throws when the options give paths
 * it cannot place (Docker's short relative "l/..." form, used when the
 * absolute options would not fit a page).
 */
export function mountedOverlay(mountinfoFile: string, mountpoint: string): MountedOverlay | null {
  let text: string;
  try { text = fs.readFileSync(mountinfoFile, 'utf8'); } catch { return null; }
  // the last one at that point: it is the one on top
  const found = parseMountinfo(text).filter((m) => m.mountPoint === mountpoint).pop();
  if (!found || found.fsType !== 'overlay') return null;
  const opts = new Map<string, string>();
  for (const o of found.superOptions) {
    const eq = o.indexOf('=');
    if (eq > 0) opts.set(o.slice(0, eq), o.slice(eq + 1));
  }
  const lower = (opts.get('lowerdir') ?? '').split(':').filter(Boolean).reverse();
  const upper = opts.get('upperdir') ?? '';
  const work = opts.get('workdir') ?? '';
  for (const p of [...lower, upper]) {
    if (!path.isAbsolute(p) || p.includes('\0')) throw new Error(`the overlay at ${mountpoint} names the layer "${p}", not an absolute path (the engine mounted it relative to its own directory)`);
  }
  return { lower, upper, work, mountpoint };
}
