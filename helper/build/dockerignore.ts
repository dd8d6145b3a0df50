// A build context's .dockerignore, as Docker reads it: one pattern a line,
// `#` comments, Go filepath.Match globs (`*`, `?`, `[…]`) plus `**` for any
// number of directories, `!` re-including what an earlier line left out, the
// last matching line winning; a pattern that matches a directory leaves out
// everything below it.

interface Rule { re: RegExp; exclude: boolean }

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // a match of a directory covers what is below it
  return new RegExp(`^${re}(?:/.*)?$`);
}

export function parseDockerignore(text: string): (rel: string) => boolean {
  const rules: Rule[] = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (!line || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    const pattern = (exclude ? line : line.slice(1).trim()).replace(/^\/+/, '').replace(/\/+$/, '').split('/').filter((p) => p !== '.').join('/');
    if (pattern) rules.push({ re: globToRegExp(pattern), exclude });
  }
  return (rel: string) => {
    let out = false;
    for (const r of rules) if (r.re.test(rel)) out = r.exclude;
    return out;
  };
}
