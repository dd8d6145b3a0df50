// Show Stats in a real VS Code: the panel opens from the container's context
// menu, its memory chart follows a container that allocates (read from the
// webview's own DOM: webviews are iframes inside the workbench page), the
// limits form changes the container's limits, and closing the panel closes
// the helper's stream.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, type Locator, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable();
const MB = 1024 * 1024;

// playwright's frames: the webview's document is one of them
interface WebFrame { evaluate<T>(expr: string): Promise<T>; locator(sel: string): Locator }
interface FramedPage { frames(): WebFrame[] }

describe('VS Code: Show Stats', { skip, timeout: 300000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);
  let id = '';

  /** The frame that holds the stats panel's charts. */
  const statsFrame = async (): Promise<WebFrame | undefined> => {
    for (const f of (vs.page as unknown as FramedPage).frames()) {
      try { if (await f.evaluate<boolean>('!!document.querySelector("[data-chart=memory]")')) return f; } catch { /* a frame going away */ }
    }
    return undefined;
  };
  const chart = async (name: string) => {
    const f = await statsFrame();
    if (!f) return undefined;
    return f.evaluate<{ points: number; last: number; d: string }>(`(() => { const c = document.querySelector('[data-chart=${name}]'); return { points: Number(c.dataset.points || 0), last: Number(c.dataset.last || 0), d: c.querySelector('path.series').getAttribute('d') || '' }; })()`);
  };
  /** the helper's connected sockets (its listening one aside): the streams and clients it serves */
  const helperConnections = () => execFileSync('ss', ['-xH', 'src', daemon.socket], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(daemon.socket) && !/LISTEN/.test(l)).length;

  before(async () => {
    daemon = await startWithImage('e2e-stats');
    client = await daemon.client();
    // idle until the test makes it allocate, once the panel has its baseline
    ({ id } = await client.request('container.create', { image: 'host', name: 'stats-web', memory: '64m', pidsLimit: 40, cmd: ['sleep', '600'] }));
    await client.request('container.start', { id });
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
  });

  after(async () => { assert.deepEqual(await endSuite(vs, daemon, 'stats-last'), []); });

  uiTest('Show Stats from the context menu: the memory chart follows the container as it allocates', async () => {
    await vs.openNscope(480);
    await vs.row('Containers', /stats-web.*running/).waitFor({ timeout: UI });
    await vs.contextMenu(vs.row('Containers', 'stats-web'), 'Show Stats');
    await vs.page.locator('.tab', { hasText: 'Stats: stats-web' }).waitFor({ timeout: UI });
    await waitFor(async () => ((await chart('memory'))?.points ?? 0) >= 2, UI, 'memory samples in the webview');
    const first = (await chart('memory'))!;
    assert.match(first.d, /^M[\d.-]+ [\d.]+ L/);
    // 30 MB into its /dev/shm (a tmpfs charged to the container) under its 64 MB limit
    const dd = await daemon.cli(['exec', 'stats-web', 'dd', 'if=/dev/zero', 'of=/dev/shm/x', 'bs=1M', 'count=30']);
    assert.equal(dd.code, 0, dd.stderr);
    await waitFor(async () => ((await chart('memory'))?.last ?? 0) - first.last > 25 * MB, UI, 'the memory chart to rise by the 30 MB written');
    const now = (await chart('memory'))!;
    assert.ok(now.points > first.points, `${first.points} then ${now.points} points`);
    assert.ok(((await chart('cpu'))?.points ?? 0) >= 1);
    // the limit line is drawn: 64 MB is within reach of the data
    const f = (await statsFrame())!;
    assert.match(await f.evaluate<string>('document.querySelector("[data-chart=memory] path.limit").getAttribute("d")'), /^M0 /);
    await vs.screenshot('stats-1-panel');
  });

  uiTest('the limits form: a bad value is refused in the panel, a good one applied with container.update', async () => {
    const f = (await statsFrame())!;
    const memory = f.locator('#memory');
    await waitFor(async () => (await memory.inputValue()) === '64m', UI, 'the memory limit in the form');
    await memory.fill('12q');
    await f.locator('#apply').click();
    await waitFor(async () => /a size/.test(await f.locator('#form-error').innerText()), UI, 'the error in the panel');
    await memory.fill('128m');
    await f.locator('#pids').fill('50');
    await f.locator('#apply').click();
    await waitFor(async () => {
      const l = (await client.request('container.inspect', { id })).limits;
      return l.memory === 128 * MB && l.pidsLimit === 50;
    }, UI, 'the new limits on the container');
    assert.equal(await f.locator('#form-error').innerText(), '');
  });

  uiTest('the container\'s tooltip: the last minute of CPU and memory as sparklines', async () => {
    const row = vs.row('Containers', /stats-web.*running/);
    await vs.page.mouse.move(5, 5);
    await row.hover();
    const hover = vs.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /memory/ });
    await hover.first().waitFor({ timeout: UI });
    const text = await hover.first().innerText();
    assert.match(text, /CPU [▁▂▃▄▅▆▇█]{2,} [\d.]+ %/);
    assert.match(text, /memory [▁▂▃▄▅▆▇█]{2,} .*\/ 128 MiB/);
    await vs.page.mouse.move(5, 5);
  });

  uiTest('closing the panel closes its stream', async () => {
    const open = helperConnections();
    // the tab's own close button: a click in the tab gives the webview the keyboard, and the palette may not open from there
    const tab = vs.page.locator('.tab', { hasText: 'Stats: stats-web' });
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await vs.page.locator('.tab', { hasText: 'Stats: stats-web' }).waitFor({ state: 'detached', timeout: UI });
    await waitFor(() => helperConnections() === open - 1, 10000, `one helper connection fewer than ${open} (now ${helperConnections()})`);
  });
});
