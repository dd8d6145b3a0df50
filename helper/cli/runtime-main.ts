// `nscope-runtime`: runc's command line. The global options, help and the
// commands of runtime-commands/ are dispatched here; create/start/state/
// kill/delete/run/ps/list run below over helper/runtime/oci-runtime.ts.
// Errors are one line on stderr (and in --log) and exit status 1, as with runc.
import { OciRuntime } from '../runtime/oci-runtime';
import { bool, parseArgs, str, UsageError, type FlagSpec } from './args';
import * as path from 'path';
import { pumpTerminal, terminalSize } from './exec';
import { listTable, withOwners } from './runtime-list';
import { psLines, runPs } from '../runtime/ps-table';
import { GLOBAL_FLAGS, parseGlobals } from './runtime-globals';
import { openRuntimeLog, writeAll } from './runtime-log';
import { versionText } from './runtime-version';
import { COMMANDS, findCommand } from './runtime-commands';
import { preserveFdsCount } from './runtime-commands/types';
import * as frontStandby from '../runtime/front-standby';
import { claimReport, exitReporting } from './runtime-report';
import { commandHelp, mainHelp } from './runtime-commands/help';

export async function main(argv: string[]): Promise<number> {
  const { opts: g, rest: cmdArgv } = parseGlobals(argv);
  if (g.version) { writeAll(1, versionText()); return 0; }
  const cmd = cmdArgv[0];
  const overview = () => mainHelp(COMMANDS, GLOBAL_FLAGS, versionText().split('\n')[0].replace(/^.* version /, ''));
  if (g.help || cmd === undefined) { writeAll(1, overview()); return 0; }
  if (cmd === 'help' || cmd === 'h') {
    const topic = cmdArgv[1];
    if (topic === undefined) { writeAll(1, overview()); return 0; }
    const c = findCommand(topic);
    if (!c) throw new UsageError(`No help topic for '${topic}'`);
    writeAll(1, commandHelp(c));
    return 0;
  }
  const meta = findCommand(cmd);
  if (!meta) throw new UsageError(`unknown command "${cmd}" (nscope-runtime --help lists them)`);
  const rest = cmdArgv.slice(1);
  const parsed = parseArgs(rest, [...meta.flags, { name: 'help', short: 'h' }], { stopAtFirstPositional: meta.stopAtFirstPositional });
  // (exec: a --help after the container id is the command's own)
  if (bool(parsed, 'help')) {
    writeAll(1, commandHelp(meta));
    return 0;
  }
  const rt = new OciRuntime(g.root, { systemdCgroup: g.systemdCgroup });
  if (meta.run) return meta.run({ rt, debug: g.debug }, parsed);
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
      await rt.create(one(p), str(p, 'bundle') ?? '.', { pidFile: str(p, 'pid-file'), noPivot: bool(p, 'no-pivot'), consoleSocket: str(p, 'console-socket'), preserveFds: preserveFdsCount(p) });
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
      await rt.create(id, bundle, { pidFile: str(p, 'pid-file'), noPivot: bool(p, 'no-pivot'), consoleSocket: str(p, 'console-socket'), preserveFds: preserveFdsCount(p), attach: terminal ? size : undefined, monitor: !detach });
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
      // runc ps ID [ps OPTIONS]: the host's ps (-ef by default), its header and the container's lines as ps
      // wrote them; `--format json` a JSON array of the container's host pids
      const p = parseArgs(rest, [{ name: 'format', short: 'f', takesValue: true }], { stopAtFirstPositional: true });
      const psArgs = p.positionals.slice(1);
      const pids = rt.pids(one(p));
      const format = str(p, 'format') ?? 'table';
      if (format === 'json') {
        if (psArgs.length) throw new UsageError('ps: ps options are not allowed with --format json');
        process.stdout.write(JSON.stringify(pids) + '\n');
        return 0;
      }
      if (format !== 'table') throw new UsageError(`ps: invalid format option "${format}"`);
      const out = psLines(await runPs(psArgs.length ? psArgs : ['-ef']), pids);
      process.stdout.write([out.header, ...out.rows.map((r) => r.line)].join('\n') + '\n');
      return 0;
    }
    case 'list': {
      const p = parseArgs(rest, [{ name: 'format', short: 'f', takesValue: true }, { name: 'quiet', short: 'q' }]);
      const format = str(p, 'format') ?? 'table';
      if (format !== 'table' && format !== 'json') throw new UsageError(`list: invalid format option "${format}" (table or json)`);
      const all = withOwners(g.root, rt.list());
      if (format === 'json') process.stdout.write(JSON.stringify(all) + '\n');
      else if (bool(p, 'quiet')) process.stdout.write(all.map((s) => s.id + '\n').join(''));
      else process.stdout.write(listTable(all));
      return 0;
    }
    default: throw new UsageError(`unknown command "${cmd}"`);
  }
}

/** Entry point used by bin/nscope-runtime. */
export function cli(argv: string[]): void {
  // what the front door gave a create, if anything (their variables gone before anything starts)
  frontStandby.claim();
  claimReport();
  // the log is known before anything can fail, so every error reaches it
  let log = openRuntimeLog(undefined, 'text');
  try {
    const { opts } = parseGlobals(argv);
    log = openRuntimeLog(opts.log, opts.logFormat);
  } catch { /* a bad global option: main() reports it */ }
  // Exit as soon as the command is done: everything it writes is written
  // synchronously (stdio on Linux too), and what it starts outlives us on
  // purpose. Node's own way out, once the event loop is empty, first waits for
  // V8's background tasks and frees the heap: ~5 ms an engine waits for at
  // every create.
  main(argv).then(
    (code) => exitReporting(code),
    (e: Error) => {
      log.error(e.message);
      writeAll(2, `nscope-runtime: ${e.message}\n`);
      // usage errors too exit 1, as runc's (urfave/cli's) do: a caller tells only 0 from non-zero, and exec's 255
      exitReporting((e as { exitCode?: number }).exitCode ?? 1);
    },
  );
}
