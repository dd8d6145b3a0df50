// The VS Code extension in a real VS Code (code-server + headless Chromium)
// against a real helper with a real container: the views, the shell, a live
// limit change, and the welcome content (and a palette without the commands
// that need it) when the helper goes away.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { cgroupFile, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/containers';
import { E2E_OUT, e2eUnavailable, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code extension (code-server 4.100.3, Chromium)', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let id: string;
  const timings: Record<string, number> = {};
  /** a test that leaves a screenshot of the page when it fails */
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e');
    client = await daemon.client();
    ({ id } = await client.request('container.create', { image: 'host', name: 'e2e-web', hostname: 'e2e-box', cmd: ['sleep', '600'], memory: '64m', pidsLimit: 50 }));
    await client.request('container.start', { id });
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
  });

  after(async () => {
    if (vs) {
      await vs.screenshot('last').catch(() => undefined);
      await vs.stop();
    }
    if (timings && Object.keys(timings).length) {
      fs.writeFileSync(path.join(E2E_OUT, 'timings.json'), JSON.stringify(timings, null, 2));
      console.log('e2e timings (ms):', JSON.stringify(timings));
    }
    if (daemon) {
      // a test that failed while the helper was stopped: start it again so it removes the containers
      if (daemon.proc?.exitCode !== null || daemon.proc?.signalCode !== null) await daemon.start().catch(() => undefined);
      assert.deepEqual(await daemon.cleanup(), []);
    }
  });

  uiTest('the nscope icon, its three views and the running container with its children', async () => {
    await vs.openNscope(560);
    for (const v of ['Containers', 'Images', 'Namespaces']) await page.locator('.part.sidebar .pane-header', { hasText: v }).first().waitFor();
    const row = vs.row('Containers', 'e2e-web');
    await row.waitFor({ timeout: UI });
    assert.match(await row.innerText(), /host:latest · running · up/);
    await vs.pane('Containers').locator('.monaco-list-row[aria-label*="e2e-web"] .codicon-vm-running').waitFor();
    await page.locator('.part.statusbar .statusbar-item[aria-label="nscope connected"]').waitFor();
    await row.click();
    for (const child of ['Processes', 'Namespaces', 'Limits', 'Layers']) await vs.row('Containers', child).waitFor();

    await vs.row('Containers', 'Processes').click();
    await vs.row('Containers', /sleep 600/).waitFor();
    await vs.row('Containers', 'Limits').click();
    const mem = vs.row('Containers', /^memory/);
    await mem.waitFor();
    assert.match(await mem.innerText(), /^memory\s*[\d.]+ (B|KiB|MiB) \/ 64 MiB$/);
    assert.match(await vs.row('Containers', /^pids/).innerText(), /^pids\s*\d+ \/ 50$/);
    await vs.row('Containers', 'Layers').click();
    for (const l of [/^rw/, /^init/, /^layer 0/]) await vs.row('Containers', l).waitFor();
    await vs.screenshot('1-containers');

    // a container created through the protocol appears from the helper's event
    const t0 = Date.now();
    const { id: id2 } = await client.request('container.create', { image: 'host', name: 'e2e-second', cmd: ['sleep', '600'] });
    await vs.row('Containers', 'e2e-second').waitFor();
    timings.eventToTree = Date.now() - t0;
    await client.request('container.remove', { id: id2, force: true });
    await vs.row('Containers', 'e2e-second').waitFor({ state: 'detached' });

    // a health check's status on its row, from the helper's container.health event
    const { id: id3 } = await client.request('container.create', { image: 'host', name: 'e2e-probed', cmd: ['sleep', '600'], healthcheck: { test: ['CMD-SHELL', 'true'], interval: 200e6 } });
    await client.request('container.start', { id: id3 });
    await vs.row('Containers', /^e2e-probed.*running.*· healthy/).waitFor();
    await client.request('container.remove', { id: id3, force: true });
    await vs.row('Containers', 'e2e-probed').waitFor({ state: 'detached' });
  });

  uiTest('Open Shell in Container: a prompt, hostname, exit code', async () => {
    // from the click on the menu entry (the command), not from opening the menu
    let t0 = Date.now();
    await vs.contextMenu(vs.row('Containers', 'e2e-web'), 'Open Shell in Container', () => { t0 = Date.now(); });
    const rows = page.locator('.terminal-wrapper.active .xterm-rows');
    await rows.waitFor({ timeout: UI });
    await page.waitForFunction(`/[#$]\\s*$/m.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.innerText || '')`, undefined, { timeout: UI });
    timings.commandToPrompt = Date.now() - t0;
    await page.locator('.part.panel .tabs-container, .part.panel .terminal-tabs-entry, .part.panel', { hasText: 'e2e-web' }).first().waitFor();
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').focus();
    await page.keyboard.type('hostname\n');
    await rows.filter({ hasText: /e2e-box/ }).waitFor({ timeout: UI });
    // the pty has the terminal's size (from setDimensions), not a default 24x80
    await page.keyboard.type('stty size\n');
    const sizeRe = /^\s*(\d+)\s(\d+)\s*$/m; // innerText keeps the rows' line breaks
    await waitFor(async () => sizeRe.test(await rows.innerText()), UI, '`stty size` output');
    const size = sizeRe.exec(await rows.innerText())!;
    assert.ok(Number(size[1]) > 5 && Number(size[2]) > 80 && Number(size[2]) < 300, `stty size ${size[0]}`);
    const execs = (await client.request('container.top', { id })).filter((p) => p.command.startsWith('/bin/sh') || p.command === 'sh');
    assert.ok(execs.length >= 1, 'the shell runs in the container');
    await vs.screenshot('2-shell');
    if (process.env.NSCOPE_E2E_UPDATE_MEDIA === '1') fs.copyFileSync(path.join(E2E_OUT, '2-shell.png'), path.join(REPO, 'media', 'screenshot-containers.png'));
    await page.keyboard.type('exit 3\n');
    await page.locator('.notifications-toasts', { hasText: 'sh in e2e-web exited with code 3' }).waitFor({ timeout: UI });
    await page.locator('.terminal-wrapper.active .xterm-rows').waitFor({ state: 'detached', timeout: UI });
    await waitFor(async () => (await client.request('container.top', { id })).every((p) => !/^(\/bin\/)?sh$/.test(p.command)), 10000, 'the shell to end');
  });

  uiTest('a limit edited inline is what the cgroup says, and the tree shows it', async () => {
    const file = cgroupFile(daemon.cgroupParent, id, 'memory', 'memory.limit_in_bytes');
    const v2 = !file.includes('/memory/');
    const read = () => fs.readFileSync(v2 ? file.replace('memory.limit_in_bytes', 'memory.max') : file, 'utf8').trim();
    assert.equal(read(), String(64 * 2 ** 20));
    await vs.row('Containers', /^memory/).click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    assert.equal(await input.inputValue(), '64m');
    await input.fill('48q');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'a size' }).waitFor();
    await input.fill('48m');
    await page.keyboard.press('Enter');
    await waitFor(() => read() === String(48 * 2 ** 20), 15000, 'memory limit 48m in the cgroup');
    await vs.row('Containers', /^memory.*\/ 48 MiB/).waitFor({ timeout: UI });
    await vs.screenshot('3-limit');
  });

  uiTest('the namespaces view lists the container\'s namespaces with their inodes', async () => {
    const nss = await client.request('container.namespaces', { id });
    const net = nss.find((n) => n.type === 'net')!;
    assert.ok(net && !net.sharedWithHost);
    await vs.row('Containers', 'e2e-web').click(); // collapse, to make room
    await page.locator('.part.sidebar .pane-header', { hasText: 'Namespaces' }).first().click();
    await vs.row('Namespaces', /^net/).click();
    await vs.row('Namespaces', new RegExp(`e2e-web.*net:\\[${net.inode}\\]`)).waitFor({ timeout: UI });
    await vs.screenshot('4-namespaces');
  });

  uiTest('the helper stopped: welcome content, a disconnected status, no Kill in the palette; restarted: reconnected', async () => {
    daemon.proc!.kill('SIGTERM');
    await daemon.waitExit();
    await vs.pane('Containers').locator('.welcome-view-content', { hasText: 'The nscope helper is not running' }).waitFor({ timeout: UI });
    await vs.pane('Containers').locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Start the Helper' }).first().waitFor();
    await page.locator('.part.statusbar .statusbar-item[aria-label="nscope unavailable"]').waitFor();
    await vs.screenshot('5-helper-stopped');
    // the palette offers what can work without a helper (starting it), not Kill, Run… and the like
    const palette = page.locator('.quick-input-widget .quick-input-box input');
    const command = (title: string) => page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await page.keyboard.press('F1');
    await palette.fill('>nscope: Start the Helper');
    await command('nscope: Start the Helper').waitFor({ timeout: UI });
    await palette.fill('>nscope: Kill');
    await command('nscope: Start the Helper').waitFor({ state: 'detached', timeout: UI });
    assert.equal(await command('nscope: Kill').count(), 0, 'Kill is not offered without a helper');
    await page.keyboard.press('Escape');
    await daemon.start();
    await vs.row('Containers', 'e2e-web').waitFor({ timeout: UI });
    await page.locator('.part.statusbar .statusbar-item[aria-label="nscope connected"]').waitFor();
    await page.keyboard.press('F1');
    await palette.fill('>nscope: Kill');
    await command('nscope: Kill').waitFor({ timeout: UI });
    await page.keyboard.press('Escape');
  });
});
