// A build context's .dockerignore, as Docker reads it: one pattern a line,
// `#` comments, Go filepath.Match globs (`*`, `?`, `[…]`, `\` escapes:
// ./go-glob.ts) plus `**` for any number of directories, `!` re-including
// what an earlier line left out, the last matching line winning; a pattern
// that matches a directory leaves out everything below it. A malformed
// pattern (a `[` never closed) fails the build naming its line, as Docker's
// does, rather than leaving out nothing and sending what was to stay out.
import { BuildError } from './build-error';
import { globSource } from './go-glob';

interface Rule { re: RegExp; exclude: boolean }

export function parseDockerignore(text: string): (rel: string) => boolean {
  const rules: Rule[] = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const exclude = !line.startsWith('!');
    const pattern = (exclude ? line : line.slice(1).trim()).replace(/^\/+/, '').replace(/\/+$/, '').split('/').filter((p) => p !== '.').join('/');
    if (!pattern) return;
    const re = globSource(pattern, true);
    if (re === null) throw new BuildError(`.dockerignore:${n + 1}: "${line}": syntax error in pattern`);
    // a match of a directory covers what is below it
    rules.push({ re: new RegExp(`^${re}(?:/.*)?$`, 's'), exclude });
  });
  return (rel: string) => {
    let out = false;
    for (const r of rules) if (r.re.test(rel)) out = r.exclude;
    return out;
  };
}
