// The explorer's commands in a real VS Code: Run Container from the palette
// through its quick pick and input boxes, Kill and Restart from the context
// menu (Remove asks first, a stopped container too), Pause/Unpause (Unpause from the palette offers paused ones only), Rename…, Export Container…, Prune Stopped Containers…, Commit to a new image, Build Host Image, Import Image, Tag Image and
// Save Image from an image's menu; an image's
// inline Run…, Show Logs following the container, Remove, Remove Image;
// Inspect and Copy ID on an image, Prune Unused Images… from the title;
// Run Interactive on an image.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { cgroupFile, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';
import { answerFileDialog } from './file-dialog';

const skip = e2eUnavailable();

describe('VS Code commands: run, kill, restart, commit, images', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  const uiTest = screenshotOnFailure(test, () => vs);
  const input = () => page.locator('.quick-input-widget .quick-input-box input');
  /** types into the open input box (waiting for its title or prompt) and accepts */
  const answer = async (title: RegExp, text: string) => {
    await page.locator('.quick-input-widget', { hasText: title }).waitFor({ timeout: UI });
    await input().fill(text);
    await page.keyboard.press('Enter');
  };
  const containerId = async (name: string) => (await client.request('container.list', { all: true })).find((c) => c.name === name)?.id;

  before(async () => {
    daemon = await startWithImage('e2e-cmds');
    client = await daemon.client();
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'commands-last'), []); });

  uiTest('Run Container from the palette: image, command, name and a memory limit', async () => {
    await vs.openNscope(480);
    await vs.runCommand('nscope: Run Container');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'host:latest' }).first().click();
    await answer(/Run Container \(2\/4\)/, 'sleep 600');
    await answer(/Run Container \(3\/4\)/, 'cmd-web');
    await page.locator('.quick-input-widget', { hasText: /memory/ }).waitFor();
    await input().fill('12q');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'a size' }).waitFor();
    await input().fill('40m');
    await page.keyboard.press('Enter');
    await answer(/cpus/, '');
    await vs.row('Containers', 'cmd-web').waitFor({ timeout: UI });
    const id = (await containerId('cmd-web'))!;
    await waitFor(async () => (await client.request('container.inspect', { id })).status === 'running', 10000, 'running');
    const file = cgroupFile(daemon.cgroupParent, id, 'memory', 'memory.limit_in_bytes');
    if (file.includes('/memory/')) assert.equal(fs.readFileSync(file, 'utf8').trim(), String(40 << 20));
    await vs.screenshot('commands-1-run');
  });

  uiTest('Kill, then Restart from the context menu: exited, then running again with a new init', async () => {
    const id = (await containerId('cmd-web'))!;
    const pid = (await client.request('container.inspect', { id })).pid;
    // the menu is the row's as it is drawn: wait until it shows the start (a network to set up first)
    await vs.row('Containers', /cmd-web.*running/).waitFor({ timeout: UI });
    await vs.actUntil(() => vs.contextMenu(vs.row('Containers', 'cmd-web'), 'Kill'), async () => (await client.request('container.inspect', { id })).status === 'exited', 'exited');
    await vs.row('Containers', /cmd-web.*exited/).waitFor({ timeout: UI });
    const running = async () => (await client.request('container.inspect', { id })).status === 'running';
    // the exit refreshes three views at once; a re-render can close the menu before the click lands
    await vs.actUntil(() => vs.contextMenu(vs.row('Containers', 'cmd-web'), 'Restart'), running, 'running again');
    assert.notEqual((await client.request('container.inspect', { id })).pid, pid);
    await vs.row('Containers', /cmd-web.*running/).waitFor({ timeout: UI });
  });

  uiTest('Pause, Unpause, Rename… and Export Container… from the context menu; Prune Stopped Containers… from the view\'s title', async () => {
    assert.equal((await daemon.cli(['run', '-d', '--name', 'cmd-pz', 'host', 'sh', '-c', 'echo made > /made; sleep 600'])).code, 0);
    const id = (await containerId('cmd-pz'))!;
    const detail = () => client.request('container.inspect', { id });
    await vs.row('Containers', /cmd-pz.*running/).waitFor({ timeout: UI });
    await vs.actUntil(() => vs.contextMenu(vs.row('Containers', 'cmd-pz'), 'Pause'), async () => !!(await detail()).paused, 'paused');
    await vs.row('Containers', /cmd-pz.*paused/).waitFor({ timeout: UI });
    // Unpause from the palette offers the paused containers only (cmd-web runs, unpaused)
    await vs.runCommand('nscope: Unpause');
    const choice = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cmd-pz' }).first();
    await choice.waitFor({ timeout: UI });
    assert.match(await choice.innerText(), /paused/);
    assert.equal(await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cmd-web' }).count(), 0, 'a running container is not offered to Unpause');
    await choice.click();
    await waitFor(async () => !(await detail()).paused, 10000, 'unpaused');
    await vs.row('Containers', /cmd-pz.*running/).waitFor({ timeout: UI });
    await vs.contextMenu(vs.row('Containers', 'cmd-pz'), 'Rename…');
    await answer(/Rename cmd-pz/, 'cmd-pz2');
    await vs.row('Containers', 'cmd-pz2').waitFor({ timeout: UI });
    assert.equal((await detail()).name, 'cmd-pz2');
    // running: its filesystem without what is mounted over it
    const tar = path.join(daemon.dir, 'cmd-pz2.tar');
    await vs.contextMenu(vs.row('Containers', 'cmd-pz2'), 'Export Container…');
    await answerFileDialog(page, /Export cmd-pz2/, tar, 'OK', false);
    await waitFor(() => fs.existsSync(tar), UI, 'the exported tar');
    const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n').map((n) => n.replace(/^\.\//, ''));
    assert.ok(names.includes('made') && names.includes('usr/bin/sh'), names.slice(0, 20).join(' '));
    assert.ok(!names.some((n) => /^proc\/./.test(n)), 'not /proc\'s files');
    assert.equal((await daemon.cli(['stop', '-t', '0', 'cmd-pz2'])).code, 0);
    await vs.row('Containers', /cmd-pz2.*exited/).waitFor({ timeout: UI });
    // Remove asks first for a stopped container too: its rw layer goes with it
    const ask = await vs.dialog(() => vs.contextMenu(vs.row('Containers', 'cmd-pz2'), 'Remove'), 'Remove container cmd-pz2?');
    await ask.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached', timeout: UI });
    assert.ok(await containerId('cmd-pz2'), 'kept when the question is cancelled');
    const header = page.locator('.part.sidebar .pane-header', { hasText: 'Containers' }).first();
    await header.hover();
    await header.locator('.action-label[aria-label="Prune Stopped Containers…"]').click();
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Remove' }).first().click();
    await vs.row('Containers', 'cmd-pz2').waitFor({ state: 'detached', timeout: UI });
    assert.ok(await containerId('cmd-web'), 'a running container stays');
  });

  uiTest('Commit to Image, Build Host Image and Import Image show in the images view', async () => {
    await vs.contextMenu(vs.row('Containers', 'cmd-web'), 'Commit to Image');
    await answer(/New image name/, 'cmd-snap:v1');
    await answer(/Message \(optional\)/, 'from the e2e test');
    await vs.row('Images', 'cmd-snap:v1').waitFor({ timeout: UI });
    await vs.runCommand('nscope: Build Host Image');
    await answer(/Image name/, 'tiny');
    await answer(/Programs from this machine/, 'sh echo');
    await vs.row('Images', 'tiny:latest').waitFor({ timeout: UI });
    // an archive exported by the CLI, imported through the command (the file dialog's result passed in)
    const tar = path.join(daemon.dir, 'snap.tar');
    const ex = await daemon.cli(['image', 'export', 'cmd-snap:v1', tar]);
    assert.equal(ex.code, 0, ex.stderr);
    await client.request('image.remove', { ref: 'cmd-snap:v1' });
    await vs.row('Images', 'cmd-snap:v1').waitFor({ state: 'detached', timeout: UI });
    await vs.runCommand('nscope: Import Image');
    // code-server's simple file dialog: type the path and accept
    await page.locator('.quick-input-widget', { hasText: 'Import an image' }).waitFor({ timeout: UI });
    // the dialog fills in its start folder on its own, shortly after opening: type once it has
    await waitFor(async () => (await input().inputValue()).startsWith('/'), UI, 'the file dialog\'s start folder');
    await waitFor(async () => {
      if ((await input().inputValue()) !== tar) await input().fill(tar);
      return (await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'snap.tar' }).count()) > 0 && (await input().inputValue()) === tar;
    }, UI, 'the archive in the file dialog');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Import' }).first().click();
    await vs.row('Images', 'cmd-snap:v1').waitFor({ timeout: UI });
    await vs.screenshot('commands-2-images');
  });

  uiTest('Tag Image… and Save Image… from an image\'s context menu: a new name in the view, a tar that load brings back; Import Image… of a filesystem tarball', async () => {
    await vs.contextMenu(vs.row('Images', 'tiny:latest'), 'Tag Image…');
    await answer(/Another name for it/, 'tiny:v2');
    await vs.row('Images', 'tiny:v2').waitFor({ timeout: UI });
    const tar = path.join(daemon.dir, 'tiny-saved.tar');
    await vs.contextMenu(vs.row('Images', 'tiny:v2'), 'Save Image…');
    // code-server's own save dialog: its button says OK
    await answerFileDialog(page, /Save tiny:v2/, tar, 'OK', false);
    await waitFor(() => fs.existsSync(tar), UI, 'the saved archive');
    const id = (await client.request('image.inspect', { ref: 'tiny:v2' })).id;
    await client.request('image.remove', { ref: 'tiny:v2' });
    const loaded = await daemon.cli(['load', '-i', tar]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'Loaded image: tiny:v2\n');
    assert.equal((await client.request('image.inspect', { ref: 'tiny:v2' })).id, id, 'the same image back');
    // Import Image… of a filesystem tarball (a container's export): asked for a name, an image of one layer
    const flat = path.join(daemon.dir, 'flat.tar');
    assert.equal((await daemon.cli(['create', '--name', 'cmd-flat', 'host', 'true'])).code, 0);
    const ex = await daemon.cli(['export', '-o', flat, 'cmd-flat']);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal((await daemon.cli(['rm', 'cmd-flat'])).code, 0);
    await vs.runCommand('nscope: Import Image');
    await answerFileDialog(page, /Import an image/, flat, 'Import', false);
    await answer(/A filesystem tarball/, 'flat:1');
    await vs.row('Images', 'flat:1').waitFor({ timeout: UI });
    assert.equal((await client.request('image.inspect', { ref: 'flat:1' })).layers.length, 1);
    await vs.screenshot('commands-2b-save');
  });

  uiTest('an image\'s inline Run…, Show Logs from the palette following new lines, Remove, Remove Image', async () => {
    const host = vs.row('Images', 'host:latest');
    await host.hover();
    await host.locator('.action-label[aria-label="Run Container…"]').click();
    // invoked on the image: no image pick, straight to the command
    await answer(/Run Container \(2\/4\)/, 'sh -c \'echo first-line; while [ ! -e /go-on ]; do sleep 0.2; done; echo second-line; sleep 600\'');
    await answer(/Run Container \(3\/4\)/, 'cmd-log');
    await answer(/memory/, '');
    await answer(/cpus/, '');
    await vs.row('Containers', /cmd-log.*running/).waitFor({ timeout: UI });
    await vs.runCommand('nscope: Show Logs');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cmd-log' }).first().click();
    const out = (text: string) => page.locator('.part.panel .monaco-editor .view-lines', { hasText: text }).first();
    await out('first-line').waitFor({ timeout: UI });
    assert.equal(await out('second-line').count(), 0);
    // a line written after the log was opened appears in it: the channel follows the container
    const ex = await daemon.cli(['exec', 'cmd-log', 'sh', '-c', ': > /go-on']);
    assert.equal(ex.code, 0, ex.stderr);
    await out('second-line').waitFor({ timeout: UI });
    await vs.screenshot('commands-3-logs');
    const dialogButton = (label: string) => page.locator('.monaco-dialog-box .monaco-button', { hasText: label }).first();
    await vs.contextMenu(vs.row('Containers', 'cmd-log'), 'Remove');
    await dialogButton('Remove').click(); // it is running: asked first
    await vs.row('Containers', 'cmd-log').waitFor({ state: 'detached', timeout: UI });
    await vs.runCommand('nscope: Remove Image');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'tiny:latest' }).first().click();
    await dialogButton('Remove').click();
    await vs.row('Images', 'tiny:latest').waitFor({ state: 'detached', timeout: UI });
  });

  uiTest('Inspect and Copy ID on an image; Prune Unused Images…: the dangling ones, then every unused one, never one a container uses', async () => {
    const id = (await client.request('image.inspect', { ref: 'flat:1' })).id;
    await vs.contextMenu(vs.row('Images', 'flat:1'), 'Inspect');
    await page.locator('.tabs-container .tab', { hasText: 'flat:1.json' }).first().waitFor({ timeout: UI });
    const lines = page.locator('.editor-instance .monaco-editor:visible .view-lines').first();
    await waitFor(async () => (await lines.innerText()).includes(id), UI, 'the image\'s JSON with its ID');
    await vs.contextMenu(vs.row('Images', 'flat:1'), 'Copy ID');
    await page.locator('.statusbar', { hasText: `copied ${id}` }).first().waitFor({ timeout: UI });
    // a dangling image: an import without a name
    const flat = path.join(daemon.dir, 'flat.tar');
    const im = await daemon.cli(['import', flat]);
    assert.equal(im.code, 0, im.stderr);
    const dangling = im.stdout.trim();
    const ids = async () => (await client.request('image.list', {})).map((i) => i.id);
    assert.ok((await ids()).includes(dangling), `${dangling} listed`);
    const prune = async (button: string, count: RegExp) => {
      const header = page.locator('.part.sidebar .pane-header', { hasText: 'Images' }).first();
      await header.hover();
      await header.locator('.action-label[aria-label="Prune Unused Images…"]').click();
      await page.locator('.monaco-dialog-box', { hasText: count }).waitFor({ timeout: UI });
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: button }).first().click();
    };
    await prune('Dangling Only', /1 dangling/);
    await waitFor(async () => !(await ids()).includes(dangling), UI, 'the dangling image gone');
    assert.ok((await ids()).includes(id), 'a named image stays');
    await prune('All Unused', /0 dangling/);
    await vs.row('Images', 'flat:1').waitFor({ state: 'detached', timeout: UI });
    // cmd-web runs on host: it stays
    await vs.row('Images', 'host:latest').waitFor({ timeout: UI });
    assert.ok((await client.request('image.list', {})).some((i) => i.name === 'host:latest'));
  });

  uiTest('Run Interactive on an image: its console in a terminal, sized to it; its exit code closes it and it is removed; closing the terminal ends another', async () => {
    const before = new Set((await client.request('container.list', { all: true })).map((c) => c.id));
    const mine = async () => (await client.request('container.list', { all: true })).filter((c) => !before.has(c.id));
    const rows = page.locator('.terminal-wrapper.active .xterm-rows');
    const prompt = () => page.waitForFunction(`/[#$]\\s*$/m.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.innerText || '')`, undefined, { timeout: UI });
    await vs.contextMenu(vs.row('Images', 'host:latest'), 'Run Interactive');
    await rows.waitFor({ timeout: UI });
    await prompt();
    const [c] = await mine();
    assert.ok(c && c.status === 'running', 'a new running container');
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').focus();
    await page.keyboard.type('echo made-$((6*7)); stty size\n');
    await rows.filter({ hasText: 'made-42' }).waitFor({ timeout: UI });
    const sizeRe = /^\s*(\d+)\s(\d+)\s*$/m;
    await waitFor(async () => sizeRe.test(await rows.innerText()), UI, '`stty size` output');
    assert.ok(Number(sizeRe.exec(await rows.innerText())![2]) > 80, 'the console has the terminal\'s width');
    await page.keyboard.type('exit 4\n');
    await page.locator('.notifications-toasts', { hasText: 'host:latest exited with code 4' }).waitFor({ timeout: UI });
    await waitFor(async () => !(await mine()).length, UI, 'the container removed once it exited');
    // another: closing its terminal ends it (and it is removed)
    await vs.runCommand('nscope: Run Interactive');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'host:latest' }).first().click();
    await rows.waitFor({ timeout: UI });
    await prompt();
    assert.equal((await mine()).length, 1);
    await vs.runCommand('Terminal: Kill the Active Terminal Instance');
    await waitFor(async () => !(await mine()).length, UI, 'the container gone with its terminal');
  });

  uiTest('the walkthrough: from starting the helper to a shell', async () => {
    await vs.runCommand('Welcome: Open Walkthrough');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with nscope' }).first().click();
    for (const step of ['Start the helper', 'Get an image', 'Run a container', 'Open a shell in it']) {
      await page.locator('.gettingStartedContainer', { hasText: step }).first().waitFor({ timeout: UI });
    }
    await vs.screenshot('commands-4-walkthrough');
  });
});
