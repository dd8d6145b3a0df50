// `nscope-runtime`: runc's command line (create/start/state/kill/delete/run/
// list) over helper/runtime/oci-runtime.ts. Errors are one line on stderr
// and exit status 1, as with runc.
import { DEFAULT_RUNTIME_ROOT, OciRuntime } from '../runtime/oci-runtime';
import { bool, parseArgs, str, UsageError, type FlagSpec } from './args';
import * as path from 'path';
import { pumpTerminal, terminalSize } from './exec';
import { table } from './format';
import { procCmdline } from '../lib/procinfo';

const GLOBAL: FlagSpec[] = [
  { name: 'root', takesValue: true }, { name: 'log', takesValue: true }, { name: 'log-format', takesValue: true },
  { name: 'debug' }, { name: 'systemd-cgroup' }, { name: 'rootless', takesValue: true },
];

const HELP = `Usage: nscope-runtime [--root DIR] COMMAND [OPTIONS] ID

Commands (as runc's):
  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot] ID
  start ID
  state ID
  kill [--all] ID [SIGNAL]
  delete [--force] ID
  run [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--detach] [--keep] ID
  ps [--format json] ID
  list [--format json]
`;

export async function main(argv: string[]): Promise<number> {
  // global flags come before the command
  let i = 0;
  const globals: string[] = [];
  while (i < argv.length && argv[i].startsWith('-')) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { process.stdout.write(HELP); return 0; }
    if (a === '--version' || a === '-v') { process.stdout.write('nscope-runtime version 0.1.0\nspec: 1.0.2\n'); return 0; }
    globals.push(a);
    const spec = GLOBAL.find((g) => a === `--${g.name}`);
    if (spec?.takesValue && !a.includes('=')) globals.push(argv[++i]);
    i++;
  }
  const g = parseArgs(globals, GLOBAL);
  if (bool(g, 'systemd-cgroup')) throw new UsageError('--systemd-cgroup is not supported: nscope-runtime manages cgroups directly');
  const rt = new OciRuntime(str(g, 'root') ?? DEFAULT_RUNTIME_ROOT);
  const cmd = argv[i];
  const rest = argv.slice(i + 1);
  const one = (p: { positionals: string[] }, n = 1) => {
    if (p.positionals.length < n) throw new UsageError(`${cmd}: requires a container id`);
    return p.positionals[0];
  };
  const bundleFlags: FlagSpec[] = [
    { name: 'bundle', short: 'b', takesValue: true }, { name: 'pid-file', takesValue: true }, { name: 'console-socket', takesValue: true },
    { name: 'no-pivot' }, { name: 'no-new-keyring' }, { name: 'preserve-fds', takesValue: true },
  ];
  switch (cmd) {
    case 'create': {
      const p = parseArgs(rest, bundleFlags);
      await rt.create(one(p), str(p, 'bundle') ?? '.', { pidFile: str(p, 'pid-file'), noPivot: bool(p, 'no-pivot'), consoleSocket: str(p, 'console-socket') });
      return 0;
    }
    case 'start': await rt.start(one(parseArgs(rest, []))); return 0;
    case 'state': process.stdout.write(JSON.stringify(rt.state(one(parseArgs(rest, []))), null, 2) + '\n'); return 0;
    case 'kill': {
      const p = parseArgs(rest, [{ name: 'all', short: 'a' }]);
      rt.kill(one(p), p.positionals[1] ?? 'SIGTERM', bool(p, 'all'));
      return 0;
    }
    case 'delete': {
      const p = parseArgs(rest, [{ name: 'force', short: 'f' }]);
      await rt.delete(one(p), bool(p, 'force'));
      return 0;
    }
    case 'run': {
      const p = parseArgs(rest, [...bundleFlags, { name: 'detach', short: 'd' }, { name: 'keep' }]);
      const id = one(p);
      const bundle = str(p, 'bundle') ?? '.';
      const detach = bool(p, 'detach');
      // in the foreground, a console is this terminal's, relayed through the shim (as `nscope run -it`)
      const terminal = !detach && !!rt.spec(path.resolve(bundle)).process.terminal;
      if (terminal && !process.stdin.isTTY) throw new UsageError('process.terminal is true but stdin is not a terminal: run it from one, set "terminal": false in config.json, or use --detach with --console-socket');
      const size = (terminal && terminalSize()) || {};
      await rt.create(id, bundle, { pidFile: str(p, 'pid-file'), noPivot: bool(p, 'no-pivot'), consoleSocket: str(p, 'console-socket'), attach: terminal ? size : undefined, monitor: !detach });
      const console = terminal ? await rt.attachConsole(id) : undefined;
      await rt.start(id);
      if (detach) return 0;
      const forward = (sig: NodeJS.Signals) => { try { rt.kill(id, sig); } catch { /* gone */ } };
      process.on('SIGTERM', forward);
      if (console) await pumpTerminal(console.sock, { tty: true, interactive: true, resize: console.resize });
      else process.on('SIGINT', forward);
      const exit = await rt.wait(id);
      if (!bool(p, 'keep')) await rt.delete(id, true);
      return exit.exitCode;
    }
    case 'ps': {
      // runc ps: the container's processes (host pids), `--format json` a JSON array of them
      const p = parseArgs(rest, [{ name: 'format', short: 'f', takesValue: true }]);
      const pids = rt.pids(one(p));
      if (str(p, 'format') === 'json') process.stdout.write(JSON.stringify(pids) + '\n');
      else process.stdout.write(table(['PID', 'CMD'], pids.map((pid) => [String(pid), procCmdline(pid)])));
      return 0;
    }
    case 'list': {
      const p = parseArgs(rest, [{ name: 'format', short: 'f', takesValue: true }, { name: 'quiet', short: 'q' }]);
      const all = rt.list();
      if (str(p, 'format') === 'json') process.stdout.write(JSON.stringify(all) + '\n');
      else if (bool(p, 'quiet')) process.stdout.write(all.map((s) => s.id + '\n').join(''));
      else process.stdout.write(table(['ID', 'PID', 'STATUS', 'BUNDLE'], all.map((s) => [s.id, String(s.pid), s.status, s.bundle])));
      return 0;
    }
    case undefined: process.stdout.write(HELP); return 0;
    default: throw new UsageError(`unknown command "${cmd}"`);
  }
}

/** Entry point used by bin/nscope-runtime. */
export function cli(argv: string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (e: Error) => {
      process.stderr.write(`nscope-runtime: ${e.message}\n`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
