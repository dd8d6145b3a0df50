// A container's files in a real VS Code (code-server + Chromium) against a
// real helper: the Files node lists them, /etc/motd opens in an editor, is
// edited and saved (the helper writes it inside the container), `nscope exec
// cat` shows the new text and the Changes node marks it; Upload… copies a
// host folder in (modes kept; a 12 MiB file streamed), the open Changes node
// takes the new files in from the container.changed event, and Download…
// copies a container folder out; a file dragged onto the Files node is copied
// in by the view's drop controller, and so is a file dropped from the
// desktop (its bytes, no path). The Files entries carry the container's
// A/M badges (an image file saved turns M, uploaded and dropped files are A)
// and, after a save, the file's new size and layer;
// a diff editor opened from Changes follows later writes to its file (an
// upload through the provider, an `nscope cp` by the helper alone) without
// being reopened; a file over MAX_OPEN (64 MiB) is refused with a message
// that says so, one of exactly 64 MiB opens; New Folder…, New File…,
// Rename… and Delete act in the container; Write Files As… another user
// shows on the Files node, and that user's save of root's file is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Locator, type Page, screenshotOnFailure, UI, VsCode } from './code-server';
import { answerFileDialog } from './file-dialog';

const skip = e2eUnavailable();
/** MAX_OPEN of extension/fs/file-provider.ts (not imported: it imports vscode) */
const MAX_OPEN = 64 << 20;
/** 64-byte lines ("line 000…1"), cut at `bytes`: a log-like text file of that size */
const bigFile = (p: string, bytes: number) => `seq -f 'line %058.0f' ${Math.ceil(bytes / 64)} | head -c ${bytes} > ${p}`;

describe('VS Code: a container\'s files', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let id = '';
  let local = '';
  const uiTest = screenshotOnFailure(test, () => vs);
  const exec = async (...cmd: string[]) => (await daemon.cli(['exec', 'files-web', ...cmd])).stdout;

  const activeEditor = () => page.locator('.editor-instance .monaco-editor:visible').first();
  /** In the file just opened: waits for `shown`, types `typed` at its end and saves. */
  const appendAndSave = async (shown: string, typed: string) => {
    const editor = activeEditor();
    await editor.locator('.view-lines', { hasText: shown }).waitFor({ timeout: UI });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(typed);
    await page.keyboard.press('Control+S');
  };
  const pick = (title: RegExp, p: string, ok: string, folder = true) => answerFileDialog(page, title, p, ok, folder);

  before(async () => {
    daemon = await startWithImage('e2e-files');
    client = await daemon.client();
    ({ id } = await client.request('container.create', { image: 'host', name: 'files-web', cmd: ['sh', '-c', `mkdir /big; ${bigFile('/big/at-limit.txt', MAX_OPEN)}; ${bigFile('/big/over-limit.txt', MAX_OPEN + 1)}; echo Welcome > /etc/motd; sleep 600`] }));
    await client.request('container.start', { id });
    await waitFor(async () => (await client.request('container.diff', { id })).changes.some((c) => c.path === '/etc/motd'), 10000, 'the container\'s motd');
    local = path.join(daemon.dir, 'host-side');
    fs.mkdirSync(path.join(local, 'upload', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(local, 'upload', 'sub', 'a.txt'), 'from the host\n');
    fs.writeFileSync(path.join(local, 'upload', 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    // larger than one read chunk (8 MiB): the upload streams it from disk
    fs.writeFileSync(path.join(local, 'upload', 'big.bin'), Buffer.alloc(12 << 20, 7));
    fs.mkdirSync(path.join(local, 'downloads'));
    fs.mkdirSync(path.join(local, 'again'));
    fs.writeFileSync(path.join(local, 'again', 'motd'), 'saved again through the provider\n');
    fs.writeFileSync(path.join(local, 'again', 'by-cp'), 'copied in by nscope cp\n');
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket, 'diffEditor.renderSideBySide': true, 'diffEditor.useInlineViewWhenSpaceIsLimited': false } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'files-last'), []); });

  uiTest('/etc/motd opened from the Files node, edited and saved: exec cat shows it, Changes marks it', async () => {
    await vs.openNscope(460);
    await vs.row('Containers', /files-web.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^etc\s*rw layer/).click();
    await vs.row('Containers', /^motd\s*\d/).click();
    await appendAndSave('Welcome', 'edited from VS Code');
    await waitFor(async () => (await exec('cat', '/etc/motd')).includes('edited from VS Code'), UI, 'the saved text in the container');
    assert.equal(await exec('cat', '/etc/motd'), 'Welcome\nedited from VS Code');
    // the tab is no longer dirty: the save went through
    await page.locator('.tab.dirty', { hasText: 'motd' }).waitFor({ state: 'detached', timeout: UI });
    await vs.row('Containers', /^Changes/).click();
    await vs.row('Containers', /^motd\s*\/etc\//).waitFor({ timeout: UI });
    // the Files entry is listed again with its new size, and badged against the image, which has no /etc/motd: added
    await vs.row('Containers', /^motd\s*27 B · rw layer/).waitFor({ timeout: UI });
    await vs.waitForBadge('Containers', /^motd\s*\d/, 'A');
    await vs.screenshot('files-1-saved');
  });

  uiTest('an image\'s file saved from the Files node turns M there', async () => {
    const shells = /^shells\s*\d/;
    // room for the Files node's /etc: the Images view and the Changes node closed (the list draws only the rows it shows)
    await vs.pane('Images').locator('.pane-header').click();
    await vs.row('Containers', /^Changes/).click();
    // the container's diff is in (motd has its badge), and /etc/shells is the image's: no badge
    await vs.waitForBadge('Containers', /^motd\s*\d/, 'A');
    assert.equal(await vs.badge('Containers', shells), '');
    await vs.row('Containers', shells).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'shells' }).waitFor({ timeout: UI });
    await appendAndSave('valid login shells', '/bin/saved-shell');
    await waitFor(async () => (await exec('cat', '/etc/shells')).endsWith('\n/bin/saved-shell'), UI, 'the saved /etc/shells in the container');
    await vs.waitForBadge('Containers', shells, 'M');
    // listed again (container.changed): copied up into the rw layer
    await vs.row('Containers', /^shells\s*\d+ B · rw layer/).waitFor({ timeout: UI });
    await vs.row('Containers', /^Changes/).click();
    await vs.row('Containers', /^shells\s*\/etc\//).waitFor({ timeout: UI });
  });

  uiTest('the diff editor of a changed file follows later writes to it without being reopened', async () => {
    await vs.row('Containers', /^motd\s*\/etc\//).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'motd (files-web: image ↔ container)' }).waitFor({ timeout: UI });
    const right = page.locator('.monaco-diff-editor:visible .editor.modified .view-lines').first();
    const text = async () => (await right.innerText()).replace(/\u00a0/g, ' ');
    await waitFor(async () => (await text()).includes('edited from VS Code'), UI, 'the saved motd on the diff\'s right side');
    // saved again through the provider, not through this editor's text: Upload… of a host file named motd into /etc
    await vs.contextMenu(vs.row('Containers', /^etc\s*rw layer/), 'Upload…');
    await pick(/Copy into/, path.join(local, 'again', 'motd'), 'Upload', false);
    await waitFor(async () => (await exec('cat', '/etc/motd')) === 'saved again through the provider\n', UI, 'the uploaded motd in the container');
    await waitFor(async () => (await text()).includes('saved again through the provider'), UI, 'the uploaded text on the diff\'s right side');
    // written by the helper with no provider involved: only its container.changed event can tell the editor
    const cp = await daemon.cli(['cp', path.join(local, 'again', 'by-cp'), 'files-web:/etc/motd']);
    assert.equal(cp.code, 0, cp.stderr);
    await waitFor(async () => (await text()).includes('copied in by nscope cp'), UI, 'the copied text on the diff\'s right side');
    assert.equal(await page.locator('.tabs-container .tab.active', { hasText: 'motd (files-web: image ↔ container)' }).count(), 1, 'the diff is still the active editor');
    await vs.screenshot('files-3-diff-follows');
  });

  uiTest('Upload… copies a host folder in with its modes; Download… copies a container folder out', async () => {
    await vs.contextMenu(vs.row('Containers', /^Files/), 'Upload…');
    await pick(/Copy into/, path.join(local, 'upload'), 'Upload');
    await waitFor(async () => (await exec('cat', '/upload/sub/a.txt')) === 'from the host\n', UI, 'the uploaded folder in the container');
    assert.equal((await exec('stat', '-c', '%a %u', '/upload/run.sh')).trim(), '755 0');
    await waitFor(async () => (await exec('stat', '-c', '%s', '/upload/big.bin')).trim() === String(12 << 20), UI, 'the 12 MiB file whole in the container');
    // the Changes node, open since the first test, takes in the uploaded files by itself (container.changed)
    await vs.row('Containers', /^a\.txt\s*\/upload\/sub\//).waitFor({ timeout: UI });
    // and the refreshed Files node lists the new folder, added (Changes and /etc closed to make room)
    await vs.row('Containers', /^Changes/).click();
    await vs.row('Containers', /^etc\s*rw layer/).click();
    await vs.waitForBadge('Containers', /^upload\s*rw layer/, 'A');
    await vs.contextMenu(vs.row('Containers', /^etc\s*rw layer/), 'Download…');
    await pick(/Download/, path.join(local, 'downloads'), 'Download Here');
    const got = path.join(local, 'downloads', 'etc', 'motd');
    const tree = () => (fs.readdirSync(local, { recursive: true }) as string[]).join(' ');
    const motd = await exec('cat', '/etc/motd');
    try {
      await waitFor(() => fs.existsSync(got) && fs.readFileSync(got, 'utf8') === motd, UI, 'the downloaded folder on the host');
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
    await vs.waitForBadge('Containers', /^dropped\.txt\s*\d/, 'A');
  });

  uiTest('a file over 64 MiB is refused with a message that says so; one of exactly 64 MiB opens', async () => {
    await vs.row('Containers', /^big\s*rw layer/).click();
    // VS Code asks first about a file this large (over 50 MB in a browser); Open Anyway hands it to the provider
    const openAnyway = async () => {
      const button = page.locator('.part.editor .monaco-button, .part.editor a', { hasText: 'Open Anyway' }).first();
      await button.waitFor({ timeout: UI });
      await button.click();
    };
    await vs.row('Containers', /^over-limit\.txt/).click();
    await openAnyway();
    // the editor says only that it could not open the file; the notification says why
    await page.locator('.part.editor', { hasText: 'could not be opened' }).waitFor({ timeout: UI });
    await page.locator('.notification-list-item-message', { hasText: `/big/over-limit.txt: ${MAX_OPEN + 1} bytes (64 MiB) is over the ${MAX_OPEN} bytes (64 MiB) nscope opens in an editor; Download… copies it to the host` }).waitFor({ timeout: UI });
    await vs.screenshot('files-5-too-large');
    await vs.row('Containers', /^at-limit\.txt/).click();
    await openAnyway();
    const editor = activeEditor();
    await editor.locator('.view-lines', { hasText: `line ${'1'.padStart(58, '0')}` }).waitFor({ timeout: 60000 });
    // all of it: the last line, cut at 64 MiB
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    const last = `line ${String(MAX_OPEN / 64).padStart(58, '0')}`;
    await editor.locator('.view-lines', { hasText: last }).waitFor({ timeout: UI });
  });

  uiTest('a file dropped from the desktop onto the Files node is copied in (its bytes: a browser has no host path)', async () => {
    // what Chromium hands a page for a file dragged in from the OS: a DataTransfer holding a File
    const data = await page.evaluateHandle(`(() => { const d = new DataTransfer(); d.items.add(new File(['from the desktop\\n'], 'desktop.txt', { type: 'text/plain' })); return d; })()`);
    const files = vs.row('Containers', /^Files/);
    for (const type of ['dragenter', 'dragover', 'drop']) await files.dispatchEvent(type, { dataTransfer: data });
    await waitFor(async () => (await exec('cat', '/desktop.txt')) === 'from the desktop\n', UI, 'the dropped file in the container');
  });

  uiTest('New Folder…, New File…, Rename… and Delete on the Files node and its entries: done in the container', async () => {
    // each box names the folder or file as docker cp would (files-web:/0-made), not by the URI's 64-hex container ID
    const ask = async (row: Locator, item: string, text: string, title?: string) => {
      const input = await vs.input(() => vs.contextMenu(row, item));
      if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: UI });
      await input.fill(text);
      await page.keyboard.press('Enter');
    };
    const inBox = async (test: string) => (await exec('sh', '-c', `${test} && echo yes`)) === 'yes\n';
    // names that sort first: listed right below the Files node, in the pane's sight
    await ask(vs.row('Containers', /^Files/), 'New Folder…', '0-made', 'New Folder in files-web:/');
    await waitFor(() => inBox('test -d /0-made'), UI, 'the new folder in the container');
    const folder = vs.row('Containers', /^0-made\s*rw layer/);
    await folder.waitFor({ timeout: UI });
    // a new file opens in an editor
    await ask(folder, 'New File…', '0-note.txt', 'New File in files-web:/0-made');
    await page.locator('.tab', { hasText: '0-note.txt' }).first().waitFor({ timeout: UI });
    await waitFor(() => inBox('test -f /0-made/0-note.txt'), UI, 'the new file in the container');
    // a bad name is refused in the box itself
    const input = await vs.input(() => vs.contextMenu(folder, 'Rename…'));
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Rename files-web:/0-made' }).waitFor({ timeout: UI });
    await input.fill('a/b');
    await page.locator('.quick-input-widget', { hasText: 'A name, not a path' }).waitFor({ timeout: UI });
    await input.fill('0-renamed');
    await page.keyboard.press('Enter');
    await waitFor(() => inBox('test -f /0-renamed/0-note.txt && ! test -e /0-made'), UI, 'the folder renamed with its file');
    const renamed = vs.row('Containers', /^0-renamed\s*rw layer/);
    await renamed.waitFor({ timeout: UI });
    // Delete asks first
    await vs.dialog(() => vs.contextMenu(renamed, 'Delete'), 'Delete /0-renamed in container files-web?');
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Delete$/ }).click();
    await waitFor(() => inBox('! test -e /0-renamed'), UI, 'the folder gone from the container');
    await renamed.waitFor({ state: 'detached', timeout: UI });
  });

  uiTest('Write Files As… another user: the Files node says so, and a save of root\'s file is refused by the kernel', async () => {
    await vs.pick(() => vs.contextMenu(vs.row('Containers', /^Files/), 'Write Files As…'), 'Another user…');
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
