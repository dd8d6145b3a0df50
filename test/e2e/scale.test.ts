// The explorer with 200 containers: how long from a helper event to the tree
// showing it, measured through the browser and printed (a figure for the
// README, not an assertion: timing is the bench's business).
//
// The moment a row appears or goes is taken in the page by a MutationObserver
// on the side bar, not by polling from the test: Playwright's waitFor polls
// with a backoff up to 500 ms, which would measure its own schedule.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, VsCode } from './code-server';

const skip = e2eUnavailable();
const COUNT = 200;
const PROBES = 9;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

// In the page: watchRow(name) starts watching for a Containers row whose
// accessible name starts with `name `; __nscopeRow says when it appeared and
// when it went (Date.now(), the same clock as the test's).
const WATCHER = `(() => {
  if (window.watchRow) return;
  const present = (name) => [...document.querySelectorAll('.part.sidebar .monaco-list-row')]
    .some((r) => (r.getAttribute('aria-label') || '').startsWith(name + ' '));
  const check = () => {
    const w = window.__nscopeRow;
    if (!w) return;
    const now = present(w.name);
    if (now && !w.appeared) w.appeared = Date.now();
    if (!now && w.appeared && !w.gone) w.gone = Date.now();
  };
  new MutationObserver(check).observe(document.querySelector('.part.sidebar'), { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
  window.watchRow = (name) => { window.__nscopeRow = { name, appeared: 0, gone: 0 }; check(); };
})()`;

describe(`the explorer with ${COUNT} containers`, { skip, timeout: 600000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-scale');
    client = await daemon.client();
    // created, not started: each is a real container (namespaces, cgroup, overlay, an init waiting for start);
    // in batches of 8, as several clients would
    for (let i = 0; i < COUNT; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, COUNT - i) }, (_, k) =>
        client.request('container.create', { image: 'host', name: `bulk-${String(i + k).padStart(3, '0')}`, cmd: ['sleep', '600'] })));
    }
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket } });
  });

  after(async () => {
    // the helper's clean-up removes the 200 with the rest, then finds no mount, cgroup or process of them
    assert.deepEqual(await endSuite(vs, daemon, 'scale-last'), []);
  });

  uiTest(`helper event → tree updated, with ${COUNT} containers present`, async () => {
    const page = vs.page;
    await vs.openNscope();
    await vs.row('Containers', 'bulk-000').waitFor({ timeout: 60000 });
    assert.equal((await client.request('container.list', { all: true })).length, COUNT);
    await page.evaluate(WATCHER);
    const fromEvent: number[] = [];
    const added: number[] = [];
    const removed: number[] = [];
    const seen = new Map<string, number>();
    await client.onEvent((e) => { seen.set(`${e.type} ${e.name}`, Date.now()); });
    // VS Code's extension host batches a tree's changes for 200 ms after one it passed on at once:
    // each step waits that out, so it is measured alone rather than behind the previous one
    const settle = () => new Promise((r) => setTimeout(r, 300));
    const row = () => page.evaluate<{ appeared: number; gone: number }>('window.__nscopeRow');
    for (let i = 0; i < PROBES; i++) {
      // sorts first among the created ones: its row is in view, so VS Code renders it
      const name = `aaa-probe-${i}`;
      await page.evaluate(`window.watchRow(${JSON.stringify(name)})`);
      const t0 = Date.now();
      const { id } = await client.request('container.create', { image: 'host', name, cmd: ['sleep', '600'] });
      await page.waitForFunction('window.__nscopeRow.appeared > 0', undefined, { timeout: 30000 });
      const { appeared } = await row();
      added.push(appeared - t0);
      fromEvent.push(appeared - (seen.get(`container.created ${name}`) ?? t0));
      if (i === PROBES - 1) await vs.screenshot('scale');
      await settle();
      const t1 = Date.now();
      await client.request('container.remove', { id, force: true });
      await page.waitForFunction('window.__nscopeRow.gone > 0', undefined, { timeout: 30000 });
      removed.push((await row()).gone - t1);
      await settle();
    }
    const timings = {
      containers: COUNT + 1,
      eventToRowMs: median(fromEvent), createToRowMs: median(added), removeToRowGoneMs: median(removed),
      samples: { eventToRowMs: fromEvent, createToRowMs: added, removeToRowGoneMs: removed },
    };
    fs.writeFileSync(path.join(E2E_OUT, 'timings-scale.json'), JSON.stringify(timings, null, 2));
    console.log(`e2e scale (${COUNT} containers + 1): container.created event → row in the tree ${timings.eventToRowMs} ms; `
      + `container.create sent → row ${timings.createToRowMs} ms; container.remove sent → row gone ${timings.removeToRowGoneMs} ms (medians of ${PROBES})`);
  });
});
