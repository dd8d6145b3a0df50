// nscope-runtime's global options, runc's set, as engines pass them before
// the command: --root, --log, --log-format, --debug, --systemd-cgroup,
// --rootless, --criu (accepted: nscope has no checkpoint/restore).
import * as path from 'path';
import { DEFAULT_RUNTIME_ROOT } from '../runtime/oci-runtime';
import { UsageError } from './args';
import type { HelpFlag } from './runtime-commands/types';

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  help: boolean;
  version: boolean;
}

export const GLOBAL_FLAGS: HelpFlag[] = [
  { name: 'debug', help: 'enable debug logging' },
  { name: 'log', takesValue: true, help: "set the log file to write nscope-runtime's errors to (default is '/dev/stderr')" },
  { name: 'log-format', takesValue: true, help: "set the log format ('text' (default), or 'json')" },
  { name: 'root', takesValue: true, help: `root directory for storage of container state (this should be located in tmpfs) (default: "${DEFAULT_RUNTIME_ROOT}")` },
  { name: 'criu', takesValue: true, help: 'accepted for runc compatibility; nscope has no checkpoint/restore' },
  { name: 'systemd-cgroup', help: 'cgroupsPath is of the form "slice:prefix:name" (e.g. "system.slice:runc:434234"); nscope creates that cgroup itself (no systemd unit)' },
  { name: 'rootless', takesValue: true, help: "'false' or 'auto' (default); nscope-runtime runs as root only" },
];

/** Global options up to the command name; `rest` starts at the command. */
export function parseGlobals(argv: string[]): { opts: GlobalOptions; rest: string[] } {
  const opts: GlobalOptions = { root: DEFAULT_RUNTIME_ROOT, logFormat: 'text', debug: false, systemdCgroup: false, help: false, version: false };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '-'; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (a === '--help' || a === '-h') { opts.help = true; continue; }
    if (a === '--version' || a === '-v') { opts.version = true; continue; }
    // runc (urfave/cli) takes -flag as well as --flag
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    const spec = GLOBAL_FLAGS.find((f) => f.name === name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string | undefined;
    if (spec.takesValue) {
      value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: -${name}`);
    } else if (eq > 0 && !['true', 'false'].includes(a.slice(eq + 1))) {
      throw new UsageError(`--${name} takes no value (or true/false)`);
    }
    const on = eq < 0 || spec.takesValue || a.slice(eq + 1) === 'true';
    switch (name) {
      // absolute, as runc makes it: create records paths under it (the front door's
      // `fast` file) that a later call from another directory must find
      case 'root': opts.root = path.resolve(value!); break;
      case 'log': opts.log = value; break;
      case 'log-format':
        if (value !== 'text' && value !== 'json') throw new UsageError(`--log-format: unknown log format "${value}" (text or json)`);
        opts.logFormat = value;
        break;
      case 'debug': opts.debug = on; break;
      case 'systemd-cgroup': opts.systemdCgroup = on; break;
      case 'rootless':
        if (value === 'true') throw new UsageError('--rootless=true: nscope-runtime does not run rootless (run it as root; "false" or "auto" are accepted)');
        if (value !== 'false' && value !== 'auto') throw new UsageError(`--rootless: "${value}" is not true, false or auto`);
        break;
      case 'criu': break;
    }
  }
  return { opts, rest: argv.slice(i) };
}
