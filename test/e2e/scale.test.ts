// The explorer with 200 containers: how long from a helper event to the tree
// showing it, measured through the browser and printed (a figure for the
// README, not an assertion: timing is the bench's business).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { e2eUnavailable, screenshotOnFailure, VsCode } from './code-server';

const skip = e2eUnavailable();
const OUT = process.env.NSCOPE_E2E_OUT || path.join(REPO, 'dist', 'e2e-out');
const COUNT = 200;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

describe(`the explorer with ${COUNT} containers`, { skip, timeout: 600000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-scale');
    client = await daemon.client();
    // created, not started: each is a real container (namespaces, cgroup, overlay) waiting for start
    for (let i = 0; i < COUNT; i++) await client.request('container.create', { image: 'host', name: `bulk-${String(i).padStart(3, '0')}`, cmd: ['sleep', '600'] });
    vs = await VsCode.start({ extensionDir: REPO, outDir: OUT, settings: { 'nscope.socketPath': daemon.socket } });
  });

  after(async () => {
    if (vs) await vs.stop();
    if (daemon) assert.deepEqual(await daemon.cleanup(), []);
  });

  uiTest(`helper event → tree updated, with ${COUNT} containers present`, async () => {
    const page = vs.page;
    await vs.openNscope();
    await vs.row('Containers', 'bulk-000').waitFor({ timeout: 60000 });
    const added: number[] = [];
    const removed: number[] = [];
    const fromEvent: number[] = [];
    const seen = new Map<string, number>();
    await client.onEvent((e) => { seen.set(`${e.type} ${e.name}`, Date.now()); });
    for (let i = 0; i < 7; i++) {
      const name = `aaa-probe-${i}`;
      let t0 = Date.now();
      const { id } = await client.request('container.create', { image: 'host', name, cmd: ['sleep', '600'] });
      await vs.row('Containers', name).waitFor({ timeout: 30000 });
      added.push(Date.now() - t0);
      fromEvent.push(Date.now() - (seen.get(`container.created ${name}`) ?? t0));
      t0 = Date.now();
      await client.request('container.remove', { id, force: true });
      await vs.row('Containers', name).waitFor({ state: 'detached', timeout: 30000 });
      removed.push(Date.now() - t0);
    }
    const timings = { containers: COUNT, eventToRowMs: median(fromEvent), createdToRowMs: median(added), removedToRowGoneMs: median(removed), samples: { fromEvent, added, removed } };
    fs.writeFileSync(path.join(OUT, 'timings-scale.json'), JSON.stringify(timings, null, 2));
    console.log(`e2e scale (${COUNT} containers): container.created event → row shown ${timings.eventToRowMs} ms; container.create → row shown ${timings.createdToRowMs} ms, container.remove → row gone ${timings.removedToRowGoneMs} ms (medians of 7)`);
    await vs.screenshot('scale');
  });
});
