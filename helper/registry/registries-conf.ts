// The part of /etc/containers/registries.conf (containers-registries.conf(5),
// TOML) that says how to reach a registry: `[[registry]]` tables with
// `location` and `insecure`, and their `[[registry.mirror]]` tables; also the
// v1 format's `[registries.insecure] registries = [...]`. Everything else
// (search registries, short-name aliases, blocking) is read past: its lines
// must still be well-formed TOML key/value or table lines, or the file is
// reported broken, line number and all.
//
// Not a general TOML parser: values are strings, booleans, numbers and
// (possibly multi-line) arrays of those; inline tables and multi-line
// strings are only accepted where they are ignored.

export interface RegistriesConf {
  /** locations ("host[:port]") marked `insecure = true` */
  insecure: string[];
  /** Docker Hub's mirrors, as "https://location" ("http://" for an insecure one is not implied: see insecure) */
  mirrors: string[];
}

type Value = string | boolean | number | Value[] | { unparsed: string };

interface Table { kind: 'registry' | 'mirror' | 'v1-insecure' | 'other'; keys: Map<string, Value>; line: number }

const HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function parseRegistriesConf(text: string, file: string): RegistriesConf {
  const tables = readTables(text, file);
  const out: RegistriesConf = { insecure: [], mirrors: [] };
  let registry: Table | undefined;
  const str = (t: Table, key: string): string | undefined => {
    const v = t.keys.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`${file}:${t.line}: "${key}" is not a string`);
    return v;
  };
  const flag = (t: Table, key: string): boolean => {
    const v = t.keys.get(key);
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`${file}:${t.line}: "${key}" is not true or false`);
    return v === true;
  };
  for (const t of tables) {
    if (t.kind === 'registry') {
      registry = t;
      // `prefix` alone (with location defaulting to it) is allowed by the format
      const location = str(t, 'location') ?? str(t, 'prefix');
      if (location === undefined) throw new Error(`${file}:${t.line}: a [[registry]] has no location`);
      if (flag(t, 'insecure') && !location.startsWith('*.')) out.insecure.push(hostOf(location));
    } else if (t.kind === 'mirror') {
      if (!registry) throw new Error(`${file}:${t.line}: [[registry.mirror]] before any [[registry]]`);
      const location = str(t, 'location');
      if (location === undefined) throw new Error(`${file}:${t.line}: a [[registry.mirror]] has no location`);
      if (flag(t, 'insecure')) out.insecure.push(hostOf(location));
      // mirrors of other registries: RegistrySettings has none (Docker has none either)
      const of = str(registry, 'location') ?? str(registry, 'prefix') ?? '';
      if (HUB.has(hostOf(of))) out.mirrors.push(`https://${location.replace(/\/+$/, '')}`);
    } else if (t.kind === 'v1-insecure') {
      const v = t.keys.get('registries');
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${file}:${t.line}: [registries.insecure] registries is not a list of strings`);
      out.insecure.push(...(v as string[]).map(hostOf));
    }
  }
  return out;
}

/**
 * "host:5000/ns/repo" → "host:5000": the registry a location is on.
 * (A wildcard location, "*.example.com", is not passed on: the insecure
 * list holds hosts and address blocks only.)
 */
function hostOf(location: string): string {
  // an address block ("10.1.0.0/16", the v1 format allows them) is no path
  if (/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(location)) return location;
  return location.replace(/^https?:\/\//, '').split('/')[0];
}

function readTables(text: string, file: string): Table[] {
  const lines = text.split('\n');
  const tables: Table[] = [{ kind: 'other', keys: new Map(), line: 0 }];
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = stripComment(lines[i]).trim();
    if (line === '') continue;
    const header = /^(\[\[?)\s*([A-Za-z0-9_.\-" ]+?)\s*(\]\]?)$/.exec(line);
    if (header) {
      if (header[1].length !== header[3].length) throw new Error(`${file}:${n}: unbalanced table header: ${line}`);
      const name = header[2].replace(/\s*\.\s*/g, '.').replace(/"/g, '');
      const array = header[1] === '[[';
      const kind = array && name === 'registry' ? 'registry' : array && name === 'registry.mirror' ? 'mirror'
        : !array && name === 'registries.insecure' ? 'v1-insecure' : 'other';
      tables.push({ kind, keys: new Map(), line: n });
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+|"[^"]*")\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`${file}:${n}: not a TOML key = value or [table] line: ${line.slice(0, 80)}`);
    let raw = kv[2];
    // arrays and multi-line strings may go on over the next lines
    while (!complete(raw)) {
      if (++i >= lines.length) throw new Error(`${file}:${n}: the value of "${kv[1]}" is not closed`);
      raw += '\n' + stripComment(lines[i]);
    }
    const key = kv[1].replace(/^"|"$/g, '');
    const t = tables[tables.length - 1];
    if (t.keys.has(key)) throw new Error(`${file}:${n}: "${key}" is set twice in one table`);
    t.keys.set(key, parseValue(raw.trim(), `${file}:${n}`));
  }
  return tables;
}

/** The line without its `# comment` (a '#' inside a string stays). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** Whether brackets, braces and multi-line strings are closed in `raw`. */
function complete(raw: string): boolean {
  const ml = /^\s*("""|''')/.exec(raw);
  if (ml) return raw.indexOf(ml[1], raw.indexOf(ml[1]) + 3) >= 0;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth <= 0;
}

function parseValue(raw: string, where: string): Value {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^[+-]?\d[\d_]*(\.\d+)?$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (raw.startsWith('"""') || raw.startsWith("'''") || raw.startsWith('{')) return { unparsed: raw };
  if (raw.startsWith('"') || raw.startsWith("'")) {
    const [s, rest] = readString(raw, where);
    if (rest.trim() !== '') throw new Error(`${where}: text after a string: ${rest.trim().slice(0, 40)}`);
    return s;
  }
  if (raw.startsWith('[')) {
    const items: Value[] = [];
    let rest = raw.slice(1).trim();
    while (!rest.startsWith(']')) {
      if (rest === '') throw new Error(`${where}: an array is not closed`);
      let item: Value;
      if (rest.startsWith('"') || rest.startsWith("'")) [item, rest] = readString(rest, where);
      else {
        const m = /^(true|false|[+-]?\d[\d_]*)/.exec(rest);
        if (!m) throw new Error(`${where}: an array item is not a string, number or boolean: ${rest.slice(0, 40)}`);
        item = parseValue(m[1], where);
        rest = rest.slice(m[1].length);
      }
      items.push(item);
      rest = rest.trim();
      if (rest.startsWith(',')) rest = rest.slice(1).trim();
      else if (!rest.startsWith(']')) throw new Error(`${where}: expected "," or "]" in an array: ${rest.slice(0, 40)}`);
    }
    if (rest.slice(1).trim() !== '') throw new Error(`${where}: text after an array: ${rest.slice(1).trim().slice(0, 40)}`);
    return items;
  }
  throw new Error(`${where}: not a TOML value: ${raw.slice(0, 60)}`);
}

/** A basic ("…", with escapes) or literal ('…') string at the start of `s`; the string and what follows it. */
function readString(s: string, where: string): [string, string] {
  const q = s[0];
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === q) return [out, s.slice(i + 1)];
    if (c === '\n') break;
    if (c === '\\' && q === '"') {
      const e = s[++i];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
      if (e in simple) out += simple[e];
      else if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = s.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Error(`${where}: a bad \\${e} escape in a string`);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += len;
      } else throw new Error(`${where}: unknown escape \\${e ?? ''} in a string`);
    } else out += c;
  }
  throw new Error(`${where}: a string is not closed`);
}
