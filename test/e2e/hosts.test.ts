// Several hosts in a real VS Code: a second helper reached over ssh (a
// private sshd on 127.0.0.1, started here) is one of `nscope.hosts`; Switch
// Host… moves the views to it and its containers appear, the local ones go;
// the status bar names the host.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd';
import { E2E_OUT, e2eUnavailable, endSuite, screenshotOnFailure, UI, VsCode } from './code-server';

const skip = e2eUnavailable() ?? sshdUnavailable();

describe('VS Code: several hosts', { skip, timeout: 300000 }, () => {
  let local: TestDaemon;
  let far: TestDaemon;
  let sshd: TestSshd;
  let vs: VsCode;
  const uiTest = screenshotOnFailure(test, () => vs);
  const saved = { opts: process.env.NSCOPE_SSH_OPTS, remote: process.env.NSCOPE_REMOTE_COMMAND };

  const sleeper = async (c: HelperClient, name: string) => {
    const { id } = await c.request('container.create', { image: 'host', name, net: 'none', cmd: ['sleep', '600'] });
    await c.request('container.start', { id });
  };

  before(async () => {
    local = await startWithImage('e2e-hosts-a');
    far = await startWithImage('e2e-hosts-b');
    await sleeper(await local.client(), 'here');
    await sleeper(await far.client(), 'there');
    sshd = await startSshd();
    // the extension host (and the ssh it runs) inherit these from code-server
    process.env.NSCOPE_SSH_OPTS = `-F ${sshd.clientConfig}`;
    process.env.NSCOPE_REMOTE_COMMAND = path.join(REPO, 'bin', 'nscope');
    vs = await VsCode.start({
      extensionDir: REPO, outDir: E2E_OUT,
      settings: { 'nscope.socketPath': local.socket, 'nscope.hosts': [{ name: 'lab', host: `ssh://root@127.0.0.1:${sshd.port}${far.socket}` }] },
    });
  });

  after(async () => {
    process.env.NSCOPE_SSH_OPTS = saved.opts;
    process.env.NSCOPE_REMOTE_COMMAND = saved.remote;
    const leaks = await endSuite(vs, local, 'hosts-last');
    await sshd?.stop();
    assert.deepEqual([...leaks, ...(far ? await far.cleanup() : [])], []);
  });

  uiTest('Switch Host… to a helper over ssh: its containers appear, the status bar names it', async () => {
    await vs.openNscope(440);
    await vs.row('Containers', /^here.*running/).waitFor({ timeout: UI });
    await vs.runCommand('nscope: Switch Host…');
    await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'lab' }).first().click();
    await vs.row('Containers', /there.*running/).waitFor({ timeout: UI });
    assert.equal(await vs.row('Containers', /^here.*running/).count(), 0);
    await vs.page.locator('.part.statusbar .statusbar-item', { hasText: 'nscope: lab' }).first().waitFor({ timeout: UI });
    // a remote container's children load over the same connection
    await vs.row('Containers', /there.*running/).click();
    await vs.row('Containers', 'Processes').waitFor({ timeout: UI });
    await vs.screenshot('hosts-1-remote');
  });
});
