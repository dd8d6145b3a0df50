// A subset of Go's text/template, enough for the --format strings Docker
// users type (`{{.State.Pid}}`, `{{json .Config}}`, `{{range .Mounts}}…{{end}}`,
// `{{index .Config.Labels "k"}}`, `{{if …}}…{{else}}…{{end}}`, `printf`):
// the scripts written for `docker inspect -f` work against nscope unchanged.
// Values print as Go prints them (`[a b]`, `map[k:v]`, `<no value>`), since
// scripts compare that text.

/**
 * Marks a plain object as a Go map (its keys sorted when printed or ranged, a
 * missing key is `<no value>`); unmarked objects are structs, where a missing
 * field is an error. `zero`: the value type's zero, what `index` gives for a
 * missing key as Go's does (`""` for Docker's map[string]string: Labels,
 * Options), rather than `<no value>`.
 */
const GO_MAP = Symbol('go-map');
const GO_ZERO = Symbol('go-zero');
export function goMap<T extends object>(o: T, zero?: unknown): T {
  Object.defineProperty(o, GO_MAP, { value: true, enumerable: false });
  if (zero !== undefined) Object.defineProperty(o, GO_ZERO, { value: zero, enumerable: false });
  return o;
}
/** A map of strings (Labels, Options, Attributes): index of a missing key is "". */
export const goStringMap = <T extends object>(o: T): T => goMap(o, '');
const isMap = (o: object): boolean => (o as Record<symbol, unknown>)[GO_MAP] === true;

export class TemplateError extends Error {}

type Arg =
  | { k: 'field'; base: 'dot' | { v: string } | { pipe: Pipe }; path: string[]; src: string }
  | { k: 'ident'; name: string }
  | { k: 'lit'; v: unknown }
  | { k: 'pipe'; pipe: Pipe };
interface Cmd { args: Arg[] }
interface Pipe { decl: string[]; cmds: Cmd[] }
type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; then: Node[]; else: Node[] }
  | { k: 'range'; pipe: Pipe; body: Node[]; else: Node[] };

// ---- lexing an action's inside ----

type Tok = { t: 'field' | 'var' | 'ident' | 'str' | 'num' | '(' | ')' | '|' | ':=' | '=' | ','; v: string };

function lexAction(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ident = /[A-Za-z0-9_]/;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === '|' || c === ',') { out.push({ t: c, v: c }); i++; continue; }
    if (c === ':' && s[i + 1] === '=') { out.push({ t: ':=', v: ':=' }); i += 2; continue; }
    if (c === '=') { out.push({ t: '=', v: '=' }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\') {
          const e = s[++j];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
        } else v += s[j];
      }
      if (j >= s.length) throw new TemplateError('unterminated quoted string');
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw quoted string');
      out.push({ t: 'str', v: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === '.' || c === '$') {
      // `.`, `.A.B`, `$`, `$x`, `$x.A`: one token, split on dots when parsed
      let j = i + 1;
      while (j < s.length && (ident.test(s[j]) || s[j] === '.')) j++;
      out.push({ t: c === '.' ? 'field' : 'var', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(s.slice(i));
      if (!m) throw new TemplateError(`bad number syntax: "${s.slice(i, i + 10)}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
      // a chain after a parenthesised value is read by the parser; after a number it is an error
      continue;
    }
    if (ident.test(c)) {
      let j = i;
      while (j < s.length && ident.test(s[j])) j++;
      out.push({ t: 'ident', v: s.slice(i, j) });
      i = j;
      continue;
    }
    throw new TemplateError(`unexpected "${c}" in command`);
  }
  return out;
}

// ---- parsing ----

function parsePipe(toks: Tok[], pos = { i: 0 }, inParen = false): Pipe {
  const pipe: Pipe = { decl: [], cmds: [] };
  // `$x := …`, `$i, $v := …` (range)
  const save = pos.i;
  const decl: string[] = [];
  while (toks[pos.i]?.t === 'var' && !toks[pos.i].v.slice(1).includes('.')) {
    decl.push(toks[pos.i].v);
    pos.i++;
    if (toks[pos.i]?.t === ',') { pos.i++; continue; }
    break;
  }
  if (decl.length && (toks[pos.i]?.t === ':=' || toks[pos.i]?.t === '=')) { pipe.decl = decl; pos.i++; } else pos.i = save;
  let cmd: Cmd = { args: [] };
  for (;;) {
    const t = toks[pos.i];
    if (!t) break;
    if (t.t === ')') { if (!inParen) throw new TemplateError('unexpected ")"'); break; }
    pos.i++;
    if (t.t === '|') {
      if (!cmd.args.length) throw new TemplateError('missing command before "|"');
      pipe.cmds.push(cmd);
      cmd = { args: [] };
      continue;
    }
    if (t.t === '(') {
      const inner = parsePipe(toks, pos, true);
      if (toks[pos.i]?.t !== ')') throw new TemplateError('unclosed left paren');
      pos.i++;
      // (index .A "k").Field
      const next = toks[pos.i];
      if (next?.t === 'field' && next.v !== '.') {
        pos.i++;
        cmd.args.push({ k: 'field', base: { pipe: inner }, path: next.v.slice(1).split('.'), src: `(…)${next.v}` });
      } else cmd.args.push({ k: 'pipe', pipe: inner });
      continue;
    }
    if (t.t === 'field') {
      const path = t.v === '.' ? [] : t.v.slice(1).split('.');
      if (path.some((p) => !p)) throw new TemplateError(`bad field "${t.v}"`);
      cmd.args.push({ k: 'field', base: 'dot', path, src: t.v });
    } else if (t.t === 'var') {
      const [name, ...path] = t.v.split('.');
      cmd.args.push({ k: 'field', base: { v: name }, path, src: t.v });
    } else if (t.t === 'str') cmd.args.push({ k: 'lit', v: t.v });
    else if (t.t === 'num') cmd.args.push({ k: 'lit', v: Number(t.v) });
    else if (t.t === 'ident') {
      if (t.v === 'true' || t.v === 'false') cmd.args.push({ k: 'lit', v: t.v === 'true' });
      else if (t.v === 'nil') cmd.args.push({ k: 'lit', v: null });
      else {
        if (!Object.hasOwn(FUNCS, t.v)) throw new TemplateError(`function "${t.v}" not defined`);
        cmd.args.push({ k: 'ident', name: t.v });
      }
    } else throw new TemplateError(`unexpected "${t.v}" in command`);
  }
  if (cmd.args.length) pipe.cmds.push(cmd);
  else if (pipe.cmds.length) throw new TemplateError('missing command after "|"');
  if (!pipe.cmds.length) throw new TemplateError('missing value for command');
  return pipe;
}

/** Parses a template; throws TemplateError (`template: …`) on bad syntax. */
export function parseTemplate(src: string): Template {
  // split into text and actions, honouring {{- and -}} trims and {{/* comments */}}
  type Piece = { k: 'text'; text: string } | { k: 'act'; body: string };
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) { if (text) pieces.push({ k: 'text', text }); break; }
    let bodyAt = open + 2;
    if (/^-\s/.test(src.slice(bodyAt))) { text = text.replace(/\s+$/, ''); bodyAt++; }
    const body = src.slice(bodyAt);
    if (text) pieces.push({ k: 'text', text });
    // the action ends at the first }} outside a quoted string
    let j = 0;
    let q: string | null = null;
    for (; j < body.length; j++) {
      const c = body[j];
      if (q) { if (c === '\\' && q === '"') j++; else if (c === q) q = null; continue; }
      if (c === '"' || c === '`') q = c;
      else if (c === '}' && body[j + 1] === '}') break;
    }
    if (j >= body.length) throw new TemplateError('template: unclosed action');
    let inner = body.slice(0, j);
    if (/\s-$/.test(inner)) { inner = inner.slice(0, -1); trimNext = true; }
    inner = inner.trim();
    if (!(inner.startsWith('/*') && inner.endsWith('*/'))) pieces.push({ k: 'act', body: inner });
    i = bodyAt + j + 2;
  }

  let at = 0;
  // parses nodes up to an {{else}} or {{end}}, which it returns
  const parseList = (): { nodes: Node[]; stop?: string; stopRest?: string } => {
    const nodes: Node[] = [];
    while (at < pieces.length) {
      const p = pieces[at++];
      if (p.k === 'text') { nodes.push({ k: 'text', text: p.text }); continue; }
      const m = /^(\w+)\b\s*([\s\S]*)$/.exec(p.body);
      const word = m?.[1];
      if (word === 'end') { if (m![2]) throw new TemplateError('unexpected text after end'); return { nodes, stop: 'end' }; }
      if (word === 'else') return { nodes, stop: 'else', stopRest: m![2] };
      if (word === 'if' || word === 'with' || word === 'range') {
        if (!m![2]) throw new TemplateError(`missing value for ${word}`);
        nodes.push(parseControl(word, m![2]));
        continue;
      }
      if (word === 'define' || word === 'template' || word === 'block' || word === 'break' || word === 'continue') throw new TemplateError(`"${word}" is not supported here`);
      if (!p.body) throw new TemplateError('missing value for command');
      nodes.push({ k: 'action', pipe: parsePipe(lexAction(p.body)) });
    }
    return { nodes };
  };
  const parseControl = (word: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipe(lexAction(rest));
    const body = parseList();
    let elseNodes: Node[] = [];
    if (body.stop === 'else') {
      if (body.stopRest && /^(if|with)\b/.test(body.stopRest) && word !== 'range') {
        // {{else if …}}: a nested if that shares this one's {{end}}
        const [, w, r] = /^(if|with)\s+([\s\S]*)$/.exec(body.stopRest)!;
        return { k: word, pipe, then: body.nodes, else: [parseControl(w as 'if' | 'with', r)] };
      }
      if (body.stopRest) throw new TemplateError(`unexpected "${body.stopRest}" after else`);
      const e = parseList();
      if (e.stop !== 'end') throw new TemplateError(`unexpected EOF: ${word} has no {{end}}`);
      elseNodes = e.nodes;
    } else if (body.stop !== 'end') throw new TemplateError(`unexpected EOF: ${word} has no {{end}}`);
    return word === 'range' ? { k: 'range', pipe, body: body.nodes, else: elseNodes } : { k: word, pipe, then: body.nodes, else: elseNodes };
  };
  try {
    const top = parseList();
    if (top.stop) throw new TemplateError(`unexpected {{${top.stop}}}`);
    return new Template(top.nodes);
  } catch (e) {
    if (e instanceof TemplateError && !e.message.startsWith('template:')) throw new TemplateError(`template: ${e.message}`);
    throw e;
  }
}

// ---- values as Go prints them ----

function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  // a nil pointer or slice of Docker's structs prints <nil>; a map's missing key (undefined here) <no value>
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return '<func>';
  if (Array.isArray(v)) return `[${v.map((x) => goString(x)).join(' ')}]`;
  if (typeof v === 'object') {
    if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
    return `{${Object.values(v).map((x) => goString(x)).join(' ')}}`;
  }
  return String(v);
}

/** %v of a float64: the shortest repr, with Go's exponent form for large and small values */
function goFloat(n: number): string {
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return isMap(v) ? Object.keys(v).length > 0 : true;
  return true;
}

/** Go's fmt.Sprintf for the verbs scripts use: %s %v %d %q %x %X %f %t %%, with flags, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (all, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 's': case 'v': s = goString(a); if (verb === 's' && a === null) s = '%!s(<nil>)'; if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec)); break;
      case 'd': s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeof a === 'string' ? 'string' : typeof a}=${goString(a)})`; if (flags.includes('+') && typeof a === 'number' && a >= 0) s = '+' + s; break;
      case 'q': s = JSON.stringify(goString(a)); break;
      case 'x': case 'X': s = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(goString(a)).toString('hex'); if (verb === 'X') s = s.toUpperCase(); break;
      case 'f': case 'F': s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${typeof a}=${goString(a)})`; break;
      case 't': s = typeof a === 'boolean' ? String(a) : `%!t(${typeof a}=${goString(a)})`; break;
      default: return all;
    }
    if (width !== undefined && s.length < Number(width)) {
      const w = Number(width);
      s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && /[dfxX]/.test(verb) ? (s.startsWith('-') ? '-' + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0')) : s.padStart(w);
    }
    return s;
  }) + (n < args.length ? `%!(EXTRA ${args.slice(n).map((a) => goString(a)).join(', ')})` : '');
}

function compare(a: unknown, b: unknown, op: string): boolean {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) throw new TemplateError(`error calling ${op}: incompatible types for comparison`);
  return op === 'lt' ? (a as number) < (b as number) : op === 'le' ? (a as number) <= (b as number) : op === 'gt' ? (a as number) > (b as number) : (a as number) >= (b as number);
}

function equal(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'object' || typeof b === 'object') throw new TemplateError('error calling eq: non-comparable types');
  return a === b;
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  // Docker's json: compact, no HTML escaping, a map's keys sorted (Go's encoding/json sorts them)
  json: (v) => JSON.stringify(v === undefined ? null : v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) && isMap(x)
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]])) : x)),
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      // null here is a nil map of Docker's documents (an image's Labels): Go's index gives the zero, "" for strings
      if (cur === null && typeof k === 'string') return '';
      if (cur === null || cur === undefined) throw new TemplateError('error calling index: index of untyped nil');
      if (Array.isArray(cur) || typeof cur === 'string') {
        if (typeof k !== 'number') throw new TemplateError('error calling index: cannot index slice/array with type string');
        if (k < 0 || k >= cur.length) throw new TemplateError(`error calling index: index out of range: ${k}`);
        cur = Array.isArray(cur) ? cur[k] : cur.charCodeAt(k);
      } else if (typeof cur === 'object') {
        const m = cur as Record<string | symbol, unknown>;
        cur = Object.prototype.hasOwnProperty.call(m, String(k)) ? m[String(k)] : m[GO_ZERO];
      } else throw new TemplateError(`error calling index: can't index item of type ${typeof cur}`);
    }
    return cur;
  },
  join: (v, sep) => {
    if (!Array.isArray(v)) throw new TemplateError('error calling join: not a list');
    return v.map((x) => goString(x)).join(String(sep));
  },
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => goString(s).toLowerCase(),
  upper: (s) => goString(s).toUpperCase(),
  title: (s) => goString(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  // Docker's truncate and pad
  truncate: (s, n) => [...goString(s)].slice(0, Number(n)).join(''),
  pad: (s, l, r) => ' '.repeat(Number(l)) + goString(s) + ' '.repeat(Number(r)),
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError(`error calling len: len of type ${v === null || v === undefined ? 'nil' : typeof v}`);
  },
  printf: (f, ...a) => sprintf(goString(f), a),
  print: (...a) => a.map((x, k) => (k > 0 && typeof x !== 'string' && typeof a[k - 1] !== 'string' ? ' ' : '') + goString(x)).join(''),
  println: (...a) => a.map((x) => goString(x)).join(' ') + '\n',
  not: (v) => !truth(v),
  and: (...a) => { for (const x of a) if (!truth(x)) return x; return a[a.length - 1]; },
  or: (...a) => { for (const x of a) if (truth(x)) return x; return a[a.length - 1]; },
  eq: (a, ...b) => b.some((x) => equal(a, x)),
  ne: (a, b) => !equal(a, b),
  lt: (a, b) => compare(a, b, 'lt'),
  le: (a, b) => compare(a, b, 'le'),
  gt: (a, b) => compare(a, b, 'gt'),
  ge: (a, b) => compare(a, b, 'ge'),
};

type Scope = { vars: Map<string, unknown>[]; root: unknown };

export class Template {
  constructor(private readonly nodes: Node[]) {}

  /** Runs the template over `data`; throws TemplateError (`template: executing …`) where a field does not exist. */
  execute(data: unknown): string {
    const out: string[] = [];
    const scope: Scope = { vars: [new Map([['$', data]])], root: data };
    try {
      this.walk(this.nodes, data, scope, out);
    } catch (e) {
      if (e instanceof TemplateError && !e.message.startsWith('template:')) throw new TemplateError(`template: executing: ${e.message}`);
      throw e;
    }
    return out.join('');
  }

  private walk(nodes: Node[], dot: unknown, scope: Scope, out: string[]): void {
    for (const n of nodes) {
      switch (n.k) {
        case 'text': out.push(n.text); break;
        case 'action': {
          const v = this.pipe(n.pipe, dot, scope);
          if (!n.pipe.decl.length) out.push(goString(v));
          break;
        }
        case 'if': case 'with': {
          scope.vars.push(new Map());
          const v = this.pipe(n.pipe, dot, scope);
          if (truth(v)) this.walk(n.then, n.k === 'with' ? v : dot, scope, out);
          else this.walk(n.else, dot, scope, out);
          scope.vars.pop();
          break;
        }
        case 'range': {
          scope.vars.push(new Map());
          const v = this.pipe({ ...n.pipe, decl: [] }, dot, scope);
          let items: [unknown, unknown][];
          if (v === null || v === undefined) items = [];
          else if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
          else if (typeof v === 'object' && isMap(v)) items = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
          else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
          else throw new TemplateError(`range can't iterate over ${goString(v)}`);
          if (!items.length) this.walk(n.else, dot, scope, out);
          for (const [k, x] of items) {
            const frame = scope.vars[scope.vars.length - 1];
            if (n.pipe.decl.length === 1) frame.set(n.pipe.decl[0], x);
            else if (n.pipe.decl.length === 2) { frame.set(n.pipe.decl[0], k); frame.set(n.pipe.decl[1], x); }
            this.walk(n.body, x, scope, out);
          }
          scope.vars.pop();
          break;
        }
      }
    }
  }

  private pipe(p: Pipe, dot: unknown, scope: Scope): unknown {
    let v: unknown;
    let first = true;
    for (const c of p.cmds) {
      v = this.cmd(c, dot, scope, first ? undefined : { v });
      first = false;
    }
    if (p.decl.length) {
      // `$x := …` declares in the innermost frame; `$x = …` assigns where it was declared
      const frame = scope.vars[scope.vars.length - 1];
      frame.set(p.decl[p.decl.length - 1], v);
    }
    return v;
  }

  private cmd(c: Cmd, dot: unknown, scope: Scope, piped?: { v: unknown }): unknown {
    const [head, ...rest] = c.args;
    const args = () => [...rest.map((a) => this.arg(a, dot, scope)), ...(piped ? [piped.v] : [])];
    if (head.k === 'ident') return FUNCS[head.name](...args());
    if (head.k === 'field' && (rest.length || piped)) {
      // a method with arguments, e.g. ps's {{.Label "com.example"}}
      const f = this.arg(head, dot, scope, true);
      if (typeof f !== 'function') throw new TemplateError(`${head.src} is not a method but has arguments`);
      return f(...args());
    }
    if (rest.length || piped) throw new TemplateError(`can't give argument to non-function ${head.k === 'lit' ? goString(head.v) : 'value'}`);
    return this.arg(head, dot, scope);
  }

  private arg(a: Arg, dot: unknown, scope: Scope, keepFunction = false): unknown {
    switch (a.k) {
      case 'lit': return a.v;
      case 'pipe': return this.pipe(a.pipe, dot, scope);
      case 'ident': return FUNCS[a.name]();
      case 'field': {
        let cur: unknown;
        if (a.base === 'dot') cur = dot;
        else if ('v' in a.base) {
          const name = a.base.v;
          const frame = [...scope.vars].reverse().find((f) => f.has(name));
          if (!frame) throw new TemplateError(`undefined variable: ${name}`);
          cur = frame.get(name);
        } else cur = this.pipe(a.base.pipe, dot, scope);
        for (let i = 0; i < a.path.length; i++) {
          const k = a.path[i];
          if (cur === null || cur === undefined) throw new TemplateError(`at <${a.src}>: nil pointer evaluating ${k}`);
          if (typeof cur !== 'object' || Array.isArray(cur)) throw new TemplateError(`at <${a.src}>: can't evaluate field ${k} in type ${Array.isArray(cur) ? 'slice' : typeof cur}`);
          if (isMap(cur)) cur = (cur as Record<string, unknown>)[k];
          else if (!Object.hasOwn(cur, k)) throw new TemplateError(`at <${a.src}>: can't evaluate field ${k}`);
          else cur = (cur as Record<string, unknown>)[k];
          // a method with no arguments is called
          if (typeof cur === 'function' && !(keepFunction && i === a.path.length - 1)) cur = (cur as () => unknown)();
        }
        return cur;
      }
    }
  }
}

/** Docker's shorthand in list formats: `\t` and `\n` typed as two characters mean a tab and a newline. */
export function unescapeFormat(f: string): string {
  return f.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}
