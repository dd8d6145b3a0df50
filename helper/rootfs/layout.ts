// Where a container's layers live, and the overlay that joins them:
// lowerdir = init layer over the image layers (top first), upperdir = rw.
import * as os from 'os';
import * as path from 'path';
import type { IdMap } from '../lib/idmap';

export interface RootfsLayout {
  base: string;        // the state root; layer paths in the mount options are relative to it
  mountpoint: string;  // <container>/rootfs, mounted only inside the container's mount namespace
  init: string;
  upper: string;
  work: string;
  lower: string[];     // image layer dirs, bottom to top
}

/**
 * A container's layers as the runtime reports them (ContainerManager.layers),
 * for the rootfs work done on them from outside the runtime: file views, diff.
 */
export interface ContainerLayers {
  id: string;
  name: string;
  imageId: string;
  /** image layer dirs, bottom to top */
  lower: string[];
  init: string;
  upper: string;
  /** a --userns=auto container: the mapped ids its rw layer is owned by */
  idMap?: IdMap;
}

/** What finds a container's layers by id, id prefix or name (the runtime's ContainerManager). */
export interface ContainerLayerSource { layers(ref: string): ContainerLayers }

/** `runDir`: where the init layer and the mount point go (the daemon's tmpfs), else containerDir. */
export function rootfsLayout(stateRoot: string, containerDir: string, imageLayers: string[], runDir = containerDir): RootfsLayout {
  return {
    base: stateRoot,
    mountpoint: path.join(runDir, 'rootfs'),
    init: path.join(runDir, 'init'),
    upper: path.join(containerDir, 'rw'),
    work: path.join(containerDir, 'work'),
    lower: imageLayers,
  };
}

/**
 * Lower dirs (top first) with each dir once, at its topmost place. Two steps that
 * make the same change give one layer (one digest, one dir) twice in an image;
 * overlayfs refuses a dir stacked twice (ELOOP). The upper copy holds every path
 * the lower one does, and overlayfs takes each path from its topmost layer, so the
 * merged tree is the same without the lower copy.
 */
export function topmostOnce(topFirst: string[]): string[] {
  const seen = new Set<string>();
  return topFirst.filter((d) => !seen.has(d) && !!seen.add(d));
}

/** The overlay's layer dirs, relative to `base` (short, so many layers fit in one mount). */
/**
 * `volatile` (Linux >= 5.10) skips the overlay's syncs: for a container that
 * is removed when it exits (--rm), nothing in its rw layer must outlive it.
 */
export function overlayDirs(l: RootfsLayout, o: { volatile?: boolean } = {}): { base: string; lower: string[]; upper: string; work: string; volatile: boolean } {
  const rel = (p: string) => {
    const r = path.relative(l.base, p);
    // a ':' or ',' would split the option string: such paths cannot be layers
    if (/[:,]/.test(r)) throw new Error(`overlay layer path contains ':' or ',': ${r}`);
    return r.startsWith('..') ? p : r;
  };
  return { base: l.base, lower: topmostOnce([l.init, ...[...l.lower].reverse()]).map(rel), upper: rel(l.upper), work: rel(l.work), volatile: !!o.volatile && kernelAtLeast(5, 10) };
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a, b] = os.release().split('.').map((x) => parseInt(x, 10));
  return a > major || (a === major && b >= minor);
}
