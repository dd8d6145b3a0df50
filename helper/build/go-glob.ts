// Go's filepath.Match patterns as RegExp source, the one translation COPY's
// wildcards (copy-glob.ts, a path segment at a time) and .dockerignore
// (dockerignore.ts, whole paths with Docker's `**`) share: `*` and `?` never
// cross a `/`, dot files are not special, `[a-z]`, `[^x]`/`[!x]` classes,
// `\` escapes the next character.

const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * The pattern's RegExp source (unanchored), or null when it is malformed (a
 * class never closed: Go's ErrBadPattern). With `doubleStar`, `**` is any
 * number of directories (`**\/` none or more, `**` alone anything), as
 * Docker's patternmatcher reads .dockerignore.
 */
export function globSource(glob: string, doubleStar = false): string | null {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]);
    else if (c === '*') {
      if (doubleStar && glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return null;
      let cls = glob.slice(i + 1, end);
      const negate = cls[0] === '^' || cls[0] === '!';
      if (negate) cls = cls.slice(1);
      re += `[${negate ? '^' : ''}${cls.replace(/[\\^\]]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return re;
}
