// Images from and to a registry in a real VS Code: Pull Image… from the
// palette (a bad reference refused as typed, a failure as one line, a pull
// cancelled from its notification leaving no image, a pull showing its
// progress, the image and where it came from), Push Image… from an image's
// context menu. The registry is Debian's docker-registry on 127.0.0.1 over
// plain HTTP (loopback registries are insecure by default, as in Docker),
// with a fixture pushed into it by skopeo.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStream, type HelperClient } from '../../helper/protocol/client';
import { runCommand } from '../helpers/command';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, freePort, type Page, screenshotOnFailure, UI, VsCode } from './code-server';

const REGISTRY = '/usr/bin/docker-registry';
const SKOPEO = '/usr/bin/skopeo';
const skip = e2eUnavailable();
const noRegistry = !fs.existsSync(REGISTRY) ? `no ${REGISTRY} (apt-get install docker-registry)`
  : !fs.existsSync(SKOPEO) ? `no ${SKOPEO} (apt-get install skopeo)` : undefined;

describe('VS Code: Pull Image… and Push Image…', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  let page: Page;
  const uiTest = screenshotOnFailure(test, () => vs);
  const input = () => page.locator('.quick-input-widget .quick-input-box input');
  const toast = (text: string | RegExp) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  const pull = async (ref: string) => {
    await vs.runCommand('nscope: Pull Image');
    await page.locator('.quick-input-widget', { hasText: 'Image reference' }).waitFor({ timeout: UI });
    await input().fill(ref);
    await page.keyboard.press('Enter');
  };
  const clearToasts = () => vs.runCommand('Notifications: Clear All Notifications');

  before(async () => {
    daemon = await startWithImage('e2e-registry');
    client = await daemon.client();
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
    page = vs.page;
    await vs.openNscope(480);
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'registry-last'), []); });

  uiTest('a bad reference is refused as it is typed; a registry that is not there fails in one line', async () => {
    await vs.runCommand('nscope: Pull Image');
    await page.locator('.quick-input-widget', { hasText: 'Image reference' }).waitFor({ timeout: UI });
    await input().fill('Alpine:3.19');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'lower case' }).waitFor({ timeout: UI });
    // port 9 on loopback: nothing listens (and before the helper can pull, it says so: also one line)
    await input().fill('127.0.0.1:9/nothing/here:1');
    await page.keyboard.press('Enter');
    await toast(/nscope: pull: \S/).waitFor({ timeout: UI });
    assert.equal(await page.locator('.notifications-toasts', { hasText: /\n\s+at / }).count(), 0, 'no stack trace');
    await vs.screenshot('registry-1-error');
    await clearToasts();
  });

  describe('against a registry', { skip: noRegistry }, () => {
    let registry: ChildProcess | undefined;
    let host = '';
    let stall: Stall | undefined;
    /** why the helper cannot pull yet (its stream pumps land separately): the tests below skip, saying so */
    let pending: string | undefined;
    const regTest = screenshotOnFailure((name, fn) => test(name, async (t) => {
      if (pending) { t.skip(pending); return; }
      await fn();
    }), () => vs);

    before(async () => {
      pending = await pullUnavailable(daemon.socket);
      if (pending) return;
      const port = await freePort();
      host = `127.0.0.1:${port}`;
      registry = await startDockerRegistry(path.join(daemon.dir, 'registry'), host);
      // the fixture: the suite's host image, exported by the CLI and copied in by skopeo
      const tar = path.join(daemon.dir, 'host.tar');
      const ex = await daemon.cli(['image', 'export', 'host:latest', tar]);
      assert.equal(ex.code, 0, ex.stderr);
      const cp = await runCommand(SKOPEO, ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${tar}`, `docker://${host}/e2e/app:1.0`], { timeoutMs: 60000 });
      assert.equal(cp.code, 0, cp.stderr);
      stall = await stallBlobs(port);
    });

    after(async () => {
      stall?.close();
      if (registry && registry.exitCode === null) {
        const gone = new Promise((r) => registry!.once('exit', r));
        registry.kill('SIGTERM');
        await gone;
      }
    });

    regTest('Cancel on the notification of a pull stalled mid-transfer: no image, no error', async () => {
      const ref = `127.0.0.1:${stall!.port}/e2e/app:1.0`;
      await pull(ref);
      const note = toast(`nscope: pulling ${ref}`);
      await note.waitFor({ timeout: UI });
      await waitFor(() => stall!.held() > 0, UI, 'the pull to ask for a blob');
      await vs.screenshot('registry-2-pulling');
      await note.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      await note.waitFor({ state: 'detached', timeout: UI });
      // closing the stream is the cancel: the helper drops the transfer, so nothing lands in the store
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual((await client.request('image.list', {})).filter((i) => i.name.includes(`:${stall!.port}/`)).map((i) => i.name), []);
      assert.equal(await toast('nscope: pull').count(), 0, 'a cancel is not an error');
      await waitFor(async () => stall!.open() === 0, 10000, 'the helper to close its registry connections');
    });

    regTest('a pull shows in the Images view with where it came from', async () => {
      const ref = `${host}/e2e/app:1.0`;
      await pull(ref);
      await toast(new RegExp(`nscope: pulled ${ref.replace(/\./g, '\\.')} \\(sha256:[0-9a-f]{12}\\)`)).waitFor({ timeout: UI });
      const row = vs.row('Images', ref);
      await row.waitFor({ timeout: UI });
      const img = (await client.request('image.list', {})).find((i) => i.name === ref);
      assert.equal(img?.origin?.registry, host);
      assert.equal(img?.origin?.repository, 'e2e/app');
      await row.click();
      await vs.row('Images', `Pulled from ${host}/e2e/app:1.0`).waitFor({ timeout: UI });
      await vs.screenshot('registry-3-pulled');
      await clearToasts();
    });

    regTest('Push Image… from an image\'s context menu, to a name typed over its own', async () => {
      await vs.contextMenu(vs.row('Images', 'host:latest'), 'Push Image…');
      await page.locator('.quick-input-widget', { hasText: 'Push to' }).waitFor({ timeout: UI });
      assert.equal(await input().inputValue(), 'host:latest');
      await input().fill(`${host}/e2e/pushed:2.0`);
      await page.keyboard.press('Enter');
      // the push's effect first (a loaded machine can take a while), then what the user was told
      const tagged = async () => ((await (await fetch(`http://${host}/v2/e2e/pushed/tags/list`)).json() as { tags?: string[] }).tags ?? []).includes('2.0');
      await waitFor(tagged, 2 * UI, 'the pushed tag in the registry');
      const told = `nscope: pushed ${host}/e2e/pushed:2.0`;
      if ((await toast(told).count()) === 0) {
        // a toast VS Code has already tucked away is in the notification center
        await vs.runCommand('Notifications: Show Notifications');
        await page.locator('.notifications-center .notification-list-item', { hasText: told }).first().waitFor({ timeout: UI });
        await page.keyboard.press('Escape');
      }
      const tags = await (await fetch(`http://${host}/v2/e2e/pushed/tags/list`)).json() as { tags?: string[] };
      assert.deepEqual(tags.tags, ['2.0']);
      await clearToasts();
    });
  });
});

/** The helper's refusal of pull streams while it has none, or undefined when it takes them. */
async function pullUnavailable(socket: string): Promise<string | undefined> {
  try {
    (await openStream(socket, { kind: 'pull', ref: '127.0.0.1:9/probe:1' })).destroy();
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/not implemented/.test(msg)) return `the helper cannot pull yet: ${msg}`;
    throw e;
  }
}

// Registry start-up, minimal on purpose: the shared test/helpers/registry.ts takes its place.
async function startDockerRegistry(dir: string, addr: string): Promise<ChildProcess> {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${addr}\n`);
  const p = spawn(REGISTRY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr!.on('data', (d) => { stderr += d; });
  await waitFor(async () => {
    if (p.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try { return (await fetch(`http://${addr}/v2/`)).ok; } catch { return false; }
  }, 15000, 'docker-registry to listen');
  return p;
}

interface Stall { port: number; held(): number; open(): number; close(): void }

/**
 * A way in to the registry that lets manifests through but holds every blob
 * request forever: a pull through it stays in the middle of its transfer
 * until it is cancelled. `held()` counts the requests held, `open()` the
 * connections still open.
 */
async function stallBlobs(registryPort: number): Promise<Stall> {
  const socks = new Set<net.Socket>();
  let held = 0;
  const server = net.createServer((down) => {
    const up = net.connect(registryPort, '127.0.0.1');
    let holding = false;
    for (const s of [down, up]) {
      socks.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { socks.delete(s); down.destroy(); up.destroy(); });
    }
    down.on('data', (d: Buffer) => {
      if (!holding && /^GET \S*\/blobs\//m.test(d.toString('latin1'))) { holding = true; held++; }
      if (!holding) up.write(d);
    });
    up.on('data', (d: Buffer) => down.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    held: () => held,
    open: () => [...socks].filter((s) => s.remotePort !== registryPort).length,
    close: () => { for (const s of socks) s.destroy(); server.close(); },
  };
}
