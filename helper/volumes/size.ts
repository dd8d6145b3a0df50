// Bytes of file content under a directory, each inode once (hardlinks), no
// symlink followed; for `volume ls --size` and prune's "reclaimed".
import * as fs from 'fs';
import * as path from 'path';

/** Stop counting past this many entries: a size is a hint, not worth minutes of lstat. */
const MAX_ENTRIES = 1_000_000;

export function treeSize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length && entries < MAX_ENTRIES) {
    const d = stack.pop()!;
    let names: string[];
    try { names = fs.readdirSync(d); } catch { continue; }
    for (const n of names) {
      if (++entries > MAX_ENTRIES) break;
      const p = path.join(d, n);
      let st: fs.Stats;
      try { st = fs.lstatSync(p); } catch { continue; }
      if (st.isDirectory()) { stack.push(p); continue; }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) { if (seen.has(key)) continue; seen.add(key); }
      if (st.isFile()) total += st.size;
    }
  }
  return total;
}
