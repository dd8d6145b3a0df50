// `--help` for every nscope command, from the same tables the parser reads:
// exit 0, the usage, every flag. Run against a socket that does not exist,
// so it also shows that help never needs the helper.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../../helper/cli/args';
import { ALL_COMMANDS } from '../../helper/cli/main';
import { CREATE_FLAGS, runOptions } from '../../helper/cli/run-flags';

const REPO = path.resolve(__dirname, '..', '..', '..');
const nscope = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', '/nonexistent/nscope.sock', ...args], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('nscope --help, -h, help and no command list every command, exit 0', () => {
  for (const args of [['--help'], ['-h'], ['help'], []]) {
    const r = nscope(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: {2}nscope \[OPTIONS\] COMMAND/);
    for (const name of Object.keys(ALL_COMMANDS)) assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'), `${args.join(' ')} lists ${name}`);
    assert.match(r.stdout, /-H, --socket path/);
  }
});

for (const [name, cmd] of Object.entries(ALL_COMMANDS)) {
  test(`nscope ${name} --help: usage and every flag, exit 0`, () => {
    const ownH = cmd.flags.some((f) => f.short === 'h');
    const asks = [[name, '--help'], ['help', name], ...(ownH ? [] : [[name, '-h']])];
    for (const args of asks) {
      const r = nscope(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
      assert.ok(r.stdout.startsWith(`Usage:  nscope ${cmd.usage}\n\n${cmd.summary}\n`), `${args.join(' ')}:\n${r.stdout}`);
      for (const f of cmd.flags) {
        const col = `${f.short ? `-${f.short}, ` : '    '}--${f.name}`;
        assert.ok(r.stdout.includes(`${col} `), `${args.join(' ')} names ${col}:\n${r.stdout}`);
        assert.ok(r.stdout.includes(f.help), `${args.join(' ')} describes --${f.name}`);
      }
      assert.match(r.stdout, ownH ? /^ {6}--help +Print usage$/m : /^ {2}-h, --help +Print usage$/m);
    }
  });
}

test('run/create: -h is --hostname as in Docker, --help is usage; flags after the image are the command\'s', () => {
  const p = parseArgs(['-h', 'box', 'host', 'sh', '--help'], CREATE_FLAGS, { stopAtFirstPositional: true, help: true });
  assert.equal(p.help, undefined);
  assert.equal(runOptions(p).hostname, 'box');
  assert.deepEqual(runOptions(p).cmd, ['sh', '--help']);
  assert.equal(parseArgs(['--memory', '64m', '--help', '--nosuch'], CREATE_FLAGS, { stopAtFirstPositional: true, help: true }).help, true);
  const r = nscope('run', '-h');
  assert.equal(r.code, 125, 'a flag error is Docker\'s 125, never a container\'s code');
  assert.match(r.stderr, /flag needs an argument: 'h' in -h/);
});

test('help for an unknown command is a usage error; -h in a cluster asks for help where -h is free', () => {
  const r = nscope('help', 'frobnicate');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  const ps = nscope('ps', '-ah');
  assert.equal(ps.code, 0);
  assert.match(ps.stdout, /^Usage: {2}nscope ps/);
});
