// A build context's .dockerignore, as Docker reads it: one pattern a line,
// `#` comments, Go filepath.Match globs (`*`, `?`, `[…]`, `\` escapes:
// ./go-glob.ts) plus `**` for any number of directories, `!` re-including
// what an earlier line left out, the last matching line winning; a pattern
// that matches a directory leaves out everything below it. A malformed
// pattern (a `[` never closed) fails the build naming its line, as Docker's
// does, rather than leaving out nothing and sending what was to stay out.
// A folder left out whose files a later `!` line brings back (`/node_modules`
// then `!node_modules/keep`) stays, with those files alone, as Docker walks
// into it for them.
import * as fs from 'fs';
import * as path from 'path';
import { BuildError } from './build-error';
import { globSource } from './go-glob';

interface Rule { re: RegExp; exclude: boolean }

export function parseDockerignore(text: string): ((rel: string) => boolean) & { negations: boolean } {
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
  const matches = (rel: string) => {
    let out = false;
    for (const r of rules) if (r.re.test(rel)) out = r.exclude;
    return out;
  };
  return Object.assign(matches, { negations: rules.some((r) => !r.exclude) });
}

/**
 * What the context leaves out: what `rules` match, except a folder with
 * something below it they do not (looked for only when a `!` line could
 * bring something back), which then stays for that to be copied.
 */
export function contextIgnore(contextDir: string, rules: ReturnType<typeof parseDockerignore>): (rel: string) => boolean {
  if (!rules.negations) return rules;
  const kept = new Map<string, boolean>();
  const keptBelow = (rel: string): boolean => {
    let k = kept.get(rel);
    if (k !== undefined) return k;
    k = false;
    let names: string[] = [];
    try { if (fs.lstatSync(path.join(contextDir, rel)).isDirectory()) names = fs.readdirSync(path.join(contextDir, rel)); } catch { /* gone */ }
    for (const n of names) if (!rules(`${rel}/${n}`) || keptBelow(`${rel}/${n}`)) { k = true; break; }
    kept.set(rel, k);
    return k;
  };
  return (rel: string) => rules(rel) && !keptBelow(rel);
}
