// Reads a small file (e.g. /etc/passwd) as the image's merged layers show it,
// without mounting anything: the topmost layer that has it wins, unless a
// layer above deletes it (an overlay whiteout) or hides its directory.
import * as fs from 'fs';
import { native } from '../native';

const MAX = 1 << 20;

type Entry = NonNullable<ReturnType<ReturnType<typeof native>['lstatBeneath']>>;
const S_IFMT = 0o170000;
const type = (e: Entry) => e.mode & S_IFMT;

/**
 * `layers` bottom to top; `rel` like "etc/passwd". Null when absent, or when
 * the merged view would need a symlink followed to find it. Every path is
 * resolved beneath its layer by the kernel, following no symlink: a layer's
 * `etc -> /etc` cannot make us read the host's files.
 */
export function readLayeredFile(layers: string[], rel: string): string | null {
  const parts = rel.split('/').filter((p) => p && p !== '.' && p !== '..');
  if (!parts.length) return null;
  for (let i = layers.length - 1; i >= 0; i--) {
    let opaqueAbove = false;
    for (let k = 1; k <= parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      const st = native().lstatBeneath(layers[i], prefix);
      if (!st) break; // not in this layer: look below, unless an opaque dir on the way hides it
      if (type(st) === 0o020000 && st.rdevMajor === 0 && st.rdevMinor === 0) return null; // a whiteout deletes it
      if (k < parts.length) {
        if (type(st) !== 0o040000) return null; // a file or symlink above hides the directory below
        if (st.opaque) opaqueAbove = true;
        continue;
      }
      if (type(st) !== 0o100000 || st.size > MAX) return null;
      const fd = native().openBeneath(layers[i], prefix, fs.constants.O_RDONLY);
      try { return fs.readFileSync(fd, 'utf8'); } finally { fs.closeSync(fd); }
    }
    if (opaqueAbove) return null;
  }
  return null;
}
