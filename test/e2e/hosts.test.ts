// Several hosts in a real VS Code: a second helper reached over ssh (a
// private sshd on 127.0.0.1, started here) is one of `nscope.hosts`, and a
// third entry is a port that closes every connection at once (ssh cannot
// even exchange versions; each attempt is counted). Each view shows one root per
// host: the local helper's containers under "local", the other helper's under
// "lab" (connected when expanded), "gone" says why it cannot be reached. A
// container of the same name on both helpers opens each its own file; Stop on
// lab's container stops it there. Switch Host… then makes lab the
// extension's own helper (the status bar names it), and Remove Host… takes
// "gone" away with its connection.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable() ?? sshdUnavailable();

describe('VS Code: several hosts', { skip, timeout: 300000 }, () => {
  let local: TestDaemon;
  let far: TestDaemon;
  let sshd: TestSshd;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);
  const saved = { opts: process.env.NSCOPE_SSH_OPTS, remote: process.env.NSCOPE_REMOTE_COMMAND };

  // "gone": accepts and closes at once, counting the extension's attempts
  let attempts = 0;
  const gone = net.createServer((s) => { attempts++; s.destroy(); });
  const sleeper = async (c: HelperClient, name: string, cmd = ['sleep', '600']) => {
    const { id } = await c.request('container.create', { image: 'host', name, net: 'none', cmd });
    await c.request('container.start', { id });
  };
  // the same name on both helpers, each with a file that says which helper it is on (first in / : in sight)
  const twin = (c: HelperClient, who: string) => sleeper(c, 'twin', ['sh', '-c', `echo ${who} > /a-who; exec sleep 600`]);
  const status = async (c: HelperClient, name: string) => (await c.request('container.list', { all: true })).find((x) => x.name === name)?.status;


  before(async () => {
    local = await startWithImage('e2e-hosts-a');
    far = await startWithImage('e2e-hosts-b');
    await sleeper(await local.client(), 'here');
    await sleeper(await far.client(), 'there');
    await twin(await local.client(), 'local-helper');
    await twin(await far.client(), 'far-helper');
    sshd = await startSshd();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const gonePort = (gone.address() as net.AddressInfo).port;
    // the extension host (and the ssh it runs) inherit these from code-server
    process.env.NSCOPE_SSH_OPTS = `-F ${sshd.clientConfig}`;
    process.env.NSCOPE_REMOTE_COMMAND = path.join(REPO, 'bin', 'nscope');
    vs = await VsCode.start({
      extensionDir: REPO, outDir: E2E_OUT,
      settings: {
        'nscope.socketPath': local.socket,
        'nscope.hosts': [{ name: 'lab', host: `ssh://root@127.0.0.1:${sshd.port}${far.socket}` }, { name: 'gone', host: `ssh://root@127.0.0.1:${gonePort}${far.socket}` }],
      },
    });
  });

  after(async () => {
    process.env.NSCOPE_SSH_OPTS = saved.opts;
    process.env.NSCOPE_REMOTE_COMMAND = saved.remote;
    const leaks = await endSuite(vs, local, 'hosts-last');
    await sshd?.stop();
    gone.close();
    assert.deepEqual([...leaks, ...(far ? await far.cleanup() : [])], []);
  });

  uiTest('one root per host, each with its own containers; a file and Stop on lab\'s nodes act on lab', async () => {
    await vs.openNscope(440);
    // the local helper's root is open from the start, the others connect when expanded
    await vs.row('Containers', /^local\s*connected/).waitFor({ timeout: UI });
    await vs.row('Containers', /^here.*running/).waitFor({ timeout: UI });
    assert.equal(await vs.row('Containers', /^there/).count(), 0, 'lab\'s container is not under local');
    // the same in another view
    await vs.row('Images', /^lab/).waitFor({ timeout: UI });
    await vs.row('Containers', /^local\s*connected/).click(); // collapsed: only lab's rows below
    await vs.row('Containers', /^lab/).click();
    await vs.row('Containers', /^lab\s*connected/).waitFor({ timeout: UI });
    await vs.row('Containers', /^there.*running/).waitFor({ timeout: UI });
    assert.equal(await vs.row('Containers', /^here/).count(), 0, 'local\'s container is not under lab');
    assert.equal(await vs.pane('Containers').locator('.monaco-list-row[aria-level="2"]', { hasText: /^there/ }).count(), 1, 'lab\'s container is a child of its root');
    await vs.screenshot('hosts-0-two-roots');

    // twin exists on both helpers: lab's opens lab's file
    await vs.row('Containers', /^twin.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^a-who\s*\d/).click();
    const editor = vs.page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'far-helper' }).waitFor({ timeout: UI });
    // and local's twin opens local's: were the two URIs the same, the document open already would show
    await vs.row('Containers', /^lab\s*connected/).click();
    await vs.row('Containers', /^local\s*connected/).click();
    await vs.row('Containers', /^twin.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^a-who\s*\d/).click();
    await vs.page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'local-helper' }).first().waitFor({ timeout: UI });
    await vs.row('Containers', /^local\s*connected/).click();

    // Stop on lab's container stops it on lab's helper; local's containers run on
    await vs.row('Containers', /^lab\s*connected/).click();
    await vs.row('Containers', /^twin.*running/).click(); // collapsed: the exited one sorts below it, in sight
    await vs.contextMenu(vs.row('Containers', /^there.*running/), 'Stop');
    await vs.row('Containers', /^there.*exited/).waitFor({ timeout: UI });
    assert.equal(await status(await far.client(), 'there'), 'exited');
    assert.equal(await status(await local.client(), 'here'), 'running');
    // started again on lab: its event reloads lab's subtree
    await (await far.client()).request('container.start', { id: (await (await far.client()).request('container.list', { all: true })).find((x) => x.name === 'there')!.id });
    await vs.row('Containers', /^there.*running/).waitFor({ timeout: UI });
    await vs.screenshot('hosts-0-lab');
  });

  uiTest('the Containerfile language server counts an image local when any connected host has it', async () => {
    // on lab only (lab is connected: the last test expanded it)
    const tagged = await far.cli(['image', 'tag', 'host', 'only-on-lab:1']);
    assert.equal(tagged.code, 0, tagged.stderr);
    fs.writeFileSync(path.join(vs.tmp, 'workspace', 'Containerfile'), 'FROM only-on-lab:1\nFROM on-no-host:1\n');
    const page = vs.page;
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('Containerfile');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Containerfile' }).first().waitFor({ timeout: UI });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.locator('.monaco-list-row', { hasText: '"on-no-host:1" is not a local image' }).first().waitFor({ timeout: UI });
    assert.equal(await problems.locator('.monaco-list-row', { hasText: '"only-on-lab:1" is not a local image' }).count(), 0);
    await page.keyboard.press('Control+Shift+M');
  });

  uiTest('an unreachable host says why on its node while the others work', async () => {
    await vs.row('Containers', /^gone/).click();
    const goneRow = vs.row('Containers', /^gone\s*unreachable: kex_exchange_identification/);
    await goneRow.waitFor({ timeout: UI });
    // its Retry action tries at once, and it is still unreachable
    await goneRow.hover();
    await goneRow.locator('.action-label[aria-label="Retry"]').click();
    await vs.row('Containers', /^gone\s*unreachable: kex_exchange_identification/).waitFor({ timeout: UI });
    // lab's subtree is still there and live
    await vs.row('Containers', /^lab\s*connected/).waitFor({ timeout: UI });
    await vs.row('Containers', /^there.*running/).waitFor({ timeout: UI });
    await vs.row('Containers', /^gone/).click();
    await vs.row('Containers', /^lab\s*connected/).click();
    await vs.row('Containers', /^local\s*connected/).click();
    await vs.row('Containers', /^here.*running/).waitFor({ timeout: UI });
    await vs.screenshot('hosts-0-gone');
  });

  uiTest('Switch Host… to a helper over ssh: its containers appear, the status bar names it', async () => {
    await vs.row('Containers', /^here.*running/).waitFor({ timeout: UI });
    await vs.runCommand('nscope: Switch Host…');
    await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'lab' }).first().click();
    await vs.row('Containers', /there.*running/).waitFor({ timeout: UI });
    assert.equal(await vs.row('Containers', /^here.*running/).count(), 0);
    await vs.page.locator('.part.statusbar .statusbar-item', { hasText: 'nscope: lab' }).first().waitFor({ timeout: UI });
    // a remote container's children load over the same connection
    await vs.row('Containers', /there.*running/).click();
    await vs.row('Containers', 'Processes').waitFor({ timeout: UI });
    await vs.screenshot('hosts-1-remote');
  });

  uiTest('Remove Host… takes a host away from every view, and its connection with it', async () => {
    assert.ok(attempts > 0, 'gone was tried');
    await vs.runCommand('nscope: Remove Host…');
    await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'gone' }).first().click();
    // lab is the extension's own helper now, gone was the only other host: no host level any more
    await vs.row('Containers', /^there.*running/).waitFor({ timeout: UI });
    await vs.row('Containers', /^gone/).waitFor({ state: 'detached', timeout: UI });
    // no more attempts to reach it (they came every five seconds at most)
    await new Promise((r) => setTimeout(r, 1000));
    const before = attempts;
    await new Promise((r) => setTimeout(r, 8000));
    assert.equal(attempts, before, 'gone\'s connection was closed: no attempt since');
  });
});
