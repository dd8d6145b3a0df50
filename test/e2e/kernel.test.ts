// From the UI to the kernel, in a real VS Code (code-server + headless
// Chromium) against a real helper: "Reveal Kernel Source" on the memory limit
// opens the container's cgroup file read-only and shows what the kernel says;
// on a namespace, what readlink says. And the images view's title toggle
// switches a layer's children between its own changes and the cumulative tree.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { runToExit, waitFor } from '../helpers/containers';
import { cgroupFile, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code extension: kernel sources and the cumulative tree', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let id: string;
  const uiTest = screenshotOnFailure(test, () => vs);
  /** a row by the start of its accessible name ("etc 1.2 KiB"): its text runs label and description together */
  const named = (view: string, label: string) => vs.pane(view).locator(`.monaco-list-row[aria-label^="${label} "]`).first();
  const editorText = async () => (await page.locator('.editor-instance .monaco-editor:visible .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

  before(async () => {
    daemon = await startWithImage('e2e-kernel');
    client = await daemon.client();
    // a two-layer image: the host layer, and one that changes /etc/passwd
    const src = await runToExit(client, { image: 'host', cmd: ['sh', '-c', 'echo web:x:1000:1000::/home/web:/bin/sh >> /etc/passwd'] });
    assert.equal(src.exitCode, 0, src.stderr);
    await client.request('container.commit', { id: src.id, name: 'e2e-two' });
    await client.request('container.remove', { id: src.id });
    ({ id } = await client.request('container.create', { image: 'host', name: 'e2e-kernel', cmd: ['sleep', '600'], memory: '64m' }));
    await client.request('container.start', { id });
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket, 'workbench.view.alwaysShowHeaderActions': true } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'kernel-last'), []); });

  uiTest('Reveal Kernel Source on the memory limit: the cgroup file, read-only, as the kernel has it', async () => {
    await vs.openNscope(480);
    await vs.row('Containers', 'e2e-kernel').click();
    await vs.row('Containers', 'Limits').click();
    const file = cgroupFile(daemon.cgroupParent, id, 'memory', 'memory.limit_in_bytes');
    const v2 = !file.includes('/memory/');
    const real = v2 ? file.replace('memory.limit_in_bytes', 'memory.max') : file;
    const want = fs.readFileSync(real, 'utf8').trim();
    assert.equal(want, String(64 * 2 ** 20));
    await vs.contextMenu(vs.row('Containers', /^memory/), 'Reveal Kernel Source');
    const tab = page.locator('.tabs-container .tab', { hasText: path.basename(real) }).first();
    await tab.waitFor({ timeout: UI });
    await waitFor(async () => (await editorText()).trim() === want, UI, `${real} in the editor`);
    // the tab is the real path on the host, read through nscope-kernel:
    // the breadcrumbs show the real path on the host (read through nscope-kernel:)
    await page.locator('.breadcrumbs-control', { hasText: new RegExp(real.split('/').filter(Boolean).slice(-3).join('\\W*').replace(/[.]/g, '\\.')) }).first().waitFor({ timeout: UI });
    // read-only: typing changes nothing
    await page.locator('.editor-instance .monaco-editor:visible textarea').first().focus();
    await page.keyboard.type('9');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await editorText()).trim(), want);
    await vs.screenshot('kernel-1-memory');
  });

  uiTest('Reveal Kernel Source on a namespace: what readlink says, with the inode the tree shows', async () => {
    const net = (await client.request('container.namespaces', { id })).find((n) => n.type === 'net')!;
    await vs.row('Containers', 'Limits').click(); // collapse, to make room
    await vs.row('Containers', 'Namespaces').click();
    await vs.contextMenu(vs.row('Containers', new RegExp(`^net\\s*net:\\[${net.inode}\\]`)), 'Reveal Kernel Source');
    await page.locator('.tabs-container .tab', { hasText: /^\s*net\b/ }).first().waitFor({ timeout: UI });
    await waitFor(async () => (await editorText()).includes(`readlink ${net.path}`), UI, 'the readlink text');
    assert.match(await editorText(), new RegExp(`^net:\\[${net.inode}\\]$`, 'm'));
    await vs.screenshot('kernel-2-namespace');
  });

  uiTest('the images view toggles a layer between its own changes and the cumulative tree', async () => {
    await vs.row('Containers', 'e2e-kernel').click(); // collapse
    await page.locator('.part.sidebar .pane-header', { hasText: 'Containers' }).first().click(); // and the pane
    await vs.row('Images', 'e2e-two:latest').click();
    await vs.row('Images', /^layer 1/).click();
    // own changes: a flat list, the file name with its folder
    await vs.row('Images', /^passwd\s*\/etc\//).waitFor({ timeout: UI });
    assert.equal(await vs.pane('Images').locator('.monaco-list-row[aria-label^="bin "]').count(), 0);
    const header = vs.pane('Images').locator('.pane-header');
    await header.locator('.action-label[aria-label="Show Cumulative Tree of Each Layer"]').click();
    // the cumulative tree: the whole image at layer 1, one directory at a time
    await named('Images', 'bin').waitFor({ timeout: UI });
    await named('Images', 'etc').click();
    await named('Images', 'group').waitFor({ timeout: UI }); // from layer 0
    const passwd = named('Images', 'passwd');
    await passwd.waitFor();
    // changed by layer 1: decorated like a modified file
    await waitFor(async () => (await passwd.locator('[class*="monaco-decoration-itemColor"], [class*="monaco-decoration-itemBadge"]').count()) > 0, UI, 'the M decoration on passwd');
    await vs.screenshot('kernel-3-cumulative');
    // it opens as the image has it up to layer 1
    await passwd.click();
    await page.locator('.tabs-container .tab', { hasText: 'passwd (e2e-two:latest up to layer 1)' }).first().waitFor({ timeout: UI });
    await waitFor(async () => (await editorText()).includes('web:x:1000'), UI, 'layer 1\'s /etc/passwd');
    // and back
    await header.locator('.action-label[aria-label="Show Each Layer\'s Own Changes"]').click();
    await vs.row('Images', /^passwd\s*\/etc\//).waitFor({ timeout: UI });
    await named('Images', 'bin').waitFor({ state: 'detached', timeout: UI });
  });
});
