// Networks and volumes in a real VS Code (code-server + headless Chromium)
// against a real helper. Whatever the helper has: a running container's
// Network node lists the interfaces of its network namespace and its Volumes
// node says what is mounted, without an error anywhere. With the helper's
// networking: a container run with `-p 127.0.0.1:PORT:80` shows its address
// and the port, whose inline "Open in Browser" opens http://127.0.0.1:PORT/,
// and the Networks view lists the default network. With its volumes: the
// Volumes view lists a volume the test creates. A helper that answers
// network.list or volume.list with "not implemented yet" skips those tests,
// saying so, and its two views show a quiet message instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, freePort, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();

describe('VS Code: a container\'s Network and Volumes, the Networks and Volumes views', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  let port = 0;
  let id = '';
  /** why the helper cannot do networks / volumes yet (its daemon side lands separately), or undefined */
  let noNetworks: string | undefined;
  let noVolumes: string | undefined;
  const uiTest = screenshotOnFailure(test, () => vs);
  const pendingTest = (why: () => string | undefined) => screenshotOnFailure((name, fn) => test(name, async (t) => {
    const reason = why();
    if (reason) { t.skip(reason); return; }
    await fn();
  }), () => vs);
  const netTest = pendingTest(() => noNetworks);
  const volTest = pendingTest(() => noVolumes);
  /** a row by the start of its accessible name (label, a space, its description) */
  const named = (view: string, label: string) => vs.pane(view).locator(`.monaco-list-row[aria-label^="${label} "]`).first();
  const header = (view: string) => page.locator('.part.sidebar .pane-header', { hasText: view }).first();
  const expandPane = async (view: string) => {
    if ((await header(view).getAttribute('aria-expanded')) !== 'true') await header(view).click();
  };
  const errorToasts = () => page.locator('.notifications-toasts .notification-toast', { hasText: 'nscope' }).count();

  before(async () => {
    daemon = await startWithImage('e2e-netui');
    client = await daemon.client();
    noNetworks = await notYet(() => client.request('network.list', {}));
    noVolumes = await notYet(() => client.request('volume.list', {}));
    port = await freePort();
    ({ id } = await client.request('container.create', {
      image: 'host', name: 'e2e-web', cmd: ['sleep', '600'],
      ...(noNetworks ? {} : { publish: [`127.0.0.1:${port}:80`] }),
    }));
    await client.request('container.start', { id });
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
    await vs.openNscope(560);
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'network-view-last'), []); });

  uiTest('a running container has a Network node (its netns\'s interfaces, lo first) and a Volumes node, quietly', async () => {
    await named('Containers', 'e2e-web').click();
    const network = vs.row('Containers', /^\s*Network/);
    await network.waitFor({ timeout: UI });
    await network.click();
    // what the kernel lists in the container's network namespace, read through kernel.read
    await named('Containers', 'lo').waitFor({ timeout: UI });
    // and its kernel source is that file, as the kernel has it for the container's netns
    await vs.contextMenu(named('Containers', 'lo'), 'Reveal Kernel Source');
    await page.locator('.tabs-container .tab', { hasText: /^\s*dev\b/ }).first().waitFor({ timeout: UI });
    await waitFor(async () => /^\s*lo:/m.test(await page.locator('.editor-instance .monaco-editor:visible .view-lines').first().innerText()), UI, 'net/dev in the editor');
    await vs.runCommand('View: Close All Editors');
    await vs.row('Containers', /^\s*Volumes/).click();
    await vs.screenshot('network-view-1-container');
    if (noVolumes) await vs.row('Containers', 'no volumes or bind mounts').waitFor({ timeout: UI });
    await vs.row('Containers', /^\s*Volumes/).click(); // collapse again
    assert.equal(await errorToasts(), 0, 'no error on refresh');
  });

  uiTest('the Networks and Volumes views: listed, or a quiet message where the helper has none yet', async () => {
    await expandPane('Networks');
    await expandPane('Volumes');
    if (noNetworks) await vs.pane('Networks').locator('.welcome-view-content', { hasText: 'no networking yet' }).waitFor({ timeout: UI });
    if (noVolumes) await vs.pane('Volumes').locator('.welcome-view-content', { hasText: 'no named volumes yet' }).waitFor({ timeout: UI });
    // and nothing offers to make what the helper cannot (the title follows the context key a moment later)
    await header('Volumes').hover();
    if (noNetworks) await header('Networks').locator('.action-label[aria-label="Create Network…"]').waitFor({ state: 'detached', timeout: UI });
    if (noVolumes) await header('Volumes').locator('.action-label[aria-label="Create Volume…"]').waitFor({ state: 'detached', timeout: UI });
    await vs.screenshot('network-view-2-views');
    assert.equal(await errorToasts(), 0, 'no error on refresh');
  });

  netTest('the Network node shows the address and the published port; Open in Browser opens it', async () => {
    const d = await client.request('container.inspect', { id });
    const eth = d.networks?.[0];
    assert.ok(eth, 'the container is on a network');
    const address = eth.address.replace(/\/\d+$/, '');
    await waitFor(async () => ((await vs.row('Containers', /^\s*Network/).innerText()).includes(address)), UI, `the Network row to show ${address}`);
    await named('Containers', eth.ifname).waitFor({ timeout: UI });
    assert.match(await named('Containers', eth.ifname).getAttribute('aria-label') ?? '', new RegExp(eth.address.replace(/\./g, '\\.')));
    const row = named('Containers', `127.0.0.1:${port} → 80/tcp`);
    await row.waitFor({ timeout: UI });
    // openExternal ends in window.open in the browser: catch the URL instead of opening a tab
    await page.evaluate('(() => { window.__nscopeOpened = []; window.open = (u) => { window.__nscopeOpened.push(String(u)); return null; }; })()');
    await vs.screenshot('network-view-3-port'); // (it moves the mouse away: hover after it)
    await row.hover();
    const open = row.locator('.action-label[aria-label="Open in Browser"]');
    await open.waitFor({ timeout: UI });
    await open.click();
    // code-server may route localhost through its own port proxy (/proxy/PORT/): either way, this port
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    await waitFor(async () => {
      if (await confirm.count()) await confirm.first().click();
      const opened = await page.evaluate<string[]>('window.__nscopeOpened');
      return opened.some((u) => u.includes(`127.0.0.1:${port}/`) || u.includes(`/proxy/${port}/`));
    }, UI, `Open in Browser to open http://127.0.0.1:${port}/`);
  });

  netTest('the Networks view lists the default network with the container attached', async () => {
    await expandPane('Networks');
    const def = (await client.request('network.list', {})).find((n) => n.isDefault)!;
    const row = named('Networks', def.name);
    await row.waitFor({ timeout: UI });
    assert.match(await row.getAttribute('aria-label') ?? '', /default/);
    await row.click();
    await named('Networks', 'e2e-web').waitFor({ timeout: UI });
    await vs.screenshot('network-view-4-networks');
  });

  volTest('the Volumes view lists a volume the moment it is created', async () => {
    await expandPane('Volumes');
    await client.request('volume.create', { name: 'e2e-vol' });
    // the volume.created event refreshes the view: no polling, no refresh button
    await named('Volumes', 'e2e-vol').waitFor({ timeout: UI });
    await vs.screenshot('network-view-5-volumes');
  });

  /** the JSON of an Inspect tab (the editor that shows `tab`), once it has `text` */
  const inspected = async (tab: string, text: RegExp) => {
    await page.locator('.tabs-container .tab', { hasText: tab }).first().waitFor({ timeout: UI });
    const lines = page.locator('.editor-instance .monaco-editor:visible .view-lines').first();
    await waitFor(async () => text.test((await lines.innerText()).replace(/\u00a0/g, ' ')), UI, `${tab} to show ${text}`);
  };

  volTest('Inspect on a volume: the helper\'s description as JSON', async () => {
    await expandPane('Volumes');
    await vs.contextMenu(named('Volumes', 'e2e-vol'), 'Inspect');
    await inspected('e2e-vol.json', /"name":\s*"e2e-vol"/);
  });

  netTest('Inspect and Copy ID on a network; Prune Unused Networks… from the title removes the unused one only', async () => {
    await expandPane('Networks');
    await client.request('network.create', { name: 'e2e-unused' });
    const net = (await client.request('network.list', {})).find((n) => n.name === 'e2e-unused')!;
    await named('Networks', 'e2e-unused').waitFor({ timeout: UI });
    await vs.contextMenu(named('Networks', 'e2e-unused'), 'Inspect');
    await inspected('e2e-unused.json', new RegExp(`"subnet":\\s*"${net.subnet.replace(/\./g, '\\.')}"`));
    await vs.contextMenu(named('Networks', 'e2e-unused'), 'Copy ID');
    await page.locator('.statusbar', { hasText: `copied ${net.id}` }).first().waitFor({ timeout: UI });
    await header('Networks').hover();
    await header('Networks').locator('.action-label[aria-label="Prune Unused Networks…"]').click();
    await page.locator('.monaco-dialog-box', { hasText: 'e2e-unused' }).waitFor({ timeout: UI });
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Remove' }).first().click();
    await named('Networks', 'e2e-unused').waitFor({ state: 'detached', timeout: UI });
    // the default network (with the container on it) stays
    const left = await client.request('network.list', {});
    assert.ok(left.some((n) => n.isDefault) && !left.some((n) => n.name === 'e2e-unused'), left.map((n) => n.name).join(' '));
  });
});

/** The helper's "not implemented yet" for an area it does not have, as a skip reason; undefined when it answers. */
async function notYet(probe: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/not implemented/.test(msg)) return `the helper does not have it yet: ${msg}`;
    throw e;
  }
}
