// Reads a small file (e.g. /etc/passwd) as the image's merged layers show it,
// without mounting anything: the topmost layer that has it wins, unless a
// layer above deletes it (an overlay whiteout) or hides its directory.
import * as fs from 'fs';
import * as path from 'path';
import { native } from '../native';

const MAX = 1 << 20;

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function isOpaque(dir: string): boolean {
  try { return native().lgetxattr(dir, 'trusted.overlay.opaque')?.toString() === 'y'; } catch { return false; }
}

/** `layers` bottom to top; `rel` like "etc/passwd". Null when absent. Never follows symlinks. */
export function readLayeredFile(layers: string[], rel: string): string | null {
  const parts = rel.split('/').filter((p) => p && p !== '.' && p !== '..');
  for (let i = layers.length - 1; i >= 0; i--) {
    const full = path.join(layers[i], ...parts);
    let st: fs.Stats;
    try { st = fs.lstatSync(full); } catch {
      // a whiteout or an opaque dir on the way hides lower layers
      let hidden = false;
      for (let k = 1; k <= parts.length && !hidden; k++) {
        const p = path.join(layers[i], ...parts.slice(0, k));
        try {
          const s = fs.lstatSync(p);
          if (isWhiteout(s)) hidden = true;
          else if (k < parts.length && s.isDirectory() && isOpaque(p)) hidden = true;
        } catch { break; }
      }
      if (hidden) return null;
      continue;
    }
    if (isWhiteout(st) || !st.isFile() || st.size > MAX) return null;
    return fs.readFileSync(full, 'utf8');
  }
  return null;
}
