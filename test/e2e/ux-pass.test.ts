// What a new user meets in a real VS Code, from a first run with no helper
// on: the welcome content as plain text (VS Code draws no Markdown code
// there) and the views coming by themselves once the helper listens; a
// command on any container with none yet saying so plainly; the
// palette offering the layer toggle that switches, not both; a stopped
// container's tooltip naming its image once; Run Container on an image with
// its own command running that command when the box is left empty (as
// `docker run IMAGE`); F2 and Delete on the focused row, as in the Explorer
// (Rename…, Remove… of a container, Rename… and Delete of its files); and a
// file on a read-only bind, or of a running --read-only container's root,
// opened read-only rather than failing at the save.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, TEST_PROGRAMS, TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code as a new user meets it: first run, palette, tooltips, keys, read-only files', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let bindDir: string;
  const uiTest = screenshotOnFailure(test, () => vs);
  const input = () => page.locator('.quick-input-widget .quick-input-box input');
  const containerId = async (name: string) => (await client.request('container.list', { all: true })).find((c) => c.name === name)?.id;
  /** the palette's rows for `text` typed after `>`, once `shown` is among them (none if it does not show in 5 s) */
  const paletteRows = async (text: string, shown: string): Promise<string[]> => {
    await page.keyboard.press('F1');
    await input().fill(`>${text}`);
    const rows = await page.locator('.quick-input-widget .monaco-list-row', { hasText: shown }).first().waitFor({ timeout: 5000 })
      .then(() => page.locator('.quick-input-widget .monaco-list-row').allInnerTexts(), () => []);
    await page.keyboard.press('Escape');
    return rows;
  };
  /** the palette offers `shown` and not `hidden` */
  const paletteOffersOnly = (shown: string, hidden: string) => waitFor(async () => {
    const rows = await paletteRows('nscope: Show', shown);
    return rows.some((r) => r.includes(shown)) && !rows.some((r) => r.includes(hidden));
  }, UI, `the palette to offer "${shown}" without "${hidden}"`);
  /** the Containers view with every row collapsed: what a test looks for is drawn, not scrolled away */
  const collapseContainers = async () => {
    await vs.pane('Containers').hover();
    const button = vs.pane('Containers').locator('.action-label[aria-label="Collapse All"]');
    // disabled while nothing is expanded
    if ((await button.getAttribute('aria-disabled')) !== 'true') await button.click();
  };
  /** `key` on `row` with the keyboard's focus in its tree (a click on a file opens it, and its editor takes the focus) */
  const keyOn = async (row: ReturnType<VsCode['row']>, key: string) => {
    await row.click();
    await vs.pane('Containers').locator('.monaco-list').first().focus();
    await page.keyboard.press(key);
  };

  before(async () => {
    // not started yet: the first run is VS Code without a helper at its socket
    daemon = new TestDaemon('e2e-ux');
    bindDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-ux-bind-'));
    fs.writeFileSync(path.join(bindDir, 'ro.txt'), 'from the host\n');
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
  });

  after(async () => {
    const leaks = await endSuite(vs, daemon, 'ux-last');
    if (bindDir) fs.rmSync(bindDir, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  uiTest('first run: the welcome content is plain text, and the views come by themselves once the helper listens', async () => {
    await vs.openNscope(520);
    const welcome = vs.pane('Containers').locator('.welcome-view-content', { hasText: 'The nscope helper is not running' });
    await welcome.waitFor({ timeout: UI });
    const text = await welcome.innerText();
    assert.doesNotMatch(text, /`/, `no Markdown backticks drawn as text: ${text}`);
    assert.match(text, /sudo nscope daemon/);
    await vs.pane('Containers').locator('.welcome-view-content .monaco-button', { hasText: 'Start the Helper' }).first().waitFor();
    await vs.pane('Containers').locator('.welcome-view-content .monaco-button', { hasText: 'Retry Now' }).first().waitFor();
    await vs.screenshot('ux-1-first-run');

    await daemon.start();
    client = await daemon.client();
    await client.request('image.host', { name: 'host', programs: TEST_PROGRAMS });
    await vs.row('Images', 'host:latest').waitFor({ timeout: UI });
    const empty = vs.pane('Containers').locator('.welcome-view-content', { hasText: 'No containers yet' });
    await empty.waitFor({ timeout: UI });
    assert.doesNotMatch(await empty.innerText(), /`/);
    // a command on any container, with none yet: said plainly, not "no created or running or exited containers"
    await vs.runCommand('nscope: Show Logs');
    await page.locator('.notification-list-item-message', { hasText: /^nscope: no containers$/ }).waitFor({ timeout: UI });
  });

  uiTest('the palette offers the layer toggle that switches, not both', async () => {
    const cumulative = 'nscope: Show Cumulative Tree of Each Layer';
    const own = "nscope: Show Each Layer's Own Changes";
    await paletteOffersOnly(cumulative, own);
    // switched with the Images view's title button: the palette follows
    const title = (label: string) => vs.pane('Images').locator(`.action-label[aria-label="${label}"]`);
    await vs.pane('Images').hover();
    await title('Show Cumulative Tree of Each Layer').click();
    await title("Show Each Layer's Own Changes").waitFor({ timeout: UI });
    await paletteOffersOnly(own, cumulative);
    await vs.pane('Images').hover();
    await title("Show Each Layer's Own Changes").click();
    await title('Show Cumulative Tree of Each Layer').waitFor({ timeout: UI });
    await paletteOffersOnly(cumulative, own);
  });

  uiTest("a stopped container's tooltip names its image once, then its state", async () => {
    const { id } = await client.request('container.create', { image: 'host', name: 'ux-done', cmd: ['true'] });
    await client.request('container.start', { id });
    await waitFor(async () => (await client.request('container.inspect', { id })).status === 'exited', 10000, 'exited');
    const row = vs.row('Containers', /^ux-done.*exited/);
    await row.waitFor({ timeout: UI });
    await row.hover();
    const hover = page.locator('.workbench-hover', { hasText: 'command' }).first();
    await hover.waitFor({ timeout: UI });
    const text = await hover.innerText();
    assert.match(text, /image host:latest · exited \(0\)/);
    assert.equal(text.split('host:latest').length - 1, 1, `the image once: ${text}`);
    await page.mouse.move(1000, 300);
    await client.request('container.remove', { id, force: true });
    await vs.row('Containers', 'ux-done').waitFor({ state: 'detached', timeout: UI });
  });

  uiTest("Run Container on an image with its own command: the box is empty and runs the image's command", async () => {
    const { id: base } = await client.request('container.create', { image: 'host', name: 'ux-base', cmd: ['true'] });
    await client.request('container.commit', { id: base, name: 'ux-cmd', changes: ['CMD ["sleep", "601"]'] });
    await client.request('container.remove', { id: base, force: true });
    await vs.row('Images', 'ux-cmd:latest').waitFor({ timeout: UI });
    await vs.pick(() => vs.runCommand('nscope: Run Container'), 'ux-cmd:latest');
    await page.locator('.quick-input-widget', { hasText: /Run Container \(2\/4\)/ }).waitFor({ timeout: UI });
    await page.locator('.quick-input-widget', { hasText: /sleep 601/ }).waitFor();
    assert.equal(await input().inputValue(), '', 'the image has a command: nothing typed over it');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: /Run Container \(3\/4\)/ }).waitFor({ timeout: UI });
    await input().fill('ux-own');
    await page.keyboard.press('Enter');
    for (const step of [/memory/, /cpus/]) {
      await page.locator('.quick-input-widget', { hasText: step }).waitFor({ timeout: UI });
      await page.keyboard.press('Enter');
    }
    await vs.row('Containers', /^ux-own.*running/).waitFor({ timeout: UI });
    const id = (await containerId('ux-own'))!;
    assert.deepEqual((await client.request('container.inspect', { id })).command, ['sleep', '601']);
    await client.request('container.remove', { id, force: true });
    await vs.row('Containers', 'ux-own').waitFor({ state: 'detached', timeout: UI });
  });

  uiTest('F2 and Delete act on the focused row: a container, then a file of it', async () => {
    await collapseContainers();
    const { id } = await client.request('container.create', { image: 'host', name: 'ux-keys', cmd: ['sh', '-c', 'echo hi > /aaa-ux.txt; exec sleep 600'] });
    try {
      await client.request('container.start', { id });
      const exists = (file: string) => client.request('file.stat', { container: id, path: file }).then(() => true, () => false);
      await waitFor(() => exists('/aaa-ux.txt'), 10000, '/aaa-ux.txt');
      const row = vs.row('Containers', /^ux-keys.*running/);
      await row.waitFor({ timeout: UI });
      // the container: F2 is Rename…
      await vs.input(() => keyOn(row, 'F2'));
      await page.locator('.quick-input-widget', { hasText: 'Rename ux-keys' }).waitFor({ timeout: UI });
      await input().fill('ux-keyed');
      await page.keyboard.press('Enter');
      const renamed = vs.row('Containers', /^ux-keyed/);
      await renamed.waitFor({ timeout: UI });
      // Delete on it asks first, naming it (cancelled here)
      const ask = await vs.dialog(() => keyOn(renamed, 'Delete'), 'ux-keyed is running. Stop and remove it?');
      await ask.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await ask.waitFor({ state: 'detached' });

      // a file of its Files node: F2 renames it, Delete asks, then deletes it
      const files = vs.row('Containers', /^Files/);
      if (!(await files.isVisible())) await renamed.click();
      await files.click();
      const first = vs.row('Containers', /^aaa-ux\.txt/);
      await first.waitFor({ timeout: UI });
      await vs.input(() => keyOn(first, 'F2'));
      await page.locator('.quick-input-widget', { hasText: 'Rename ux-keyed:/aaa-ux.txt' }).waitFor({ timeout: UI });
      assert.equal(await input().inputValue(), 'aaa-ux.txt');
      await input().fill('aab-ux.txt');
      await page.keyboard.press('Enter');
      await waitFor(() => exists('/aab-ux.txt'), UI, '/aab-ux.txt');
      const moved = vs.row('Containers', /^aab-ux\.txt/);
      await moved.waitFor({ timeout: UI });
      const del = await vs.dialog(() => keyOn(moved, 'Delete'), 'Delete /aab-ux.txt in container ux-keyed?');
      await del.locator('.monaco-button', { hasText: /^Delete$/ }).click();
      await waitFor(async () => !(await exists('/aab-ux.txt')), UI, '/aab-ux.txt deleted');
      await moved.waitFor({ state: 'detached', timeout: UI });
      await vs.screenshot('ux-2-keys');
    } finally {
      await page.keyboard.press('Escape');
      await client.request('container.remove', { id, force: true });
    }
    await vs.row('Containers', 'ux-keyed').waitFor({ state: 'detached', timeout: UI });
  });

  uiTest('a file on a read-only bind, or of a --read-only root, opens read-only: the editor refuses typing', async () => {
    await collapseContainers();
    const { id } = await client.request('container.create', { image: 'host', name: 'ux-ro', cmd: ['sleep', '600'], volumes: [`${bindDir}:/aaa-ro:ro`] });
    await client.request('container.start', { id });
    await vs.row('Containers', /^ux-ro.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^aaa-ro/).click();
    await vs.row('Containers', /^ro\.txt/).click();
    const editor = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'from the host' }).first();
    await editor.waitFor({ timeout: UI });
    await editor.click();
    await page.keyboard.type('zz');
    await page.locator('.monaco-editor-overlaymessage', { hasText: 'read-only' }).first().waitFor({ timeout: UI });
    assert.doesNotMatch(await editor.innerText(), /zz/);
    assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'nothing to save');
    await vs.screenshot('ux-3-read-only');
    assert.equal(fs.readFileSync(path.join(bindDir, 'ro.txt'), 'utf8'), 'from the host\n');
    await page.keyboard.press('Control+W');
    // New File… there: refused, the file named as the user knows it (not by the URI's 64-digit container ID)
    await vs.contextMenu(vs.row('Containers', /^aaa-ro/), 'New File…');
    await page.locator('.quick-input-widget', { hasText: 'New File in' }).waitFor({ timeout: UI });
    await input().fill('n.txt');
    await page.keyboard.press('Enter');
    const refused = page.locator('.notification-list-item-message', { hasText: 'is on a read-only mount' }).first();
    await refused.waitFor({ timeout: UI });
    assert.equal(await refused.innerText(), `nscope: make the file: ${id.slice(0, 12)}:/aaa-ro/n.txt: /aaa-ro is on a read-only mount in the container`);
    await client.request('container.remove', { id, force: true });
    await vs.row('Containers', 'ux-ro').waitFor({ state: 'detached', timeout: UI });

    // a running --read-only container: a file of its root, as it cannot write it
    await collapseContainers();
    const { id: rofs } = await client.request('container.create', { image: 'host', name: 'ux-rofs', cmd: ['sleep', '600'], readOnly: true });
    await client.request('container.start', { id: rofs });
    await vs.row('Containers', /^ux-rofs.*running/).click();
    await vs.row('Containers', /^Files/).click();
    await vs.row('Containers', /^etc/).click();
    await vs.row('Containers', /^passwd/).click();
    const passwd = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'root:x:0:0' }).first();
    await passwd.waitFor({ timeout: UI });
    await passwd.click();
    await page.keyboard.type('zz');
    await page.locator('.monaco-editor-overlaymessage', { hasText: 'read-only' }).first().waitFor({ timeout: UI });
    assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'nothing to save');
    await page.keyboard.press('Control+W');
    await client.request('container.remove', { id: rofs, force: true });
  });
});
