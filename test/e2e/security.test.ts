// The Security node in a real VS Code (code-server + headless Chromium)
// against a real helper: a default container shows a shield, its 14
// capabilities, seccomp in filter mode, NoNewPrivs and the host's user
// namespace, and "Reveal Kernel Source" on Seccomp opens its init's
// /proc/PID/status as the kernel has it; an unconfined one with
// --cap-add SYS_ADMIN shows a warning, seccomp disabled and that capability;
// a --userns=auto one shows its uid and gid maps.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code extension: a container\'s Security node', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let pid: number;
  const uiTest = screenshotOnFailure(test, () => vs);
  /** a row by its whole accessible name: label and description, as getTreeItem writes it */
  const exact = (name: string) => vs.pane('Containers').locator(`.monaco-list-row[aria-label="${name}"]`).first();
  /** a row by the start of its accessible name */
  const named = (label: string) => vs.pane('Containers').locator(`.monaco-list-row[aria-label^="${label} "]`).first();
  const editorText = async () => (await page.locator('.editor-instance .monaco-editor:visible .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

  before(async () => {
    daemon = await startWithImage('e2e-security');
    client = await daemon.client();
    const run = async (name: string, extra: object) => {
      const { id } = await client.request('container.create', { image: 'host', name, cmd: ['sleep', '600'], ...extra });
      await client.request('container.start', { id });
      return (await client.request('container.inspect', { id })).pid!;
    };
    pid = await run('e2e-sec', {});
    await run('e2e-sec-open', { securityOpt: ['seccomp=unconfined'], capAdd: ['SYS_ADMIN'] });
    await run('e2e-sec-userns', { userns: 'auto' });
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'security-last'), []); });

  uiTest('a default container: shield, 14 capabilities, seccomp filter, NoNewPrivs, host user namespace', async () => {
    await vs.openNscope(520);
    await named('e2e-sec').click();
    const security = named('Security');
    await security.waitFor({ timeout: UI });
    assert.equal(await security.getAttribute('aria-label'), 'Security seccomp default · 14 capabilities · no_new_privs');
    assert.equal(await security.locator('.codicon-shield').count(), 1, 'a confined container has the shield icon');
    await security.click();
    await exact('Capabilities 14 capabilities').waitFor({ timeout: UI });
    await exact('Seccomp default profile · filter (2)').waitFor({ timeout: UI });
    await exact('NoNewPrivs 1 · set').waitFor({ timeout: UI });
    await exact('User namespace host (none)').waitFor({ timeout: UI });
    await vs.screenshot('security-1-default');
  });

  uiTest('Reveal Kernel Source on Seccomp: the init\'s /proc/PID/status, read-only, as the kernel has it', async () => {
    await vs.contextMenu(exact('Seccomp default profile · filter (2)'), 'Reveal Kernel Source');
    await page.locator('.tabs-container .tab', { hasText: /^\s*status\b/ }).first().waitFor({ timeout: UI });
    await page.locator('.breadcrumbs-control', { hasText: new RegExp(`proc\\W*${pid}\\W*status`) }).first().waitFor({ timeout: UI });
    await waitFor(async () => new RegExp(`^Pid:\\s+${pid}$`, 'm').test(await editorText()), UI, `/proc/${pid}/status in the editor`);
    // Seccomp is near the end of the file: go there
    await page.locator('.editor-instance .monaco-editor:visible textarea').first().focus();
    await page.keyboard.press('Control+End');
    await waitFor(async () => /^Seccomp:\s+2$/m.test(await editorText()), UI, 'the Seccomp: 2 line');
    const want = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^NoNewPrivs:\s+(\d)$/m)![1];
    assert.match(await editorText(), new RegExp(`^NoNewPrivs:\\s+${want}$`, 'm'));
    await vs.screenshot('security-2-status');
  });

  uiTest('seccomp=unconfined and --cap-add SYS_ADMIN: a warning, seccomp disabled, the added capability', async () => {
    await named('Security').click(); // collapse the first container's, to make room
    await named('e2e-sec').click();
    await named('e2e-sec-open').click();
    const security = named('Security');
    await security.waitFor({ timeout: UI });
    assert.equal(await security.getAttribute('aria-label'), 'Security no seccomp · 15 capabilities · no_new_privs');
    assert.equal(await security.locator('.codicon-warning').count(), 1, 'an unconfined container has the warning icon');
    await security.click();
    const seccomp = exact('Seccomp unconfined · disabled (0)');
    await seccomp.waitFor({ timeout: UI });
    assert.equal(await seccomp.locator('.codicon-unlock').count(), 1);
    await exact('Capabilities 15 capabilities').click();
    await exact('CAP_SYS_ADMIN').waitFor({ timeout: UI });
    await vs.screenshot('security-3-unconfined');
  });

  uiTest('--userns=auto: the User namespace item shows its uid and gid maps, as the kernel has them', async () => {
    const info = await client.request('container.inspect', { id: 'e2e-sec-userns' });
    const map = (m: { containerID: number; hostID: number; size: number }[]) => m.map((r) => `${r.containerID}→${r.hostID} ×${r.size}`).join(', ');
    const label = `User namespace uid ${map(info.security!.userns!.uidMap)} · gid ${map(info.security!.userns!.gidMap)}`;
    for (const open of ['Capabilities 15 capabilities', 'Security', 'e2e-sec-open']) {
      const row = open.includes(' ') ? exact(open) : named(open);
      if (await row.count()) await row.click(); // collapse what the last test opened, to make room
    }
    await named('e2e-sec-userns').click();
    await named('Security').click();
    await exact(label).waitFor({ timeout: UI });
    await vs.screenshot('security-4-userns');
  });
});
