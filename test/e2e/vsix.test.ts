// The packaged extension in a real VS Code: `npm run package`'s .vsix
// installed with `code-server --install-extension` (no checkout, no
// node_modules, no native addon beside it) shows a real helper's container,
// and its walkthrough opens by id — `workbench.action.openWalkthrough` with
// `nscope.nscope#nscope.gettingStarted`, what a "Get Started" link does —
// and its helper step checks itself off when the extension connects.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();
const VSIX = path.join(REPO, 'dist', 'nscope.vsix');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const WALKTHROUGH = `${pkg.publisher}.${pkg.name}#${pkg.contributes.walkthroughs[0].id}`;
const OPEN_WALKTHROUGH_KEY = 'ctrl+alt+shift+w';

describe('the .vsix installed in VS Code (code-server 4.100.3)', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO, stdio: 'pipe', timeout: 120000 });
    daemon = await startWithImage('e2e-vsix');
    const client = await daemon.client();
    const { id } = await client.request('container.create', { image: 'host', name: 'vsix-demo', cmd: ['sleep', '600'], memory: '64m' });
    await client.request('container.start', { id });
    vs = await VsCode.start({
      extensionDir: REPO, vsix: VSIX, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket },
      keybindings: [{ key: OPEN_WALKTHROUGH_KEY, command: 'workbench.action.openWalkthrough', args: WALKTHROUGH }],
    });
  });

  after(async () => {
    assert.deepEqual(await endSuite(vs, daemon, 'vsix-last'), []);
  });

  uiTest(`the walkthrough ${WALKTHROUGH} opens, its first step done once connected`, async () => {
    const page = vs.page;
    // opened before the nscope view: as on a first run, the helper step is not done yet when the walkthrough comes up.
    // The activity-bar icon says the extension's contributions, the walkthrough among them, are registered.
    await page.locator('.part.activitybar [aria-label^="nscope"]').first().waitFor({ timeout: UI });
    await page.locator('.part.editor').click();
    await page.keyboard.press('Control+Alt+Shift+W');
    const walkthrough = page.locator('.gettingStartedContainer', { hasText: pkg.contributes.walkthroughs[0].title }).first();
    await walkthrough.waitFor({ timeout: UI });
    const steps = pkg.contributes.walkthroughs[0].steps as { id: string; title: string }[];
    for (const s of steps) await walkthrough.locator(`button.getting-started-step[data-step-id$="#${s.id}"]`, { hasText: s.title }).waitFor({ timeout: UI });
    await vs.screenshot('vsix-walkthrough');
    // opening the view activates the extension; it connects: completionEvents onContext:nscope.state == connected
    await vs.openNscope(560);
    await walkthrough.locator(`button.getting-started-step[aria-checked="true"][data-step-id$="#${steps[0].id}"]`).waitFor({ timeout: UI });
  });

  uiTest('installed from the .vsix alone, it lists the helper\'s container', async () => {
    const installed = path.join(vs.tmp, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'unpacked from the .vsix, not linked to the checkout');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'extension.js')));
    assert.ok(!fs.existsSync(path.join(installed, 'node_modules')) && !fs.existsSync(path.join(installed, 'build')));
    if (!(await vs.pane('Containers').count())) await vs.openNscope(560);
    const row = vs.row('Containers', 'vsix-demo');
    await row.waitFor({ timeout: UI });
    assert.match(await row.innerText(), /host:latest · running/);
    await vs.page.locator('.part.statusbar .statusbar-item[aria-label="nscope connected"]').waitFor({ timeout: UI });
  });
});
