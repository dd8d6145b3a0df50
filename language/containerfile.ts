// The Containerfile (Dockerfile) syntax, read once for everyone: `nscope
// build` runs what it returns, the language server checks and explains it.
// It follows BuildKit's parser: parser directives (`# escape=`, `# syntax=`)
// only before anything else, comments and blank lines skipped (also inside a
// continued instruction), the escape character at a line's end joins it to
// the next, heredocs (`<<EOF` … `EOF`) for RUN/COPY/ADD, `--flag=value`
// options before the arguments, and the JSON ("exec") form told apart from
// the shell form. Nothing here knows what an instruction means; positions are
// kept so every piece can be pointed at in an editor. Pure: no I/O, no Node.
//
// Lines and characters are 0-based, as in the Language Server Protocol.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface Flag {
  /** without the leading `--` */
  name: string;
  /** undefined for a bare `--flag` */
  value?: string;
  range: Range;
}

export interface Heredoc {
  /** the delimiter word (`EOF`) */
  name: string;
  /** the lines between the instruction and the delimiter, each ending in "\n" */
  body: string;
  /** `<<-`: leading tabs of the body are stripped */
  stripTabs: boolean;
  /** `<<"EOF"` or `<<'EOF'`: no variable expansion in the body */
  quoted: boolean;
  range: Range;
}

export interface Instruction {
  /** upper case: `FROM`, `RUN`, … (whatever word was written, checked elsewhere) */
  keyword: string;
  keywordRange: Range;
  /** the `--name=value` options written before the arguments */
  flags: Flag[];
  /** the arguments after the flags, continued lines joined (the escape and newline removed) */
  args: string;
  /** where `args` starts; `argsPosition(ins, i)` maps an offset inside it */
  argsRange: Range;
  /** the exec form `["a", "b"]`, when the arguments are a JSON array of strings */
  json?: string[];
  heredocs: Heredoc[];
  /** the whole instruction, continuation lines and heredoc bodies included */
  range: Range;
  /** offsets in `args` where a new physical line starts, with that line's position */
  segments: { offset: number; position: Position }[];
}

export interface SyntaxError {
  message: string;
  range: Range;
}

export interface Containerfile {
  directives: Record<string, string>;
  /** `\` unless `# escape=` said otherwise */
  escape: string;
  instructions: Instruction[];
  errors: SyntaxError[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
/** instructions whose arguments may hold heredocs (BuildKit's list) */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

const pos = (line: number, character: number): Position => ({ line, character });
const range = (a: Position, b: Position): Range => ({ start: a, end: b });

/** True when `line` ends with the escape character (trailing blanks allowed), i.e. continues. */
function continues(line: string, escape: string): boolean {
  const t = line.replace(/[ \t]+$/, '');
  if (!t.endsWith(escape)) return false;
  // an escaped escape (`\\`) at the end does not continue
  let n = 0;
  for (let i = t.length - 1; i >= 0 && t[i] === escape; i--) n++;
  return n % 2 === 1;
}

const isComment = (line: string) => /^\s*#/.test(line);
const isBlank = (line: string) => /^\s*$/.test(line);

export function parseContainerfile(text: string): Containerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: Containerfile = { directives: {}, escape: '\\', instructions: [], errors: [] };
  let i = 0;
  // parser directives: only at the very top, each once, until the first other line
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key in out.directives) break;
    out.directives[key] = m[2];
  }
  if (out.directives.escape !== undefined) {
    const e = out.directives.escape;
    if (e === '\\' || e === '`') out.escape = e;
    else out.errors.push({ message: `invalid escape token '${e}': it must be \\ or \``, range: range(pos(0, 0), pos(0, lines[0]?.length ?? 0)) });
  }
  const escape = out.escape;

  while (i < lines.length) {
    const first = lines[i];
    if (isBlank(first) || isComment(first)) { i++; continue; }
    const startLine = i;
    // gather the physical lines of this instruction
    let args = '';
    const segments: Instruction['segments'] = [];
    const lead = /^\s*/.exec(first)![0].length;
    const kw = /^\S+/.exec(first.slice(lead))![0];
    const keywordRange = range(pos(i, lead), pos(i, lead + kw.length));
    let rest = first.slice(lead + kw.length);
    let restStart = lead + kw.length;
    let line = i;
    for (;;) {
      const more = continues(rest, escape);
      const body = more ? rest.replace(/[ \t]*$/, '').slice(0, -1) : rest;
      segments.push({ offset: args.length, position: pos(line, restStart) });
      args += body;
      if (!more) break;
      // skip comment and blank lines inside the continuation
      line++;
      while (line < lines.length && (isComment(lines[line]) || isBlank(lines[line]))) line++;
      if (line >= lines.length) break;
      rest = lines[line];
      restStart = 0;
    }
    let endLine = line;
    let endChar = (lines[line] ?? '').length;
    i = line + 1;

    // flags come first; everything after them is the arguments
    const keyword = kw.toUpperCase();
    const flags: Flag[] = [];
    let at = 0;
    const position = (offset: number) => offsetPosition(segments, offset);
    for (;;) {
      while (at < args.length && /\s/.test(args[at])) at++;
      const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=((?:"[^"]*"|'[^']*'|\S)*))?(?=\s|$)/.exec(args.slice(at));
      if (!m) break;
      flags.push({ name: m[1], value: m[2] === undefined ? undefined : unquote(m[2]), range: range(position(at), position(at + m[0].length)) });
      at += m[0].length;
    }
    const argsText = args.slice(at).replace(/\s+$/, '');
    const argsSegments = segments.map((s) => ({ offset: s.offset - at, position: s.position }))
      .filter((s, k, all) => s.offset >= 0 || (k + 1 < all.length ? all[k + 1].offset > 0 : true))
      .map((s) => (s.offset < 0 ? { offset: 0, position: pos(s.position.line, s.position.character - s.offset) } : s));
    const ins: Instruction = {
      keyword, keywordRange, flags, args: argsText,
      argsRange: range(position(at), position(at + argsText.length)),
      heredocs: [], range: range(pos(startLine, lead), pos(endLine, endChar)), segments: argsSegments,
    };
    const json = jsonForm(argsText);
    if (json) ins.json = json;

    if (HEREDOC_KEYWORDS.has(keyword) && !json) {
      for (const h of argsText.matchAll(HEREDOC)) {
        const name = h[3];
        const stripTabs = h[1] === '-';
        const from = i;
        let body = '';
        while (i < lines.length && (stripTabs ? lines[i].replace(/^\t+/, '') : lines[i]) !== name) {
          body += `${stripTabs ? lines[i].replace(/^\t+/, '') : lines[i]}\n`;
          i++;
        }
        if (i >= lines.length) {
          out.errors.push({ message: `unterminated heredoc: no line "${name}" closes <<${name}`, range: range(pos(from - 1, 0), pos(lines.length - 1, (lines[lines.length - 1] ?? '').length)) });
        } else {
          i++;
        }
        endLine = Math.min(i - 1, lines.length - 1);
        endChar = (lines[endLine] ?? '').length;
        ins.heredocs.push({ name, body, stripTabs, quoted: h[2] !== '', range: range(pos(from, 0), pos(endLine, endChar)) });
      }
      ins.range = range(ins.range.start, pos(endLine, endChar));
    }
    out.instructions.push(ins);
  }
  return out;
}

function offsetPosition(segments: Instruction['segments'], offset: number): Position {
  let s = segments[0];
  for (const seg of segments) if (seg.offset <= offset) s = seg;
  return pos(s.position.line, s.position.character + (offset - s.offset));
}

/** Where the character at `offset` of `ins.args` is in the file. */
export function argsPosition(ins: Instruction, offset: number): Position {
  return offsetPosition(ins.segments, offset);
}

/** The range of `ins.args.slice(from, to)` in the file (one line's worth when it spans a continuation). */
export function argsSubrange(ins: Instruction, from: number, to: number): Range {
  return range(argsPosition(ins, from), argsPosition(ins, to));
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v[0] === '"' && v.endsWith('"')) || (v[0] === "'" && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/** The exec form: a JSON array of strings, else undefined (the shell form). */
export function jsonForm(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* not JSON: the shell form, as Docker falls back */ }
  return undefined;
}

export interface Word {
  /** the word with quotes removed and escapes applied */
  value: string;
  /** offsets in the text it was read from */
  start: number;
  end: number;
}

/**
 * Words as Docker's shell lexer splits ENV/LABEL/ARG/COPY arguments: blanks
 * separate, single quotes keep everything, double quotes keep blanks and
 * allow escapes, the escape character outside quotes keeps the next one.
 * Variables are not expanded here (see `expandVariables`).
 */
export function splitWords(text: string, escape = '\\'): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    let quote: string | null = null;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote === "'") { if (c === "'") quote = null; else value += c; continue; }
      if (c === escape && i + 1 < text.length && (quote === null || text[i + 1] === '"' || text[i + 1] === escape)) { value += text[++i]; continue; }
      if (quote === '"') { if (c === '"') quote = null; else value += c; continue; }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (/\s/.test(c)) break;
      value += c;
    }
    words.push({ value, start, end: i });
  }
  return words;
}

export interface VariableRef {
  name: string;
  /** offsets of the whole `$NAME` / `${NAME…}` */
  start: number;
  end: number;
}

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-+?])[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `$NAME` and `${NAME}`, `${NAME:-word}`, `${NAME:+word}` references in `text`, escaped ones (`\$`) left out. */
export function variableRefs(text: string, escape = '\\'): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const m of text.matchAll(VAR)) {
    const at = m.index!;
    if (at > 0 && text[at - 1] === escape) continue;
    refs.push({ name: m[1] ?? m[3], start: at, end: at + m[0].length });
  }
  return refs;
}

/**
 * Expands variables as the build does for ENV, ARG, LABEL, WORKDIR, COPY, …
 * (not RUN: its shell does): `${A:-x}` is x when A is unset or empty,
 * `${A-x}` when unset, `${A:+x}`/`${A+x}` x when set, unset names are empty.
 * `\$` stays a literal `$` (the escape is removed).
 */
export function expandVariables(text: string, lookup: (name: string) => string | undefined, escape = '\\'): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(VAR)) {
    const at = m.index!;
    if (at > 0 && text[at - 1] === escape) {
      out += text.slice(last, at - 1) + m[0];
      last = at + m[0].length;
      continue;
    }
    out += text.slice(last, at);
    last = at + m[0].length;
    const name = m[1] ?? m[3];
    const v = lookup(name);
    const mod = m[2];
    if (!mod) { out += v ?? ''; continue; }
    const colon = mod[0] === ':';
    const op = colon ? mod[1] : mod[0];
    const word = expandVariables(mod.slice(colon ? 2 : 1), lookup, escape);
    const set = colon ? v !== undefined && v !== '' : v !== undefined;
    if (op === '-') out += set ? v! : word;
    else if (op === '+') out += set ? word : '';
    else if (op === '?') { if (!set) throw new Error(`${name}: ${word || 'is not set'}`); out += v!; }
  }
  return out + text.slice(last);
}

/**
 * Docker's shell lexer (BuildKit's shell.Lex: ProcessWords, or ProcessWord
 * with `split` false), as the build reads ENV, ARG, LABEL, WORKDIR, USER,
 * EXPOSE, VOLUME, STOPSIGNAL, FROM and COPY/ADD arguments: quotes, escapes
 * and variables in one pass. A variable's value is taken as it is (its blanks,
 * quotes and `$` never read again); `'$X'` and `\$X` (also `"\$X"`) stay a
 * literal `$X`; `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}`, `${X:?w}`, `${X?w}`, and
 * (Dockerfile 1.7) `${X#p}`, `${X##p}`, `${X%p}`, `${X%%p}`, `${X/p/r}`, `${X//p/r}`
 * with `*` and `?` wildcards in the pattern (`\*` a literal one).
 * Split: blanks outside quotes separate words; else one word, blanks kept.
 * Throws on an unterminated quote or `${`, a bad substitution and `?` unset.
 */
export function processWords(text: string, lookup: (name: string) => string | undefined, escape = '\\', split = true): string[] {
  let i = 0;
  const fail = (why: string) => new Error(`failed to process "${text}": ${why}`);
  const dollar = (): string => {
    // at text[i] === '$'
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (!m) {
      if (text[i + 1] === '{') throw fail('bad substitution');
      i++;
      return '$';
    }
    i += m[0].length;
    if (m[2] !== undefined) return lookup(m[2]) ?? '';
    const v = lookup(m[1]);
    if (text[i] === '}') { i++; return v ?? ''; }
    if (text[i] === '/') {
      // ${X/pattern/replacement}: the first match replaced, ${X//…}: every one
      const all = text[i + 1] === '/';
      i += all ? 2 : 1;
      const pattern = lex('/', false, true)[0] ?? '';
      const replacement = lex('}', false, true)[0] ?? '';
      const re = shellPattern(pattern, true, false, text, all);
      return (v ?? '').replace(re, () => replacement);
    }
    const colon = text[i] === ':';
    const op = text[colon ? i + 1 : i];
    if (op === undefined || !'-+?#%'.includes(op)) throw fail(`bad substitution in \${${m[1]}`);
    i += colon ? 2 : 1;
    const trim = op === '#' || op === '%';
    let word = lex('}', false, trim)[0] ?? '';
    if (trim) {
      // #/% the shortest match, ##/%% the longest; % from the end (both reversed, as BuildKit finds it)
      const greedy = word[0] === op;
      if (greedy) word = word.slice(1);
      const value = v ?? '';
      if (op === '#') return value.replace(shellPattern(word, greedy, true, text), '');
      const reversed = [...value].reverse().join('');
      return [...reversed.replace(shellPattern(reversePattern(word), greedy, true, text), '')].reverse().join('');
    }
    const set = colon ? v !== undefined && v !== '' : v !== undefined;
    if (op === '-') return set ? v! : word;
    if (op === '+') return set ? word : '';
    if (!set) throw fail(`${m[1]}: ${word || 'is not set'}`);
    return v!;
  };
  /** words up to `stop` (outside quotes; consumed) or the end; `raw`: escapes kept (a substitution's pattern) */
  const lex = (stop: string | undefined, splitting: boolean, raw = false): string[] => {
    const words: string[] = [];
    let cur = '';
    let inWord = false;
    for (;;) {
      if (i >= text.length) {
        if (stop !== undefined) throw fail(`missing '${stop}'`);
        break;
      }
      const c = text[i];
      if (c === stop) { i++; break; }
      if (splitting && /\s/.test(c)) {
        if (inWord) { words.push(cur); cur = ''; inWord = false; }
        i++;
        continue;
      }
      inWord = true;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw fail('unexpected end of statement while looking for matching single-quote');
        cur += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw fail('unexpected end of statement while looking for matching double-quote');
          const d = text[i];
          if (d === '"') { i++; break; }
          if (d === escape && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '$' || text[i + 1] === escape)) { cur += text[i + 1]; i += 2; continue; }
          if (d === '$') { cur += dollar(); continue; }
          cur += d;
          i++;
        }
      } else if (c === escape) {
        cur += raw ? text.slice(i, i + 2) : i + 1 < text.length ? text[i + 1] : c;
        i += 2;
      } else if (c === '$') {
        cur += dollar();
      } else {
        cur += c;
        i++;
      }
    }
    if (inWord || (!splitting && !words.length)) words.push(cur);
    return words;
  };
  return lex(undefined, split);
}

/**
 * A substitution's shell pattern as a regular expression (BuildKit's
 * convertShellPatternToRegex): `*` any run (the shortest unless `greedy`), `?`
 * one character, `\*` `\?` `\\` themselves, `\}` and `\/` the character.
 */
function shellPattern(pattern: string, greedy: boolean, anchored: boolean, text: string, global = false): RegExp {
  let out = anchored ? '^' : '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '\\') {
      const n = pattern[++i];
      if (n !== undefined && '}/*?\\'.includes(n)) out += `\\${n}`;
      else throw new Error(`failed to process "${text}": invalid pattern (${pattern}) in substitution: invalid escape '\\${n ?? ''}'`);
    } else out += c.replace(/[.+()|^$[\]{}]/g, '\\$&');
  }
  return new RegExp(out, global ? 'gs' : 's');
}

/** A pattern read backwards, an escape kept before its character (`a\*c` is `c\*a`). */
function reversePattern(pattern: string): string {
  const parts: string[] = [];
  for (let i = 0; i < pattern.length; i++) parts.push(pattern[i] === '\\' && i + 1 < pattern.length ? pattern[i] + pattern[++i] : pattern[i]);
  return parts.reverse().join('');
}

/** The build stages: each FROM with its `AS name`, index and the instructions up to the next FROM. */
export interface Stage {
  index: number;
  /** lower case, as BuildKit compares them */
  name?: string;
  base: string;
  from: Instruction;
  instructions: Instruction[];
}

export function stagesOf(file: Containerfile): Stage[] {
  const stages: Stage[] = [];
  for (const ins of file.instructions) {
    if (ins.keyword === 'FROM') {
      const words = splitWords(ins.args, file.escape);
      const asAt = words.findIndex((w) => w.value.toLowerCase() === 'as');
      stages.push({
        index: stages.length,
        base: words[0]?.value ?? '',
        name: asAt >= 0 && words[asAt + 1] ? words[asAt + 1].value.toLowerCase() : undefined,
        from: ins,
        instructions: [],
      });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}
