// A container's files in a real VS Code (code-server + Chromium) against a
// real helper: the Files node lists them, /etc/motd opens in an editor, is
// edited and saved (the helper writes it inside the container), `nscope exec
// cat` shows the new text and the Changes node marks it; Upload… copies a
// host folder in (modes kept; a 12 MiB file streamed), the open Changes node
// takes the new files in from the container.changed event, and Download…
// copies a container folder out; a file dragged onto the Files node is copied
// in by the view's drop controller, and so is a file dropped from the
// desktop (its bytes, no path); Write Files As… another user shows on the
// Files node, and that user's save of root's file is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';
import { answerFileDialog } from './file-dialog';

const skip = e2eUnavailable();

describe('VS Code: a container\'s files', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let id = '';
  let local = '';
  const uiTest = screenshotOnFailure(test, () => vs);
  const exec = async (...cmd: string[]) => (await daemon.cli(['exec', 'files-web', ...cmd])).stdout;

  const pick = (title: RegExp, p: string, ok: string) => answerFileDialog(page, title, p, ok);

  before(async () => {
    daemon = await startWithImage('e2e-files');
    client = await daemon.client();
    ({ id } = await client.request('container.create', { image: 'host', name: 'files-web', cmd: ['sh', '-c', 'echo Welcome > /etc/motd; sleep 600'] }));
    await client.request('container.start', { id });
    await waitFor(async () => (await client.request('container.diff', { id })).changes.some((c) => c.path === '/etc/motd'), 10000, 'the container\'s motd');
    local = path.join(daemon.dir, 'host-side');
    fs.mkdirSync(path.join(local, 'upload', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(local, 'upload', 'sub', 'a.txt'), 'from the host\n');
    fs.writeFileSync(path.join(local, 'upload', 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    // larger than one read chunk (8 MiB): the upload streams it from disk
    fs.writeFileSync(path.join(local, 'upload', 'big.bin'), Buffer.alloc(12 << 20, 7));
    fs.mkdirSync(path.join(local, 'downloads'));
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'files-last'), []); });

  uiTest('/etc/motd opened from the Files node, edited and saved: exec cat shows it, Changes marks it', async () => {
    await vs.openNscope(460);
    await vs.row('Containers', /files-web.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^etc\s*rw layer/).click();
    await vs.row('Containers', /^motd\s*\d/).click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'Welcome' }).waitFor({ timeout: UI });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('edited from VS Code');
    await page.keyboard.press('Control+S');
    await waitFor(async () => (await exec('cat', '/etc/motd')).includes('edited from VS Code'), UI, 'the saved text in the container');
    assert.equal(await exec('cat', '/etc/motd'), 'Welcome\nedited from VS Code');
    // the tab is no longer dirty: the save went through
    await page.locator('.tab.dirty', { hasText: 'motd' }).waitFor({ state: 'detached', timeout: UI });
    await vs.row('Containers', /^Changes/).click();
    await vs.row('Containers', /^motd\s*\/etc\//).waitFor({ timeout: UI });
    await vs.screenshot('files-1-saved');
  });

  uiTest('Upload… copies a host folder in with its modes; Download… copies a container folder out', async () => {
    await vs.contextMenu(vs.row('Containers', /^Files/), 'Upload…');
    await pick(/Copy into/, path.join(local, 'upload'), 'Upload');
    await waitFor(async () => (await exec('cat', '/upload/sub/a.txt')) === 'from the host\n', UI, 'the uploaded folder in the container');
    assert.equal((await exec('stat', '-c', '%a %u', '/upload/run.sh')).trim(), '755 0');
    await waitFor(async () => (await exec('stat', '-c', '%s', '/upload/big.bin')).trim() === String(12 << 20), UI, 'the 12 MiB file whole in the container');
    // the Changes node, open since the first test, takes in the uploaded files by itself (container.changed)
    await vs.row('Containers', /^a\.txt\s*\/upload\/sub\//).waitFor({ timeout: UI });
    await vs.contextMenu(vs.row('Containers', /^etc\s*rw layer/), 'Download…');
    await pick(/Download/, path.join(local, 'downloads'), 'Download Here');
    const got = path.join(local, 'downloads', 'etc', 'motd');
    const tree = () => (fs.readdirSync(local, { recursive: true }) as string[]).join(' ');
    try {
      await waitFor(() => fs.existsSync(got) && fs.readFileSync(got, 'utf8').includes('edited from VS Code'), UI, 'the downloaded folder on the host');
    } catch (e) { throw new Error(`${(e as Error).message}; on the host: ${tree()}; notifications: ${await page.locator('.notifications-toasts').innerText().catch(() => '')}`); }
    assert.ok(fs.existsSync(path.join(local, 'downloads', 'etc', 'hostname')));
    // modes and owners as the container has them (VS Code runs as root here, so owners too)
    for (const f of ['/etc/motd', '/etc/hostname']) {
      const st = fs.statSync(path.join(local, 'downloads', f));
      assert.equal(`${(st.mode & 0o7777).toString(8)} ${st.uid}`, (await exec('stat', '-c', '%a %u', f)).trim(), f);
    }
    await vs.screenshot('files-2-transfers');
  });

  uiTest('a file dragged onto a container\'s Files node is copied in (the view\'s drop controller)', async () => {
    fs.writeFileSync(path.join(vs.tmp, 'workspace', 'dropped.txt'), 'dropped in\n');
    // opened in an editor: its tab drags the file's URI, as the Explorer does
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('dropped.txt');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'dropped.txt' }).first().waitFor({ timeout: UI });
    await page.keyboard.press('Enter');
    const tab = page.locator('.tab', { hasText: 'dropped.txt' }).first();
    await tab.waitFor({ timeout: UI });
    await tab.dragTo(vs.row('Containers', /^Files/));
    await waitFor(async () => (await exec('cat', '/dropped.txt')) === 'dropped in\n', UI, 'the dropped file in the container');
  });

  uiTest('a file dropped from the desktop onto the Files node is copied in (its bytes: a browser has no host path)', async () => {
    // what Chromium hands a page for a file dragged in from the OS: a DataTransfer holding a File
    const data = await page.evaluateHandle(`(() => { const d = new DataTransfer(); d.items.add(new File(['from the desktop\\n'], 'desktop.txt', { type: 'text/plain' })); return d; })()`);
    const files = vs.row('Containers', /^Files/);
    for (const type of ['dragenter', 'dragover', 'drop']) await files.dispatchEvent(type, { dataTransfer: data });
    await waitFor(async () => (await exec('cat', '/desktop.txt')) === 'from the desktop\n', UI, 'the dropped file in the container');
  });

  uiTest('Write Files As… another user: the Files node says so, and a save of root\'s file is refused by the kernel', async () => {
    await vs.contextMenu(vs.row('Containers', /^Files/), 'Write Files As…');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Another user…' }).first().click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: UI });
    await input.fill('1000');
    await page.keyboard.press('Enter');
    await vs.row('Containers', /^Files\s*as 1000/).waitFor({ timeout: UI });
    const before = await exec('cat', '/etc/motd');
    await page.locator('.tab', { hasText: 'motd' }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' as 1000');
    await page.keyboard.press('Control+S');
    await page.locator('.notifications-toasts .notification-toast', { hasText: /Failed to save 'motd'.*permission denied: \/etc\/motd/s }).first().waitFor({ timeout: UI });
    assert.equal(await exec('cat', '/etc/motd'), before, 'root\'s 0644 file unchanged');
    await vs.screenshot('files-4-write-as');
  });
});
