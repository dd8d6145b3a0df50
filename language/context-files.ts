// Whether a COPY/ADD source exists in the build context, globs included:
// BuildKit matches sources with Go's filepath.Match per path segment (`*`
// and `?` never cross a `/`, `[...]` classes), so a glob that matches nothing
// fails the build just as a missing file does. Reads the disk; the language
// server hands this to check.ts as CheckContext.exists.
import * as fs from 'fs';
import * as path from 'path';

const GLOB = /[*?[]/;

/** One path segment's pattern as a RegExp (Go's filepath.Match syntax; `\` escapes). */
function segmentPattern(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < seg.length) re += seg[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      re += `[${seg.slice(i + 1, close).replace(/^\^/, '^').replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether `rel` (normalised, relative, no `..`) names or matches something under `dir`. */
export function existsInContext(dir: string, rel: string): boolean {
  if (!GLOB.test(rel)) return fs.existsSync(path.join(dir, rel));
  let bases = [dir];
  for (const seg of rel.split('/').filter((s) => s && s !== '.')) {
    if (!GLOB.test(seg)) { bases = bases.map((b) => path.join(b, seg)).filter((b) => fs.existsSync(b)); continue; }
    const re = segmentPattern(seg);
    bases = bases.flatMap((b) => {
      try { return fs.readdirSync(b).filter((n) => re.test(n)).map((n) => path.join(b, n)); } catch { return []; }
    });
    if (!bases.length) return false;
  }
  return bases.length > 0;
}
