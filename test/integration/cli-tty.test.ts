// `nscope exec -it` and `nscope run -it` in a real terminal (tmux), as a
// user types: the line editor, resize, Ctrl-C, exit codes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { PrivateTmux } from '../helpers/tmux';

let d: TestDaemon;
let session: string;
let server: PrivateTmux;
const tmux = (...args: string[]) => server.run(...args);
const screen = () => tmux('capture-pane', '-p', '-t', session);

before(async () => { d = await startWithImage('tty'); session = `nscope-tty-${process.pid}`; server = new PrivateTmux(d.dir); });
after(async () => {
  server.close();
  assert.deepEqual(await d.cleanup(), []);
});

/**
 * The CLI in a 100x30 tmux pane (or `cols` wide), its exit code written to `exitFile`.
 * `zeroSize`: a terminal that reports 0x0 (`stty rows 0 cols 0` makes the
 * pane's pty one): Docker sends no size then, and the console keeps its default, 24x80.
 */
async function inTmux(args: string[], exitFile: string, o: { zeroSize?: boolean; cols?: number } = {}) {
  const cmd = `${o.zeroSize ? 'stty rows 0 cols 0; ' : ''}node ${path.join(REPO, 'bin', 'nscope')} --socket ${d.socket} ${args.join(' ')}; echo $? > ${exitFile}; sleep 30`;
  tmux('new-session', '-d', '-s', session, '-x', String(o.cols ?? 100), '-y', '30', cmd);
}

/** The exit code the pane's command wrote, once it has. */
async function exitCode(exitFile: string): Promise<string> {
  await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '', 5000, 'exit');
  return fs.readFileSync(exitFile, 'utf8').trim();
}

test('exec -it sh: stty size, resize, Ctrl-C, exit 3', async () => {
  const run = await d.cli(['run', '-d', '--name', 'tty1', 'host', 'sleep', '600']);
  assert.equal(run.code, 0, run.stderr);
  const exitFile = path.join(d.dir, 'exec-exit');
  await inTmux(['exec', '-it', 'tty1', 'sh'], exitFile);
  await waitFor(() => /#\s*$/m.test(screen()), 30000, 'a prompt');
  tmux('send-keys', '-t', session, 'stty size', 'Enter');
  await waitFor(() => /^30 100$/m.test(screen()), 5000, `stty size 30 100 in\n${screen()}`);
  tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
  tmux('send-keys', '-t', session, 'clear; stty size', 'Enter');
  await waitFor(() => /^40 120$/m.test(screen()), 5000, `stty size 40 120 in\n${screen()}`);
  tmux('send-keys', '-t', session, 'sleep 100', 'Enter');
  await new Promise((r) => setTimeout(r, 300));
  tmux('send-keys', '-t', session, 'C-c');
  tmux('send-keys', '-t', session, 'echo rc=$?', 'Enter');
  await waitFor(() => /rc=130/.test(screen()), 5000, `Ctrl-C in\n${screen()}`);
  tmux('send-keys', '-t', session, 'exit 3', 'Enter');
  assert.equal(await exitCode(exitFile), '3');
  tmux('kill-session', '-t', session);
});

test('run -it host sh: an interactive container', async () => {
  const exitFile = path.join(d.dir, 'run-exit');
  await inTmux(['run', '-it', '--rm', '--hostname', 'ittest', 'host', 'sh'], exitFile);
  await waitFor(() => /#\s*$/m.test(screen()), 30000, `a prompt in\n${screen()}`);
  tmux('send-keys', '-t', session, 'echo "$(hostname) pid $$"', 'Enter');
  await waitFor(() => /ittest pid 1/.test(screen()), 5000, `hostname in\n${screen()}`);
  tmux('send-keys', '-t', session, 'exit 7', 'Enter');
  assert.equal(await exitCode(exitFile), '7');
  tmux('kill-session', '-t', session);
});

test('exec -it on a terminal of size 0x0: not refused, the shell gets 24x80', async () => {
  const run = await d.cli(['run', '-d', '--name', 'tty0', 'host', 'sleep', '600']);
  assert.equal(run.code, 0, run.stderr);
  const exitFile = path.join(d.dir, 'exec0-exit');
  await inTmux(['exec', '-it', 'tty0', 'sh'], exitFile, { zeroSize: true });
  await waitFor(() => /#\s*$/m.test(screen()) || fs.existsSync(exitFile), 30000, `a prompt in\n${screen()}`);
  assert.doesNotMatch(screen(), /out of range/);
  tmux('send-keys', '-t', session, 'stty size', 'Enter');
  await waitFor(() => /^24 80$/m.test(screen()), 5000, `stty size 24 80 in\n${screen()}`);
  tmux('send-keys', '-t', session, 'exit 4', 'Enter');
  assert.equal(await exitCode(exitFile), '4');
  tmux('kill-session', '-t', session);
  await d.cli(['rm', '-f', 'tty0']);
});

test('run -it on a terminal of size 0x0: not refused, the console gets 24x80', async () => {
  const exitFile = path.join(d.dir, 'run0-exit');
  await inTmux(['run', '-it', '--rm', 'host', 'sh'], exitFile, { zeroSize: true });
  await waitFor(() => /#\s*$/m.test(screen()) || fs.existsSync(exitFile), 30000, `a prompt in\n${screen()}`);
  assert.doesNotMatch(screen(), /out of range/);
  tmux('send-keys', '-t', session, 'stty size', 'Enter');
  await waitFor(() => /^24 80$/m.test(screen()), 5000, `stty size 24 80 in\n${screen()}`);
  tmux('send-keys', '-t', session, 'exit 6', 'Enter');
  assert.equal(await exitCode(exitFile), '6');
  tmux('kill-session', '-t', session);
});

test('stats on a terminal: redrawn in place with the cursor hidden; Ctrl-C exits 0 and shows the cursor again', async () => {
  const run = await d.cli(['run', '-d', '--name', 'busy', 'host', 'sh', '-c', 'while :; do :; done']);
  assert.equal(run.code, 0, run.stderr);
  const exitFile = path.join(d.dir, 'stats-exit');
  // wide enough for docker stats' ten columns on one line
  await inTmux(['stats', 'busy'], exitFile, { cols: 160 });
  const cpuTime = () => screen().match(/busy\s.*?\s(\d+\.\d\d)s\s/)?.[1];
  await waitFor(() => cpuTime() !== undefined, 10000, `a stats row in\n${screen()}`);
  const first = cpuTime();
  await waitFor(() => cpuTime() !== first, 5000, `a second refresh in\n${screen()}`);
  // drawn over itself: one header on the screen, not one per refresh
  assert.equal(screen().match(/CONTAINER ID/g)?.length, 1, screen());
  assert.equal(tmux('display-message', '-p', '-t', session, '#{cursor_flag}').trim(), '0', 'cursor hidden while streaming');
  tmux('send-keys', '-t', session, 'C-c');
  await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '', 5000, 'exit');
  assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), '0');
  assert.equal(tmux('display-message', '-p', '-t', session, '#{cursor_flag}').trim(), '1', 'cursor shown again');
  tmux('kill-session', '-t', session);
  await d.cli(['rm', '-f', 'busy']);
});
