// The network and volume views against the protocol's contract, before the
// helper has the daemon side: a real helper and a real running container,
// behind a stand-in (test/helpers/network-stand-in.ts) that answers
// network.* and volume.* and completes container.inspect with a network, a
// published port and two mounts. What it checks is the extension's side
// only: the rows, their descriptions, the inline actions and that a
// volume.created event refreshes the Volumes view. network-view.test.ts
// checks the same against the real helper once it has networking.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { NetworkStandIn } from '../helpers/network-stand-in';
import { E2E_OUT, e2eUnavailable, endSuite, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();
const PORT = 18080;

describe('VS Code: networks and volumes against the contract (a stand-in helper)', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let standIn: NetworkStandIn;
  let vs: VsCode;
  let page: Page;
  const uiTest = screenshotOnFailure(test, () => vs);
  const named = (view: string, label: string) => vs.pane(view).locator(`.monaco-list-row[aria-label^="${label} "]`).first();
  const exact = (view: string, name: string) => vs.pane(view).locator(`.monaco-list-row[aria-label="${name}"]`).first();
  const header = (view: string) => page.locator('.part.sidebar .pane-header', { hasText: view }).first();

  before(async () => {
    daemon = await startWithImage('e2e-netstand');
    client = await daemon.client();
    const { id } = await client.request('container.create', { image: 'host', name: 'e2e-web', cmd: ['sleep', '600'] });
    await client.request('container.start', { id });
    const created = new Date().toISOString();
    standIn = new NetworkStandIn(path.join(daemon.dir, 'stand-in.sock'), daemon.socket, {
      networks: [
        { name: 'nscope', id: 'a'.repeat(64), driver: 'bridge', subnet: '10.88.0.0/16', gateway: '10.88.0.1', bridge: 'nscope0', created, isDefault: true, containers: [id], conflist: {},
          endpoints: [{ container: id, containerName: 'e2e-web', ifname: 'eth0', address: '10.88.0.5/16', hostVeth: 'veth1a2b3c4d' }] },
        { name: 'backend', id: 'b'.repeat(64), driver: 'bridge', subnet: '10.89.0.0/24', gateway: '10.89.0.1', bridge: 'nscope1', created, isDefault: false, containers: [], conflist: {}, endpoints: [] },
      ],
      volumes: [{ name: 'data', driver: 'local', mountpoint: '/var/lib/nscope/volumes/data/_data', created, labels: {}, anonymous: false, users: ['e2e-web'], size: 4096 }],
      containers: {
        [id]: {
          networks: [{ network: 'nscope', ifname: 'eth0', address: '10.88.0.5/16', gateway: '10.88.0.1', hostVeth: 'veth1a2b3c4d', bridge: 'nscope0', aliases: [] }],
          ports: [{ hostIp: '127.0.0.1', hostPort: PORT, containerPort: 80, protocol: 'tcp' }, { hostPort: 5353, containerPort: 53, protocol: 'udp' }],
          mounts: [
            { type: 'volume', name: 'data', source: '/var/lib/nscope/volumes/data/_data', destination: '/data', readOnly: false },
            { type: 'bind', source: '/srv/www', destination: '/www', readOnly: true },
          ],
        },
      },
    });
    await standIn.start();
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': standIn.socket } });
    page = vs.page;
    await vs.openNscope(560);
  });

  after(async () => {
    const leaks = await endSuite(vs, undefined, 'network-stand-in-last');
    standIn?.close();
    assert.deepEqual([...leaks, ...(daemon ? await daemon.cleanup() : [])], []);
  });

  uiTest('Network: the address, the interface with its veth and bridge, the ports with Open in Browser and Copy Address', async () => {
    await named('Containers', 'e2e-web').click();
    const network = exact('Containers', 'Network 10.88.0.5 · 2 published ports');
    await network.waitFor({ timeout: UI });
    await network.click();
    await named('Containers', 'lo').waitFor({ timeout: UI }); // the real netns, through kernel.read
    const eth0 = named('Containers', 'eth0');
    assert.match(await eth0.getAttribute('aria-label') ?? '', /^eth0 10\.88\.0\.5\/16 · network nscope/);
    await eth0.click();
    await exact('Containers', 'veth1a2b3c4d host side of eth0\'s veth pair · on nscope0').waitFor({ timeout: UI });
    await exact('Containers', 'nscope0 bridge of network nscope · gateway 10.88.0.1').waitFor({ timeout: UI });
    const tcp = exact('Containers', `127.0.0.1:${PORT} → 80/tcp http://127.0.0.1:${PORT}/`);
    const udp = exact('Containers', '*:5353 → 53/udp udp');
    await tcp.waitFor({ timeout: UI });
    await udp.waitFor({ timeout: UI });
    // Open in Browser on TCP only; Copy Address on both
    await udp.hover();
    await udp.locator('.action-label[aria-label="Copy Address"]').waitFor({ timeout: UI });
    assert.equal(await udp.locator('.action-label[aria-label="Open in Browser"]').count(), 0);
    await page.evaluate('(() => { window.__nscopeOpened = []; window.open = (u) => { window.__nscopeOpened.push(String(u)); return null; }; })()');
    await vs.screenshot('network-stand-in-1-network'); // (it moves the mouse away: hover after it)
    await tcp.hover();
    await tcp.locator('.action-label[aria-label="Open in Browser"]').click();
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    await waitFor(async () => {
      if (await confirm.count()) await confirm.first().click();
      const opened = await page.evaluate<string[]>('window.__nscopeOpened');
      return opened.some((u) => u.includes(`127.0.0.1:${PORT}/`) || u.includes(`/proxy/${PORT}/`));
    }, UI, `Open in Browser to open http://127.0.0.1:${PORT}/`);
    await network.click(); // collapse
  });

  uiTest('Volumes: each mount as source → destination, read-only marked', async () => {
    const vols = exact('Containers', 'Volumes 2 mounts');
    await vols.click();
    await exact('Containers', 'data → /data volume').waitFor({ timeout: UI });
    await exact('Containers', '/srv/www → /www bind · ro').waitFor({ timeout: UI });
    await vs.screenshot('network-stand-in-2-volumes');
    await vols.click();
  });

  uiTest('the Networks view: the default network first and marked, its containers below; the Volumes view follows volume.created', async () => {
    await page.locator('.part.sidebar .pane-header', { hasText: 'Containers' }).first().click(); // make room
    await header('Networks').click();
    await header('Volumes').click();
    const def = exact('Networks', 'nscope 10.88.0.0/16 · nscope0 · 1 container · default');
    await def.waitFor({ timeout: UI });
    await exact('Networks', 'backend 10.89.0.0/24 · nscope1 · 0 containers').waitFor({ timeout: UI });
    await def.click();
    await exact('Networks', 'e2e-web 10.88.0.5/16 · eth0 · host veth1a2b3c4d').waitFor({ timeout: UI });
    await exact('Volumes', 'data 4 KiB · used by e2e-web').waitFor({ timeout: UI });
    // through the stand-in, which sends volume.created as the helper would: the view refreshes by itself
    const c = await HelperClient.connect(standIn.socket);
    try { await c.request('volume.create', { name: 'e2e-vol' }); } finally { c.close(); }
    await exact('Volumes', 'e2e-vol 0 B · unused').waitFor({ timeout: UI });
    await header('Volumes').hover();
    await header('Volumes').locator('.action-label[aria-label="Create Volume…"]').waitFor({ timeout: UI });
    await vs.screenshot('network-stand-in-3-views');
  });
});
