// The daemon's standby shim (helper/runtime/shim-standby.ts): after a
// create, one `nscope-shim --standby` waits for the next; a create takes it;
// a standby killed behind the daemon's back costs nothing but the spawn; the
// daemon's stop ends it, and so does a daemon killed with SIGKILL (its pipe
// closes).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

/** The standby shims whose parent is `pid`. */
function standbys(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (!fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').endsWith('nscope-shim\0--standby\0')) continue;
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))![1]);
      if (ppid === pid) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

describe('the standby shim', () => {
  let d: TestDaemon;
  before(async () => { d = await startWithImage('standby'); });
  after(async () => { assert.deepEqual(d ? await d.cleanup() : [], []); });

  test('one waits after a create; a create takes it; one killed is replaced; none after the daemon stops', async () => {
    const daemonPid = d.proc!.pid!;
    const first = await d.cli(['run', '--rm', '--network', 'none', 'host', 'true']);
    assert.equal(first.code, 0, first.stderr);
    await waitFor(() => standbys(daemonPid).length === 1, 5000, 'a standby shim after the first create');
    const [standby] = standbys(daemonPid);

    const second = await d.cli(['run', '--rm', '--network', 'none', 'host', 'sh', '-c', 'echo took']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'took');
    await waitFor(() => { const s = standbys(daemonPid); return s.length === 1 && s[0] !== standby; }, 5000, 'the standby taken and a new one waiting');

    // killed behind the daemon's back: the next create spawns its own shim and runs as usual
    process.kill(standbys(daemonPid)[0], 'SIGKILL');
    const third = await d.cli(['run', '--rm', '--network', 'none', 'host', 'sh', '-c', 'echo still']);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stdout.trim(), 'still');
    await waitFor(() => standbys(daemonPid).length === 1, 5000, 'a standby again');
    const last = standbys(daemonPid)[0];

    // the daemon killed outright: the standby sees its pipe close and exits
    d.kill9();
    await waitFor(() => !fs.existsSync(`/proc/${last}`) || /^State:\s+Z/m.test(fs.readFileSync(`/proc/${last}/status`, 'utf8')), 5000, 'the standby gone with its daemon');
    await d.start();
    const again = await d.cli(['run', '--rm', '--network', 'none', 'host', 'true']);
    assert.equal(again.code, 0, again.stderr);
    const pid2 = d.proc!.pid!;
    await waitFor(() => standbys(pid2).length === 1, 5000, 'a standby of the restarted daemon');
    const s2 = standbys(pid2)[0];
    const exited = new Promise((r) => d.proc!.once('exit', r));
    d.proc!.kill('SIGTERM');
    await exited;
    await waitFor(() => !fs.existsSync(`/proc/${s2}`), 5000, 'no standby after the daemon stops');
  });
});
