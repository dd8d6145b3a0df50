// A small Docker-style argument parser: flags (long `--memory 64m` or
// `--memory=64m`, short `-d`, clustered `-it`, repeatable `-e`), then
// positionals; for run/create/exec everything after the first positional
// belongs to the container's command.
export interface FlagSpec {
  name: string;           // long name, e.g. "memory"
  short?: string;         // e.g. "m"
  takesValue?: boolean;
  repeat?: boolean;       // collects into an array
  aliases?: string[];
  /** what the flag does, one line, for --help */
  help?: string;
  /** the value's name in --help, as Docker's: "bytes", "string", "list" (default: string, or list when repeated) */
  value?: string;
  /** a flag without a value that also takes one of these as `--flag=VALUE` (build's `--pull` alone, or `--pull=never`) */
  values?: string[];
}

export interface Parsed {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
  /** --help (or -h) was given: parsing stopped there, the caller prints usage */
  help?: boolean;
}

export class UsageError extends Error {}

/** A flag the parser could not take (unknown, missing its value, a value it does not take): Docker's CLI exits 125 for these, apart from a container's own codes. */
export class FlagError extends UsageError {}

/**
 * The flags a command answers to with `help` on: its own, plus --help, with
 * -h as its shorthand unless the command has a -h of its own (Docker's
 * `run -h` is --hostname; there only --help asks for usage).
 */
export function withHelp(specs: FlagSpec[]): FlagSpec[] {
  if (specs.some((s) => s.name === 'help')) return specs;
  const hTaken = specs.some((s) => s.short === 'h');
  return [...specs, { name: 'help', short: hTaken ? undefined : 'h', help: 'Print usage' }];
}

export function parseArgs(argv: string[], specsIn: FlagSpec[], opts: { stopAtFirstPositional?: boolean; help?: boolean } = {}): Parsed {
  const specs = opts.help ? withHelp(specsIn) : specsIn;
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    for (const a of s.aliases ?? []) byLong.set(a, s);
    if (s.short) byShort.set(s.short, s);
  }
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  const set = (s: FlagSpec, v: string | boolean) => {
    if (s.repeat) ((flags[s.name] ??= []) as string[]).push(String(v));
    else flags[s.name] = v;
  };
  // help wins over whatever follows it (a missing value, more flags), as in Docker
  const isHelp = (s: FlagSpec) => opts.help && s.name === 'help';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const s = byLong.get(name);
      if (!s) throw new FlagError(`unknown flag: --${name}`);
      if (s.takesValue) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new FlagError(`flag needs an argument: --${name}`);
        set(s, v);
      } else {
        if (eq > 0) {
          const v = a.slice(eq + 1);
          if (s.values?.includes(v)) set(s, v);
          else if (v !== 'true' && v !== 'false') throw new FlagError(`--${name} takes no value (or ${['true', 'false', ...(s.values ?? [])].join('/')})`);
          else if (v === 'true') set(s, true);
          // kept apart from "not given": runc's --no-new-privs=false overrides the spec
          else if (!s.repeat) flags[s.name] = false;
        } else set(s, true);
        if (isHelp(s) && flags.help) return { flags, positionals, help: true };
      }
    } else if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      for (let k = 1; k < a.length; k++) {
        const s = byShort.get(a[k]);
        if (!s) throw new FlagError(`unknown shorthand flag: '${a[k]}' in ${a}`);
        if (s.takesValue) {
          const v = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
          if (v === undefined) throw new FlagError(`flag needs an argument: '${a[k]}' in ${a}`);
          set(s, v);
          break;
        }
        set(s, true);
        if (isHelp(s)) return { flags, positionals, help: true };
      }
    } else {
      positionals.push(a);
      if (opts.stopAtFirstPositional) { positionals.push(...argv.slice(i + 1)); break; }
    }
  }
  return { flags, positionals };
}

export const str = (p: Parsed, k: string): string | undefined => (typeof p.flags[k] === 'string' ? (p.flags[k] as string) : undefined);
export const bool = (p: Parsed, k: string): boolean => p.flags[k] === true;
export const list = (p: Parsed, k: string): string[] | undefined => (Array.isArray(p.flags[k]) ? (p.flags[k] as string[]) : undefined);
