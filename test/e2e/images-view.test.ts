// What a user who knows Docker's extension looks for in the Images view and
// the palette: Build Image… with no Containerfile open (the view's title or
// the palette asks for one of the workspace's, as Docker's "Build Image..."
// does; it used to be in the palette only while a Dockerfile was the active
// editor, and nowhere in the view), and Remove Image on an image a container
// uses (the question names the container and offers to remove it anyway,
// instead of an error that says "or use --force", a CLI flag).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code: the Images view\'s Build Image… and Remove Image', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  const uiTest = screenshotOnFailure(test, () => vs);
  const names = async () => (await client.request('image.list', {})).map((i) => i.name);
  /** the open quick pick's row `label`, once shown */
  const pickRow = (label: string) => page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  /** answers Build Image's name box (waiting for its title) with `tag` and waits for the image in the view */
  const buildAs = async (file: string, tag: string) => {
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: `Build Image from ${file}` }).waitFor({ timeout: UI });
    await input.fill(tag);
    await page.keyboard.press('Enter');
    await vs.row('Images', tag).waitFor({ timeout: 120000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nthe helper's images: ${(await names()).join(', ')}`);
    });
  };

  before(async () => {
    daemon = await startWithImage('e2e-images-view');
    client = await daemon.client();
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
    const ws = path.join(vs.tmp, 'workspace');
    for (const [dir, file, text] of [['api', 'Dockerfile', 'api'], ['worker', 'Containerfile', 'worker']]) {
      fs.mkdirSync(path.join(ws, dir));
      fs.writeFileSync(path.join(ws, dir, file), `FROM host\nRUN echo ${text} > /made.txt\nCMD ["cat", "/made.txt"]\n`);
    }
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'images-view-last'), []); });

  uiTest('Build Image… from the palette with no Containerfile open: it asks for one of the workspace\'s', async () => {
    await vs.openNscope(480);
    await vs.row('Images', 'host:latest').waitFor({ timeout: UI });
    // no editor open at all: the palette still offers it (not "Build Host Image…" alone; that one
    // can rank first for the same words, so the row is clicked, not taken with Enter)
    const palette = page.locator('.quick-input-widget .quick-input-box input');
    await vs.pick(async () => {
      await page.keyboard.press('F1');
      await palette.fill('>nscope: Build Image');
    }, 'nscope: Build Image…');
    await pickRow('worker/Containerfile').waitFor({ timeout: UI });
    assert.equal(await pickRow('api/Dockerfile').count(), 1, 'both of the workspace\'s files are offered');
    await pickRow('worker/Containerfile').click();
    await buildAs('Containerfile', 'qa-worker:1');
    const r = await daemon.cli(['run', '--rm', '--network', 'none', 'qa-worker:1']);
    assert.equal(r.stdout, 'worker\n', r.stderr);
  });

  uiTest('Build Image… from the Images view\'s title', async () => {
    const header = page.locator('.part.sidebar .pane-header', { hasText: 'Images' }).first();
    await vs.pick(async () => {
      await header.hover();
      await header.locator('.action-label[aria-label="Build Image…"]').click();
    }, 'api/Dockerfile');
    await buildAs('Dockerfile', 'qa-api:1');
    await vs.screenshot('images-view-1-built');
  });

  uiTest('Remove Image of an image a container uses: the question names it and offers Remove Anyway', async () => {
    const { id } = await client.request('container.create', { image: 'qa-api:1', name: 'qa-user', cmd: ['sleep', '600'] });
    await vs.row('Containers', 'qa-user').waitFor({ timeout: UI });
    const question = 'The image qa-api:1 is used by container qa-user. Remove it anyway?';
    const removeAsking = () => vs.contextMenu(vs.row('Images', 'qa-api:1'), 'Remove Image');
    const ask = await vs.dialog(removeAsking, question);
    const button = (label: string) => ask.locator('.monaco-button', { hasText: label }).first();
    assert.match(await ask.innerText(), /stay, unnamed, until that container is removed/);
    await vs.screenshot('images-view-2-in-use');
    await button('Cancel').click();
    await ask.waitFor({ state: 'detached', timeout: UI });
    assert.ok((await names()).includes('qa-api:1'), 'kept when the question is cancelled');
    await vs.dialog(removeAsking, question);
    await button('Remove Anyway').click();
    await vs.row('Images', 'qa-api:1').waitFor({ state: 'detached', timeout: UI });
    assert.ok(!(await names()).includes('qa-api:1'));
    // the container keeps its image (unnamed now) and still runs from it
    await client.request('container.start', { id });
    assert.equal((await client.request('container.inspect', { id })).status, 'running');
    assert.equal(await page.locator('.notification-list-item-message', { hasText: '--force' }).count(), 0, 'no CLI flag in an error');
    // an image no container uses: the plain question
    const plain = await vs.dialog(() => vs.contextMenu(vs.row('Images', 'qa-worker:1'), 'Remove Image'), 'Remove the image qa-worker:1?');
    await plain.locator('.monaco-button', { hasText: 'Remove' }).first().click();
    await vs.row('Images', 'qa-worker:1').waitFor({ state: 'detached', timeout: UI });
  });
});
