// The Containerfile language server in a real VS Code (code-server +
// Chromium): a Containerfile with a mistyped instruction and a FROM of an
// image the helper does not have gets its diagnostics in the Problems panel,
// from the server the extension starts (dist/language-server.js) and the
// local images it asks the helper for. Build Image… on a two-stage Dockerfile:
// the image is selected, its layer's tooltip names the line that made it, and
// the Open Containerfile Line action and a click on the layer's history open it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code: the Containerfile language server, and Build Image', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-language');
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'language-last'), []); });

  uiTest('diagnostics for a bad instruction and an image that is not local, in the Problems panel', async () => {
    const file = path.join(vs.tmp, 'workspace', 'Containerfile');
    fs.writeFileSync(file, 'FROM host AS build\nRUNN echo typo\nFROM nosuchimage:1\nCOPY --from=build /bin/sh /sh\n');
    const page = vs.page;
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('Containerfile');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Containerfile' }).first().waitFor({ timeout: UI });
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'Containerfile' }).waitFor({ timeout: UI });
    // the squiggle under the mistyped instruction
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: UI });
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.locator('.monaco-list-row', { hasText: 'unknown instruction "RUNN": did you mean RUN?' }).first().waitFor({ timeout: UI });
    // `host` is local (the helper said so): only the other FROM is reported
    await problems.locator('.monaco-list-row', { hasText: '"nosuchimage:1" is not a local image' }).first().waitFor({ timeout: UI });
    assert.equal(await problems.locator('.monaco-list-row', { hasText: '"host" is not a local image' }).count(), 0);
    await vs.screenshot('language-1-problems');
  });

  uiTest('Build Image… from the Explorer on a two-stage Dockerfile: the image is selected in the Images view and runs', async () => {
    const page = vs.page;
    fs.writeFileSync(path.join(vs.tmp, 'workspace', 'Dockerfile'), 'FROM host AS build\nRUN echo built-in-stage-one > /made.txt\nFROM host\nCOPY --from=build /made.txt /made.txt\nCMD ["cat", "/made.txt"]\n');
    await page.keyboard.press('Control+Shift+E');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Dockerfile$/ }).first();
    await row.waitFor({ timeout: UI });
    await vs.contextMenu(row, 'Build Image…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: /Build Image from Dockerfile/ }).waitFor({ timeout: UI });
    await input.fill('e2e-built:1');
    await page.keyboard.press('Enter');
    // selected in the Images view once built
    const built = vs.row('Images', 'e2e-built:1');
    await built.waitFor({ timeout: 120000 }).catch(async (e: Error) => {
      const r = await daemon.cli(['images']);
      throw new Error(`${e.message}\nthe helper's images:\n${r.stdout}${r.stderr}`);
    });
    await waitFor(async () => (await built.getAttribute('aria-selected')) === 'true', UI, 'the new image selected');
    const r = await daemon.cli(['run', '--rm', '--network', 'none', 'e2e-built:1']);
    assert.equal(r.stdout, 'built-in-stage-one\n', r.stderr);
    // its layers name the line that made them; the inline action opens it
    // (label and description run together in the row's text: "layer 1" then the 12-digit id)
    const layer = vs.row('Images', /^layer 1[0-9a-f]{12}\s/);
    if (!(await layer.isVisible())) await built.click();
    await layer.waitFor({ timeout: UI });
    await layer.hover();
    await layer.locator('.action-label[aria-label="Open Containerfile Line"]').click();
    await page.locator('.tab.active', { hasText: 'Dockerfile' }).waitFor({ timeout: UI });
    await page.locator('.statusbar-item', { hasText: /Ln 4, Col 1/ }).first().waitFor({ timeout: UI });
    // its tooltip names the line: hovered on its label, away from the action
    await layer.locator('.label-name').hover();
    await page.locator('.monaco-hover, .workbench-hover', { hasText: 'made by Dockerfile line 4' }).first().waitFor({ timeout: UI });
    // and its history, first among its children, opens the line on a click
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.locator('.statusbar-item', { hasText: /Ln 1, Col 1/ }).first().waitFor({ timeout: UI });
    await layer.click();
    const history = vs.row('Images', /^made by Dockerfile line 4/);
    await history.waitFor({ timeout: UI });
    assert.match(await history.innerText(), /COPY --from=build/);
    await history.click();
    await page.locator('.statusbar-item', { hasText: /Ln 4, Col 1/ }).first().waitFor({ timeout: UI });
    await vs.screenshot('language-2-built');
  });

  uiTest('Build Image… from the editor\'s title: a rebuild (from the cache, done in milliseconds) is selected under its new name', async () => {
    const page = vs.page;
    // the Dockerfile is the active editor (the last test opened its line)
    await page.locator('.tab.active', { hasText: 'Dockerfile' }).waitFor({ timeout: UI });
    // e2e-built:1 collapsed: the new image's row, below it, in sight of the small Images pane
    await vs.row('Images', /^e2e-built:1/).click();
    await vs.row('Images', /^layer 1/).waitFor({ state: 'detached', timeout: UI });
    await page.locator('.editor-actions .action-label[aria-label="Build Image…"]').first().click();
    await page.locator('.quick-input-widget', { hasText: /Build Image from Dockerfile/ }).waitFor({ timeout: UI });
    await page.locator('.quick-input-widget .quick-input-box input').fill('e2e-built:2');
    await page.keyboard.press('Enter');
    const built = vs.row('Images', 'e2e-built:2');
    await built.waitFor({ timeout: 120000 });
    await waitFor(async () => (await built.getAttribute('aria-selected')) === 'true', UI, 'the new image selected');
    // its progress went to the output channel
    await page.locator('.part.panel .view-lines', { hasText: 'Successfully tagged e2e-built:2' }).first().waitFor({ timeout: UI });
  });
});
