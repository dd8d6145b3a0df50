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
