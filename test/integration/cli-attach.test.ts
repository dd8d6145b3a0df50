// `nscope attach` to a console in a real terminal (tmux): typing reaches the
// container's shell, Ctrl-P Ctrl-Q lets go and leaves it running, exit code 0.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { PrivateTmux } from '../helpers/tmux';

let d: TestDaemon;
let server: PrivateTmux;
const session = `nscope-attach-${process.pid}`;
const tmux = (...args: string[]) => server.run(...args);
const screen = () => tmux('capture-pane', '-p', '-t', session);

before(async () => { d = await startWithImage('attach-tty'); server = new PrivateTmux(d.dir); });
after(async () => {
  server.close();
  assert.deepEqual(await d.cleanup(), []);
});

test('attach to a console: the shell answers, Ctrl-P Ctrl-Q detaches (exit 0) and the container runs on', async () => {
  const run = await d.cli(['run', '-d', '-i', '-t', '--name', 'con', 'host', 'sh']);
  assert.equal(run.code, 0, run.stderr);
  const exitFile = path.join(d.dir, 'attach-exit');
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30',
    `node ${path.join(REPO, 'bin', 'nscope')} --socket ${d.socket} attach con; echo $? > ${exitFile}; sleep 30`);
  // attached once what is typed comes back from the container's shell
  await waitFor(() => {
    tmux('send-keys', '-t', session, 'echo at-$((40+2))', 'Enter');
    return /at-42/.test(screen());
  }, 30000, `the shell's answer in\n${screen()}`);
  tmux('send-keys', '-t', session, 'C-p', 'C-q');
  await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '', 10000, `detach in\n${screen()}`);
  assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), '0');
  assert.equal((await d.cli(['inspect', '-f', '{{.State.Running}}', 'con'])).stdout, 'true\n');
  tmux('kill-session', '-t', session);
  assert.equal((await d.cli(['rm', '-f', 'con'])).code, 0);
});

/** Runs `cmd` (nscope's arguments) in a new tmux session; resolves its exit code's file. */
function inTmux(name: string, cmd: string): string {
  const exitFile = path.join(d.dir, `${name}-exit`);
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', `node ${path.join(REPO, 'bin', 'nscope')} --socket ${d.socket} ${cmd}; echo $? > ${exitFile}; sleep 30`);
  return exitFile;
}

test('run -it and exec -it let go with the detach keys too (--detach-keys ctrl-a,d): exit 0, the container and the exec\'d shell run on', async () => {
  const s1 = `${session}-run`;
  const screen1 = () => tmux('capture-pane', '-p', '-t', s1);
  const runExit = inTmux(s1, 'run -it --name rd --detach-keys ctrl-a,d host sh');
  await waitFor(() => {
    tmux('send-keys', '-t', s1, 'echo run-$((40+2))', 'Enter');
    return /run-42/.test(screen1());
  }, 30000, `the shell's answer in\n${screen1()}`);
  // the default sequence is not the one asked for: it reaches the shell and nothing happens
  tmux('send-keys', '-t', s1, 'C-p', 'C-q');
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(!fs.existsSync(runExit) || fs.readFileSync(runExit, 'utf8').trim() === '', 'ctrl-p ctrl-q did not detach');
  tmux('send-keys', '-t', s1, 'C-a', 'd');
  await waitFor(() => fs.existsSync(runExit) && fs.readFileSync(runExit, 'utf8').trim() !== '', 10000, `detach in\n${screen1()}`);
  assert.equal(fs.readFileSync(runExit, 'utf8').trim(), '0');
  assert.equal((await d.cli(['inspect', '-f', '{{.State.Running}}', 'rd'])).stdout, 'true\n');
  tmux('kill-session', '-t', s1);

  const s2 = `${session}-exec`;
  const screen2 = () => tmux('capture-pane', '-p', '-t', s2);
  const execExit = inTmux(s2, 'exec -it rd sh');
  await waitFor(() => {
    tmux('send-keys', '-t', s2, 'echo exec-$((40+3))', 'Enter');
    return /exec-43/.test(screen2());
  }, 30000, `the exec'd shell's answer in\n${screen2()}`);
  tmux('send-keys', '-t', s2, 'C-p', 'C-q');
  await waitFor(() => fs.existsSync(execExit) && fs.readFileSync(execExit, 'utf8').trim() !== '', 10000, `detach in\n${screen2()}`);
  assert.equal(fs.readFileSync(execExit, 'utf8').trim(), '0');
  tmux('kill-session', '-t', s2);
  const bad = await d.cli(['run', '-it', '--detach-keys', 'ctrl-ab', 'host', 'sh']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Unrecognized input: ctrl-ab/);
  assert.equal((await d.cli(['rm', '-f', 'rd'])).code, 0);
});
