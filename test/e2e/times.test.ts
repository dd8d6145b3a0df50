// The Containers view's times in a real VS Code: a running container's
// "up Ns" and an exited one's "exited (0) Ns ago" age by themselves, redrawn
// every nscope.timesRefreshSeconds (1 here; the other e2e files run with it
// off, so no row is redrawn under their clicks).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { waitFor } from '../helpers/containers';
import { E2E_OUT, e2eUnavailable, screenshotOnFailure, UI, VsCode } from './code-server';

describe('VS Code: the Containers view\'s times age by themselves', { skip: e2eUnavailable(), timeout: 180000 }, () => {
  let daemon: TestDaemon;
  let client: HelperClient;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);

  before(async () => {
    daemon = await startWithImage('e2e-times');
    client = await daemon.client();
    vs = await VsCode.start({ extensionDir: REPO, outDir: E2E_OUT, settings: { 'nscope.socketPath': daemon.socket, 'nscope.timesRefreshSeconds': 1 } });
  });

  after(async () => {
    if (vs) await vs.stop();
    if (daemon) assert.deepEqual(await daemon.cleanup(), []);
  });

  uiTest('a running container\'s uptime and an exited one\'s age are redrawn with no event', async () => {
    const { id } = await client.request('container.create', { image: 'host', name: 'e2e-ticking', cmd: ['sleep', '600'] });
    await client.request('container.start', { id });
    const { id: doneId } = await client.request('container.create', { image: 'host', name: 'e2e-done', cmd: ['true'] });
    await client.request('container.start', { id: doneId });
    await client.request('container.wait', { id: doneId });
    await vs.openNscope(560);
    const up = vs.row('Containers', 'e2e-ticking');
    const done = vs.row('Containers', /^e2e-done.*exited \(0\)/);
    await up.waitFor({ timeout: UI });
    await done.waitFor({ timeout: UI });
    const text = async (row: typeof up, re: RegExp) => re.exec(await row.innerText())?.[1];
    const first = await text(up, /up (\d+s)/);
    const firstAgo = await text(done, /exited \(0\) (\d+s) ago/);
    assert.ok(first && firstAgo, `${first} ${firstAgo}`);
    await waitFor(async () => { const now = await text(up, /up (\d+s)/); return !!now && now !== first; }, UI, `"up ${first}" redrawn`);
    await waitFor(async () => { const now = await text(done, /exited \(0\) (\d+s) ago/); return !!now && now !== firstAgo; }, UI, `"exited (0) ${firstAgo} ago" redrawn`);
    await client.request('container.remove', { id, force: true });
    await client.request('container.remove', { id: doneId, force: true });
  });
});
