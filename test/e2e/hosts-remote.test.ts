// A user whose only helper is over ssh (issue 14): the local helper is not
// running (its socket does not exist), `nscope.hosts` names "lab", a helper
// reached through a private sshd on 127.0.0.1 started here. Local's root says
// why and offers Start the Helper; the views' title actions still show (a
// host is connected); and on lab's nodes everything goes to lab: Import
// Image… streams the archive there, Open Shell runs in lab's container, Upload…
// and Download… copy into and out of it, its Changes list the upload, Edit
// Limit changes it there, Show Stats charts it; Add Host… adds another root.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';
import { answerFileDialog } from './file-dialog';

const skip = e2eUnavailable() ?? sshdUnavailable();

describe('VS Code: only a remote host', { skip, timeout: 300000 }, () => {
  let far: TestDaemon;
  let client: HelperClient;
  let sshd: TestSshd;
  let vs: VsCode;
  let page: Page;
  let work = '';
  const uiTest = screenshotOnFailure(test, () => vs);
  const saved = { opts: process.env.NSCOPE_SSH_OPTS, remote: process.env.NSCOPE_REMOTE_COMMAND };
  const exec = async (...cmd: string[]) => (await far.cli(['exec', 'far-web', ...cmd])).stdout;

  before(async () => {
    far = await startWithImage('e2e-remote');
    client = await far.client();
    const { id } = await client.request('container.create', { image: 'host', name: 'far-web', net: 'none', hostname: 'far-box', cmd: ['sh', '-c', 'echo on-lab > /a-who; exec sleep 600'] });
    await client.request('container.start', { id });
    work = path.join(far.dir, 'host-side');
    fs.mkdirSync(path.join(work, 'up'), { recursive: true });
    fs.writeFileSync(path.join(work, 'up', 'note.txt'), 'uploaded to lab\n');
    fs.mkdirSync(path.join(work, 'down'));
    // an archive of an image lab no longer has: its import is seen by name
    assert.equal((await far.cli(['image', 'tag', 'host', 'shipped:1'])).code, 0);
    assert.equal((await far.cli(['image', 'export', 'shipped:1', path.join(work, 'shipped.tar')])).code, 0);
    assert.equal((await far.cli(['image', 'rm', 'shipped:1'])).code, 0);
    sshd = await startSshd();
    // the extension host (and the ssh it runs) inherit these from code-server
    process.env.NSCOPE_SSH_OPTS = `-F ${sshd.clientConfig}`;
    process.env.NSCOPE_REMOTE_COMMAND = path.join(REPO, 'bin', 'nscope');
    vs = await VsCode.start({
      extensionDir: REPO, outDir: E2E_OUT,
      settings: {
        // no helper on this machine: nothing listens there
        'nscope.socketPath': path.join(far.dir, 'no-local-helper.sock'),
        'nscope.hosts': [{ name: 'lab', host: `ssh://root@127.0.0.1:${sshd.port}${far.socket}` }],
      },
    });
    page = vs.page;
  });

  after(async () => {
    process.env.NSCOPE_SSH_OPTS = saved.opts;
    process.env.NSCOPE_REMOTE_COMMAND = saved.remote;
    const leaks = await endSuite(vs, far, 'hosts-remote-last');
    await sshd?.stop();
    assert.deepEqual(leaks, []);
  });

  uiTest('local not running: its root says so and offers Start the Helper; lab connects; title actions show', async () => {
    await vs.openNscope(460);
    const localRow = vs.row('Containers', /^local\s*unreachable: cannot connect to the nscope helper/);
    await localRow.waitFor({ timeout: UI });
    await localRow.hover();
    await localRow.locator('.action-label[aria-label="Start the Helper (sudo)"]').waitFor({ timeout: UI });
    await vs.row('Containers', /^lab/).click();
    await vs.row('Containers', /^lab\s*connected/).waitFor({ timeout: UI });
    await vs.row('Containers', /^far-web.*running/).waitFor({ timeout: UI });
    // Run Container… in the view's title: a host is connected, though not the local one
    const header = vs.pane('Containers').locator('.pane-header');
    await header.hover();
    await header.locator('.action-label[aria-label="Run Container…"]').waitFor({ timeout: UI });
    await vs.screenshot('hosts-remote-0-roots');
  });

  uiTest('Import Image… on lab\'s root imports there, the archive sent over ssh', async () => {
    await vs.row('Images', /^lab/).click();
    await vs.row('Images', /^lab\s*connected/).waitFor({ timeout: UI });
    await vs.contextMenu(vs.row('Images', /^lab\s*connected/), 'Import Image…');
    await answerFileDialog(page, /Import an image/, path.join(work, 'shipped.tar'), 'Import', false);
    await vs.row('Images', /^shipped:1/).waitFor({ timeout: UI });
    assert.ok((await client.request('image.list', {})).some((i) => i.name === 'shipped:1'), 'imported on lab');
    await vs.screenshot('hosts-remote-1-import');
  });

  uiTest('Open Shell on lab\'s container runs in it; Upload… and Download… copy to and from lab', async () => {
    await vs.contextMenu(vs.row('Containers', /^far-web.*running/), 'Open Shell in Container');
    const rows = page.locator('.terminal-wrapper.active .xterm-rows');
    await rows.waitFor({ timeout: UI });
    await page.waitForFunction(`/[#$]\\s*$/m.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.innerText || '')`, undefined, { timeout: UI });
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').focus();
    await page.keyboard.type('hostname; cat /a-who\n');
    await rows.filter({ hasText: /far-box/ }).waitFor({ timeout: UI });
    await rows.filter({ hasText: /on-lab/ }).waitFor({ timeout: UI });
    assert.ok((await client.request('container.top', { id: (await client.request('container.list', {})).find((c) => c.name === 'far-web')!.id })).some((p) => /^(\/bin\/)?sh$/.test(p.command)), 'the shell runs on lab');
    await vs.screenshot('hosts-remote-2-shell');
    await page.keyboard.type('exit\n');

    await vs.row('Containers', /^far-web.*running/).click();
    await vs.contextMenu(vs.row('Containers', /^Files/), 'Upload…');
    await answerFileDialog(page, /Copy into/, path.join(work, 'up'), 'Upload');
    await waitFor(async () => (await exec('cat', '/up/note.txt')) === 'uploaded to lab\n', UI, 'the uploaded folder in lab\'s container');
    // lab's diff: its Changes node lists the upload
    await vs.row('Containers', /^Changes/).click();
    await vs.row('Containers', /^note\.txt\s*\/up\//).waitFor({ timeout: UI });
    await vs.row('Containers', /^Changes/).click();

    await vs.row('Containers', /^Files/).click();
    // a-who sorts first in /: in sight. The upload's change event redraws the Files node; a redraw
    // can close the menu before the click lands (a loaded machine): the dialog not up, once more
    const download = () => vs.contextMenu(vs.row('Containers', /^a-who\s*\d/), 'Download…');
    await download();
    if (!await page.locator('.quick-input-widget', { hasText: /Download/ }).waitFor({ timeout: 8000 }).then(() => true, () => false)) await download();
    await answerFileDialog(page, /Download/, path.join(work, 'down'), 'Download Here');
    const got = path.join(work, 'down', 'a-who');
    await waitFor(() => fs.existsSync(got) && fs.readFileSync(got, 'utf8') === 'on-lab\n', UI, 'lab\'s file downloaded to this machine');
    await vs.screenshot('hosts-remote-3-files');
  });

  uiTest('Edit Limit on lab\'s container changes it on lab', async () => {
    await vs.contextMenu(vs.row('Containers', /^far-web.*running/), 'Edit Limit');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^pids/ }).first().click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: /far-web: pids limit/ }).waitFor({ timeout: UI });
    await input.fill('123');
    await page.keyboard.press('Enter');
    const id = (await client.request('container.list', {})).find((c) => c.name === 'far-web')!.id;
    await waitFor(async () => (await client.request('container.inspect', { id })).limits.pidsLimit === 123, UI, 'the pids limit on lab');
  });

  uiTest('Add Host… adds a root of its own, which connects when expanded', async () => {
    await vs.runCommand('nscope: Add Host…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: /Add Host \(1\/2\)/ }).waitFor({ timeout: UI });
    await input.fill(`ssh://root@127.0.0.1:${sshd.port}${far.socket}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: /Add Host \(2\/2\)/ }).waitFor({ timeout: UI });
    await input.fill('lab-again');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'host "lab-again" added' }).waitFor({ timeout: UI });
    // lab collapsed: lab-again's root, below it, in sight
    await vs.row('Containers', /^lab\s*connected/).click();
    const row = vs.row('Containers', /^lab-again/);
    await row.waitFor({ timeout: UI });
    await row.click();
    await vs.row('Containers', /^lab-again\s*connected/).waitFor({ timeout: UI });
    await vs.row('Containers', /^far-web.*running/).waitFor({ timeout: UI });
    await vs.row('Containers', /^lab-again\s*connected/).click();
    await vs.row('Containers', /^lab\s*connected/).click();
  });

  uiTest('Show Stats on lab\'s container: its charts fill from lab\'s stats stream', async () => {
    await vs.contextMenu(vs.row('Containers', /^far-web.*running/), 'Show Stats');
    await page.locator('.tab', { hasText: 'Stats: far-web' }).waitFor({ timeout: UI });
    // the webview is a frame of the page: its memory chart counts the samples it drew
    const points = async () => {
      for (const f of (page as unknown as { frames(): { evaluate<T>(e: string): Promise<T> }[] }).frames()) {
        try {
          const n = await f.evaluate<number | null>('(() => { const c = document.querySelector("[data-chart=memory]"); return c ? Number(c.dataset.points || 0) : null; })()');
          if (n !== null) return n;
        } catch { /* a frame going away */ }
      }
      return 0;
    };
    await waitFor(async () => (await points()) >= 2, UI, 'memory samples from lab in the webview');
    await vs.screenshot('hosts-remote-4-stats');
  });
});
