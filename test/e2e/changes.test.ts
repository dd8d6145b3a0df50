// Changes in a real VS Code (code-server + headless Chromium) against a real
// helper: a container that added, changed and deleted files shows them under
// its Changes node with A/M/D decorations; opening the changed file shows the
// diff editor with the image's text on the left and the container's on the
// right (nscope-image: and nscope-container: URIs); a layer's own changes
// open the layer's version of a file; a file written while the Changes node
// is open appears by itself (the helper's container.changed event).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { ExecStream } from '../helpers/exec';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();
const NEW_LINE = 'web:x:1000:1000::/home/web:/bin/sh';

describe('VS Code extension: changes and diffs', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let id: string;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-changes');
    client = await daemon.client();
    const script = `echo '${NEW_LINE}' >> /etc/passwd; echo hello > /new.txt; rm /etc/group; echo ready; sleep 600`;
    ({ id } = await client.request('container.create', { image: 'host', name: 'e2e-diff', cmd: ['sh', '-c', script] }));
    await client.request('container.start', { id });
    await waitFor(async () => (await client.request('container.diff', { id })).changes.some((c) => c.path === '/etc/group'), 10000, 'the container\'s writes');
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket, 'diffEditor.renderSideBySide': true, 'diffEditor.useInlineViewWhenSpaceIsLimited': false } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'changes-last'), []); });

  uiTest('the Changes of a container: added, changed and deleted files with their decorations', async () => {
    await vs.openNscope(440);
    await vs.row('Containers', 'e2e-diff').click();
    await vs.row('Containers', 'Changes').click();
    const rows = { '/etc/passwd': 'M', '/new.txt': 'A', '/etc/group': 'D' };
    for (const [p, badge] of Object.entries(rows)) {
      const label = new RegExp(`^${path.basename(p).replace('.', '\\.')}\\s*${path.dirname(p) === '/' ? '/' : `${path.dirname(p)}/`}`);
      await vs.row('Containers', label).waitFor({ timeout: UI });
      // the badge letter and the label's colour are git's (decorations.ts)
      await vs.waitForBadge('Containers', label, badge);
    }
  });

  uiTest('a file the container writes while its Changes are open appears without a refresh (container.changed)', async () => {
    const exec = await ExecStream.open(daemon.socket, { id, cmd: ['sh', '-c', 'mkdir /live && echo live > /live/written.txt'] });
    await exec.ended;
    // no lifecycle event, no refresh button: only the helper's container.changed reloads the Changes node
    await vs.row('Containers', /^written\.txt\s*\/live\//).waitFor({ timeout: 10000 });
  });

  uiTest('opening a changed file shows the diff editor, the image\'s text left and the container\'s right', async () => {
    await vs.row('Containers', /^passwd/).click();
    const diff = page.locator('.monaco-diff-editor:visible').first();
    await diff.waitFor({ timeout: UI });
    const original = diff.locator('.editor.original .view-lines').first();
    const modified = diff.locator('.editor.modified .view-lines').first();
    const text = async (l: typeof original) => (await l.innerText()).replace(/\u00a0/g, ' ');
    await waitFor(async () => (await text(modified)).includes(NEW_LINE), UI, 'the container\'s version on the right');
    assert.match(await text(original), /nobody:x:65534/);
    assert.ok(!(await text(original)).includes(NEW_LINE), 'the image\'s version has no new line');
    assert.match(await text(modified), /nobody:x:65534/);
    await page.locator('.tabs-container .tab', { hasText: 'passwd (e2e-diff: image ↔ container)' }).first().waitFor();
    // the right side is nscope-container:/ID/etc/passwd, so the breadcrumbs start with the container's id
    await page.locator('.breadcrumbs-control', { hasText: new RegExp(`${id}\\W*etc\\W*passwd`) }).first().waitFor();
    // the open container side follows the container's writes (container.changed → onDidChangeFile)
    const w = await daemon.cli(['exec', id, 'sh', '-c', 'echo live:x:4242:4242::/:/bin/sh >> /etc/passwd']);
    assert.equal(w.code, 0, w.stderr);
    await waitFor(async () => (await text(modified)).includes('live:x:4242'), UI, 'the new line in the open editor');
    await vs.screenshot('changes-1-diff');
    if (process.env.NSCOPE_E2E_UPDATE_MEDIA === '1') fs.copyFileSync(path.join(E2E_OUT, 'changes-1-diff.png'), path.join(REPO, 'media', 'screenshot-diff.png'));

    // an added file: an empty left side; a deleted one: an empty right side
    const visible = (side: string) => page.locator(`.monaco-diff-editor:visible .editor.${side} .view-lines`).first();
    await vs.row('Containers', /^new\.txt/).click();
    await page.locator('.tabs-container .tab', { hasText: 'new.txt (e2e-diff: image ↔ container)' }).first().waitFor({ timeout: UI });
    await waitFor(async () => (await text(visible('modified'))).includes('hello'), UI, 'hello on the right');
    assert.equal((await text(visible('original'))).trim(), '');
    await vs.row('Containers', /^group/).click();
    await page.locator('.tabs-container .tab', { hasText: 'group (e2e-diff: image ↔ container)' }).first().waitFor({ timeout: UI });
    await waitFor(async () => (await text(visible('original'))).includes('root:x:0:'), UI, 'the image\'s /etc/group on the left');
    assert.equal((await text(visible('modified'))).trim(), '');
  });

  uiTest('a layer\'s own changes, and the layer\'s version of a file in a read-only editor', async () => {
    await vs.row('Containers', 'e2e-diff').click(); // collapse, to make room
    await vs.row('Images', 'host:latest').click();
    const layer = vs.row('Images', /^layer 0/);
    await layer.click();
    await vs.row('Images', /^bin/).waitFor({ timeout: UI });
    // type navigation focuses the row (the list is virtual: it may be below the fold), Enter runs its command
    await page.keyboard.type('passwd');
    await vs.row('Images', /^passwd/).waitFor({ timeout: UI });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'passwd (host:latest layer 0)' }).first().waitFor({ timeout: UI });
    // nscope-image:/host:latest/etc/passwd?layer=0
    await page.locator('.breadcrumbs-control', { hasText: /host:latest\W*etc\W*passwd/ }).first().waitFor({ timeout: UI });
    const lines = page.locator('.editor-instance .monaco-editor:visible .view-lines').first();
    await waitFor(async () => /root:x:0:0/.test((await lines.innerText()).replace(/\u00a0/g, ' ')), UI, 'the layer\'s /etc/passwd');
    assert.ok(!(await lines.innerText()).includes('web:x:1000'));
    await vs.screenshot('changes-2-layer');
  });

  uiTest('Inspect: the container as JSON in a read-only editor; Show Logs: its output', async () => {
    await vs.contextMenu(vs.row('Containers', 'e2e-diff'), 'Inspect');
    await page.locator('.tabs-container .tab', { hasText: 'e2e-diff.json' }).first().waitFor({ timeout: UI });
    const lines = page.locator('.editor-instance .monaco-editor:visible .view-lines').first();
    await waitFor(async () => /"name":\s*"e2e-diff"/.test((await lines.innerText()).replace(/\u00a0/g, ' ')), UI, 'the inspect JSON');
    await vs.contextMenu(vs.row('Containers', 'e2e-diff'), 'Show Logs');
    await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'ready' }).first().waitFor({ timeout: UI });
  });
});
