// An engine's container in the real VS Code (code-server + headless Chromium):
// a private containerd runs one with nscope-runtime, and the Containers view
// shows it labelled containerd, with its processes, namespaces and limits,
// and a context menu without the lifecycle verbs that are the engine's.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RUNTIME_ROOTS_DIR } from '../../helper/runtime/runtime-roots';
import { haveContainerd, PrivateContainerd } from '../helpers/containerd';
import { REPO, removeCgroupTree, startWithImage, type TestDaemon } from '../helpers/daemon';
import { cgroupName, RUN } from '../helpers/run-scope';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable() ?? (haveContainerd() ? undefined : 'containerd is not installed (scripts/setup-engines.sh installs it)');

describe('VS Code extension: a container containerd runs with nscope-runtime', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let vs: VsCode;
  let engine: PrivateContainerd;
  let dir: string;
  const id = `e2e-engine-${RUN}`;
  const parent = cgroupName('e2e-engine');
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-engine', { engines: true });
    const img = await (await daemon.client()).request('image.inspect', { ref: 'host' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-e2e-engine-'));
    fs.chmodSync(dir, 0o755);
    const rootfs = path.join(dir, 'rootfs');
    fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, rootfs, { recursive: true, verbatimSymlinks: true });
    engine = new PrivateContainerd(dir);
    await engine.start();
    const r = await engine.run(id, rootfs, `/${parent}/c`, ['-d', '--memory-limit', String(48 << 20)], ['sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
  });

  after(async () => {
    try {
      assert.deepEqual(await endSuite(vs, undefined, 'engine-last'), []);
    } finally {
      if (engine) {
        await engine.ctr(['task', 'kill', '-s', 'KILL', id]);
        for (let i = 0; i < 100 && (await engine.ctr(['task', 'rm', id])).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
        await engine.ctr(['container', 'rm', id]);
        await engine.stop();
      }
      await removeCgroupTree(parent);
      for (const f of fs.existsSync(RUNTIME_ROOTS_DIR) ? fs.readdirSync(RUNTIME_ROOTS_DIR) : []) {
        const file = path.join(RUNTIME_ROOTS_DIR, f);
        if (fs.readFileSync(file, 'utf8').startsWith(dir + '/')) fs.rmSync(file);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(await daemon.cleanup(), []);
    }
  });

  uiTest('it is in the tree as containerd\'s, with its processes and limits; stop and remove are not offered', async () => {
    await vs.openNscope(520);
    const row = vs.row('Containers', id);
    await row.waitFor({ timeout: UI });
    assert.match(await row.innerText(), /containerd · running/);
    await row.click();
    await vs.row('Containers', 'Processes').click();
    await vs.row('Containers', /sleep 600/).waitFor({ timeout: UI });
    assert.match(await vs.row('Containers', /sleep 600/).innerText(), /pid 1 in container/);
    await vs.row('Containers', 'Limits').click();
    await vs.row('Containers', /^memory/).waitFor({ timeout: UI });
    assert.match(await vs.row('Containers', /^memory/).innerText(), /48 MiB/);
    await vs.screenshot('engine-1-tree');
    // the context menu: Inspect is there, the engine's verbs are not
    const menu = vs.page.locator('.context-view .monaco-menu');
    await row.click({ button: 'right' });
    await menu.locator('.action-item', { hasText: 'Inspect' }).first().waitFor({ timeout: UI });
    for (const verb of ['Stop', 'Remove', 'Start', 'Kill']) assert.equal(await menu.locator('.action-item', { hasText: new RegExp(`^${verb}$`) }).count(), 0, `${verb} is the engine's`);
    await vs.page.keyboard.press('Escape');
  });
});
