// COPY/ADD sources with wildcards (`*.txt`, `src/*/main.go`, `file?.[ch]`):
// each path segment matched as Go's filepath.Match matches it (what Docker
// and BuildKit use: `*` and `?` never cross a `/`, dot files are not
// special, `[a-z]`, `[^x]`/`[!x]`, `\` escapes), against the context as the
// build sees it: an entry .dockerignore leaves out is not there to match.
// Symlinked folders on the way are followed inside the context.
import * as fs from 'fs';
import * as path from 'path';
import { resolvePathInRoot } from '../images/in-root';
import { globSource } from './go-glob';

/** True when `s` holds a wildcard (an unescaped `*`, `?` or `[`). */
export const hasWildcard = (s: string) => /(^|[^\\])[*?[]/.test(s);

/** One path segment's pattern as a RegExp, or null when it is malformed (as Go's ErrBadPattern). */
function segmentRegExp(glob: string): RegExp | null {
  const re = globSource(glob);
  return re === null ? null : new RegExp(`^${re}$`, 's');
}

/**
 * The paths (as segments) the pattern's segments match, in order: a segment
 * with a wildcard against what `list` finds in the folder matched so far
 * (null: not a folder), one without taken as it is (the caller checks it is
 * there). A malformed pattern matches nothing.
 */
export async function globSegments(segments: string[], list: (dir: string[]) => Promise<string[] | null> | string[] | null): Promise<string[][]> {
  let found: string[][] = [[]];
  for (const seg of segments) {
    const next: string[][] = [];
    const re = hasWildcard(seg) ? segmentRegExp(seg) : undefined;
    for (const base of found) {
      if (re === undefined) { next.push([...base, seg.replace(/\\(.)/g, '$1')]); continue; }
      const names = re && await list(base);
      for (const n of [...names ?? []].sort()) if (re!.test(n)) next.push([...base, n]);
    }
    found = next;
  }
  return found;
}

/**
 * The context-relative paths the pattern `rel` (already normalised, no
 * leading `/`) matches, in order, without those `ignored` leaves out; [] when
 * none (the caller says so).
 */
export async function matchSources(contextDir: string, rel: string, ignored: (rel: string) => boolean): Promise<string[]> {
  const found = await globSegments(rel.split('/'), (dir) => {
    try {
      const real = resolvePathInRoot(contextDir, dir);
      return real && fs.readdirSync(path.join(contextDir, ...real));
    } catch { return null; /* not a folder, or a link loop: nothing there */ }
  });
  return found.map((p) => p.join('/')).filter((p) => {
    if (ignored(p)) return false;
    try { return resolvePathInRoot(contextDir, p.split('/')) !== null; } catch { return false; }
  });
}
