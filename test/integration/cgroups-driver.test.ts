// The cgroup driver this host detects, exercised for real (root only): limits
// land in the files, processes join, apply() changes a live cgroup, the OOM
// killer and the pids limit act, destroy() leaves nothing behind.
// On this VM that is the v1 driver (hybrid host); on a pure v2 host the same
// tests run against v2, with the file checks switched by driver.version.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { detectCgroups } from '../../helper/cgroups/detect';
import { NscopeError } from '../../helper/errors';
import type { Cgroup, CgroupDriver } from '../../helper/cgroups/types';
import { isRoot, leftovers, spawnIn, spawnPlain, uniqueParent, waitFor } from './cgroups-helpers';
import { CGROUP_PREFIX } from '../helpers/run-scope';

const MiB = 2 ** 20;
const skip = !isRoot && 'needs root';
const driver: CgroupDriver | undefined = isRoot ? detectCgroups() : undefined;
const d = () => driver!;

/** The directory of `cg` in the hierarchy carrying `ctrl` (v1) or the one tree (v2). */
function dirOf(cg: Cgroup, ctrl: string): string {
  const files = cg.procsFiles().map((f) => path.dirname(f));
  if (d().version === 2) return files[0];
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .filter((l) => / - cgroup /.test(l))
    .map((l) => ({ mp: l.split(' ')[4], opts: l.split(' - ')[1].split(' ')[2].split(',') }));
  const m = mounts.find((x) => x.opts.includes(ctrl));
  assert.ok(m, `no v1 mount for ${ctrl}`);
  return files.find((f) => f.startsWith(m.mp + '/'))!;
}
const readf = (cg: Cgroup, ctrl: string, file: string) => fs.readFileSync(path.join(dirOf(cg, ctrl), file), 'utf8').trim();

/** Each test's parent, checked gone in every hierarchy afterwards. */
async function withCgroup(fn: (rel: string, parent: string) => Promise<void>): Promise<void> {
  const parent = uniqueParent();
  const rel = `${parent}/c1`;
  try {
    await fn(rel, parent);
  } finally {
    await d().open(rel, { ownedParents: 1 }).destroy();
    assert.deepEqual(leftovers(parent), [], 'cgroup dirs left behind');
  }
}

describe('cgroups: detected driver', { skip }, () => {
  after(() => {
    if (isRoot) assert.deepEqual(leftovers(`${CGROUP_PREFIX}${process.pid}-`), []);
  });

  test('detection matches the mounts (this VM: v1 despite the cgroup2 "unified" mount)', () => {
    const mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    const v1Memory = /- cgroup \S+ \S*\bmemory\b/.test(mi);
    assert.equal(d().version, v1Memory ? 1 : 2);
    for (const c of ['memory', 'cpu', 'pids']) assert.ok(d().controllers.includes(c), `controller ${c}`);
    if (d().version === 1) {
      const memLine = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l))!;
      assert.equal(d().ownCgroup(), memLine.split(':')[2].replace(/^\//, ''));
    }
  });

  test('create with limits: the files say so, limits() reads them back', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, {
        memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB },
        cpu: { quota: 50000, period: 100000, shares: 512, cpus: '0', mems: '0' },
        pids: { limit: 20 },
      });
      assert.equal(cg.rel, rel);
      assert.ok(cg.exists());
      if (d().version === 1) {
        assert.equal(cg.procsFiles().length, new Set(cg.procsFiles().map((f) => path.dirname(path.dirname(f)))).size, 'one procs file per hierarchy');
        assert.equal(readf(cg, 'memory', 'memory.limit_in_bytes'), String(64 * MiB));
        if (d().swapAccounting) assert.equal(readf(cg, 'memory', 'memory.memsw.limit_in_bytes'), String(128 * MiB));
        assert.equal(readf(cg, 'memory', 'memory.soft_limit_in_bytes'), String(32 * MiB));
        assert.equal(readf(cg, 'cpu', 'cpu.cfs_quota_us'), '50000');
        assert.equal(readf(cg, 'cpu', 'cpu.cfs_period_us'), '100000');
        assert.equal(readf(cg, 'cpu', 'cpu.shares'), '512');
        assert.equal(readf(cg, 'pids', 'pids.max'), '20');
      } else {
        assert.equal(readf(cg, 'memory', 'memory.max'), String(64 * MiB));
        assert.equal(readf(cg, 'cpu', 'cpu.max'), '50000 100000');
        assert.equal(readf(cg, 'pids', 'pids.max'), '20');
      }
      assert.equal(readf(cg, 'cpuset', 'cpuset.cpus'), '0');
      assert.equal(readf(cg, 'cpuset', 'cpuset.mems'), '0');
      const l = cg.limits();
      assert.equal(l.memoryLimit, 64 * MiB);
      if (d().swapAccounting) assert.equal(l.memorySwap, 128 * MiB);
      assert.equal(l.memoryReservation, 32 * MiB);
      assert.equal(l.cpuQuota, 50000);
      assert.equal(l.cpuPeriod, 100000);
      // v2 stores a weight (1..10000): shares come back within one weight step
      assert.ok(Math.abs(l.cpuShares! - 512) <= (d().version === 1 ? 0 : 27), `shares ${l.cpuShares}`);
      assert.equal(l.cpusetCpus, '0');
      assert.equal(l.pidsLimit, 20);
    });
  });

  test('a new v1 cpuset cgroup gets cpus/mems from its parent (intermediate dirs too)', { skip: isRoot && driver?.version !== 1 && 'v1 only' }, async () => {
    await withCgroup(async (_rel, parent) => {
      const cg = d().create(`${parent}/mid/leaf`, {});
      try {
        const root = path.dirname(path.dirname(path.dirname(dirOf(cg, 'cpuset'))));
        const want = fs.readFileSync(path.join(root, 'cpuset.cpus'), 'utf8').trim();
        for (const sub of [parent, `${parent}/mid`, `${parent}/mid/leaf`]) {
          assert.equal(fs.readFileSync(path.join(root, sub, 'cpuset.cpus'), 'utf8').trim(), want, sub);
          assert.notEqual(fs.readFileSync(path.join(root, sub, 'cpuset.mems'), 'utf8').trim(), '', sub);
        }
        // and a process can join (it could not with empty cpuset.cpus: ENOSPC)
        const p = spawnIn(cg, ['true']);
        assert.deepEqual(await p.exit, { code: 0, signal: null }, p.stderr());
      } finally {
        await cg.destroy();
        await d().open(`${parent}/mid`).destroy();
      }
    });
  });

  test('resources.unified on a v1 host: refused naming the files, nothing left', { skip: isRoot && driver?.version !== 1 && 'v1 only (the v2 driver writes them: cgroups-v2.test.ts)' }, () => {
    const parent = uniqueParent();
    assert.throws(() => d().create(`${parent}/c1`, { unified: { 'memory.high': '64M' } }), /resources.unified: memory.high are cgroup v2 files; this host uses cgroup v1/);
    assert.deepEqual(leftovers(parent), []);
  });

  test('a process written to every procsFiles() is in pids() and stats() are sane', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, { memory: { limit: 256 * MiB }, pids: { limit: 10 } });
      const p = spawnPlain(['sleep', '30']);
      const pid = p.child.pid!;
      for (const f of cg.procsFiles()) fs.writeFileSync(f, String(pid));
      assert.deepEqual(cg.pids(), [pid]);
      for (const f of cg.procsFiles()) assert.ok(fs.readFileSync(f, 'utf8').split('\n').includes(String(pid)), f);
      // a little CPU and memory use inside, from a child that inherits the cgroup
      const q = spawnIn(cg, ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done']);
      assert.equal((await q.exit).code, 0, q.stderr());
      const s = cg.stats();
      assert.ok(s.pidsCurrent >= 1, `pidsCurrent ${s.pidsCurrent}`);
      assert.ok(s.memoryUsage > 0, `memoryUsage ${s.memoryUsage}`);
      assert.ok(s.memoryUsage < 256 * MiB);
      assert.ok(s.cpuUsageNs > 0, `cpuUsageNs ${s.cpuUsageNs}`);
      assert.equal(s.memoryLimit, 256 * MiB);
      assert.equal(s.pidsLimit, 10);
      assert.equal(s.oomKills, 0);
      assert.equal(s.limits.memoryLimit, 256 * MiB);
      p.child.kill('SIGKILL');
      await p.exit;
      await waitFor(() => cg.pids().length === 0, 5000, 'the sleep to leave');
    });
  });

  test('apply() changes memory (both directions, with swap), cpu and pids on a live cgroup', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, { memory: { limit: 64 * MiB, swap: 64 * MiB } });
      const p = spawnIn(cg, ['sleep', '30']);
      await waitFor(() => cg.pids().length === 1, 5000, 'the sleep to join');
      // raise both above the current total (v1 must write memsw first)
      cg.apply({ memory: { limit: 512 * MiB, swap: 1024 * MiB } });
      assert.equal(cg.limits().memoryLimit, 512 * MiB);
      if (d().swapAccounting) assert.equal(cg.limits().memorySwap, 1024 * MiB);
      // lower both below the current memory limit (v1 must write memory first)
      cg.apply({ memory: { limit: 32 * MiB, swap: 48 * MiB } });
      assert.equal(cg.limits().memoryLimit, 32 * MiB);
      if (d().swapAccounting) assert.equal(cg.limits().memorySwap, 48 * MiB);
      // unlimited memory lifts memory+swap too
      cg.apply({ memory: { limit: -1 } });
      assert.equal(cg.limits().memoryLimit, null);
      if (d().swapAccounting) assert.equal(cg.limits().memorySwap, null);
      cg.apply({ cpu: { quota: 20000, period: 50000, shares: 2048 } });
      assert.equal(cg.limits().cpuQuota, 20000);
      assert.equal(cg.limits().cpuPeriod, 50000);
      cg.apply({ cpu: { quota: -1 } });
      assert.equal(cg.limits().cpuQuota, null);
      cg.apply({ pids: { limit: 3 } });
      assert.equal(cg.limits().pidsLimit, 3);
      cg.apply({ pids: { limit: 0 } });
      assert.equal(cg.limits().pidsLimit, null);
      assert.deepEqual(cg.pids(), [p.child.pid]);
      p.child.kill('SIGKILL');
      await p.exit;
    });
  });

  test('apply() refused by the kernel is a clear error naming the file and value', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, { memory: { limit: 128 * MiB, swap: 128 * MiB } });
      // 40 MiB resident that cannot be reclaimed (no swap allowed): a limit of
      // 8 MiB cannot be met, so the kernel answers EBUSY.
      const p = spawnIn(cg, [process.execPath, '-e', 'const b = Buffer.alloc(40 << 20, 1); console.log("ready"); setInterval(() => b[0]++, 1000)']);
      await waitFor(() => p.stdout().includes('ready'), 10000, 'the allocator');
      assert.throws(() => cg.apply({ memory: { limit: 8 * MiB } }), (err: unknown) => {
        assert.ok(err instanceof NscopeError);
        assert.match(err.message, d().version === 1 ? /memory\.limit_in_bytes/ : /memory\.max/);
        assert.match(err.message, new RegExp(String(8 * MiB)));
        assert.match(err.message, /busy/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
      assert.equal(cg.limits().memoryLimit, 128 * MiB, 'the old limit stays');
      assert.throws(() => cg.apply({ cpu: { cpus: '63' } }), /cpuset\.cpus.*"63"/);
      assert.throws(() => cg.apply({ memory: { limit: 64 * MiB, swap: 32 * MiB } }), /memory\.swap.*below/);
      assert.throws(() => cg.apply({ pids: { limit: 1.5 } }), /pids\.limit/);
      p.child.kill('SIGKILL');
      await p.exit;
    });
  });

  test('a create whose limits the kernel refuses leaves no directory behind', async () => {
    const parent = uniqueParent();
    assert.throws(() => d().create(`${parent}/c1`, { cpu: { cpus: '4000' } }), /cpuset\.cpus/);
    assert.deepEqual(leftovers(parent), []);
  });

  test('memory limit 32m + a process allocating 64m: OOM-killed, oomKills >= 1', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, { memory: { limit: 32 * MiB, swap: d().swapAccounting ? 32 * MiB : undefined } });
      const p = spawnIn(cg, [process.execPath, '-e', 'const b = Buffer.alloc(64 << 20, 1); console.log("survived", b.length)']);
      const r = await p.exit;
      assert.equal(r.signal, 'SIGKILL', `expected an OOM kill, got ${JSON.stringify(r)} ${p.stdout()} ${p.stderr()}`);
      assert.doesNotMatch(p.stdout(), /survived/);
      const s = cg.stats();
      assert.ok(s.oomKills >= 1, `oomKills ${s.oomKills}`);
      if (d().version === 1) assert.ok((s.memoryMaxUsage ?? 0) >= 30 * MiB, `max usage ${s.memoryMaxUsage}`);
    });
  });

  test('pids limit 5 stops a fork loop', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, { pids: { limit: 5 } });
      const p = spawnIn(cg, ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; echo forked; wait']);
      // dash gives up on the script at the first failed fork ("Cannot fork"), bash
      // reports it and goes on; either way the complaint must come.
      await waitFor(() => /fork/i.test(p.stderr()), 5000, 'a fork to fail');
      assert.doesNotMatch(p.stdout(), /forked/);
      const s = cg.stats();
      assert.ok(s.pidsCurrent <= 5, `pidsCurrent ${s.pidsCurrent}`);
      assert.equal(s.pidsLimit, 5);
      assert.ok(cg.pids().length <= 5);
      // destroy() (in withCgroup) kills the shell and its sleeps
    });
  });

  test('destroy() stops a fork loop, kills leftovers and removes every dir and the parent it created', async () => {
    const parent = uniqueParent();
    const cg = d().create(`${parent}/c1`, { pids: { limit: 200 } });
    const loop = spawnIn(cg, ['sh', '-c', 'while :; do sleep 60 & done']);
    await waitFor(() => cg.pids().length > 20, 5000, 'the fork loop');
    const dirs = cg.procsFiles().map((f) => path.dirname(f));
    await cg.destroy();
    assert.equal((await loop.exit).signal, 'SIGKILL');
    for (const dir of dirs) assert.ok(!fs.existsSync(dir), dir);
    for (const dir of dirs) assert.ok(!fs.existsSync(path.dirname(dir)), path.dirname(dir));
    assert.equal(cg.exists(), false);
    assert.deepEqual(leftovers(parent), []);
    await cg.destroy(); // already gone: no error
    await d().open(`${parent}/c1`, { ownedParents: 1 }).destroy();
  });

  test('destroy() keeps a shared parent while a sibling lives, removes it with the last one', async () => {
    const parent = uniqueParent();
    const a = d().create(`${parent}/a`, {});
    const b = d().create(`${parent}/b`, {});
    await a.destroy();
    assert.ok(b.exists());
    assert.ok(leftovers(parent).length > 0, 'parent kept for b');
    // b was created after the parent existed: only an opener that owns it removes it
    await d().open(`${parent}/b`, { ownedParents: 1 }).destroy();
    assert.deepEqual(leftovers(parent), []);
  });

  test('destroy() removes sub-cgroups a container made inside its own', async () => {
    await withCgroup(async (rel) => {
      const cg = d().create(rel, {});
      for (const f of cg.procsFiles()) {
        const inner = path.join(path.dirname(f), 'inner');
        fs.mkdirSync(inner);
        // v1 cpuset: a new cgroup is unusable until cpus/mems are set
        for (const k of ['cpuset.cpus', 'cpuset.mems']) {
          if (fs.existsSync(path.join(inner, k))) fs.writeFileSync(path.join(inner, k), fs.readFileSync(path.join(path.dirname(f), k)));
        }
      }
      const p = spawnPlain(['sleep', '30']);
      for (const f of cg.procsFiles()) fs.writeFileSync(path.join(path.dirname(f), 'inner', 'cgroup.procs'), String(p.child.pid));
      assert.deepEqual(cg.pids(), [p.child.pid], 'pids() includes sub-cgroups');
      await cg.destroy();
      assert.equal((await p.exit).signal, 'SIGKILL');
      assert.equal(cg.exists(), false);
    });
  });

  test('killAll(signal) signals every process; open() finds a cgroup again', async () => {
    await withCgroup(async (rel) => {
      d().create(rel, {});
      const again = d().open(rel);
      assert.ok(again.exists());
      const p = spawnIn(again, ['sleep', '30']);
      await waitFor(() => again.pids().length === 1, 5000, 'join');
      again.killAll('SIGTERM');
      assert.equal((await p.exit).signal, 'SIGTERM');
      assert.equal(d().open(`${rel}-missing`).exists(), false);
    });
  });

  test('paths that would leave the hierarchy are rejected', () => {
    for (const bad of ['../x', 'nscope/../../etc', 'a/./b', '', '/', 'a\nb']) {
      assert.throws(() => d().create(bad, {}), (err: unknown) => err instanceof NscopeError && err.code === 'invalid', JSON.stringify(bad));
      assert.throws(() => d().open(bad), (err: unknown) => err instanceof NscopeError && err.code === 'invalid', JSON.stringify(bad));
    }
    assert.deepEqual(leftovers('..'), []);
  });

  test('an absolute OCI cgroupsPath means the same as the relative rel', async () => {
    const parent = uniqueParent();
    const cg = d().create(`/${parent}//c1/`, {});
    assert.equal(cg.rel, `${parent}/c1`);
    await d().open(`${parent}/c1`, { ownedParents: 1 }).destroy();
    assert.deepEqual(leftovers(parent), []);
  });
});
