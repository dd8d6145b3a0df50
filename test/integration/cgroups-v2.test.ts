// The v2 driver against a real cgroup2 hierarchy. On this hybrid VM that is
// the "unified" mount, whose only controller (hugetlb) nscope does not use,
// so what runs here is everything but limits: create/open/destroy with owned
// parents, joining via cgroup.procs, pids(), cpu.stat, cgroup.kill, the
// freeze + signal fallback of kernels without cgroup.kill, and the clear
// errors for limits whose controller is missing. A second part re-runs
// detection inside a private mount namespace where /sys/fs/cgroup is a pure
// cgroup2 mount (the layout of a v2-only host), from the kernel's own
// mountinfo. Limits on v2 (memory.max, cpu.max, ...) are NOT exercised here.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { detect, detectCgroups } from '../../helper/cgroups/detect';
import { parseCgroupMounts, parseProcCgroup, relToMount } from '../../helper/cgroups/mountinfo';
import { V2Driver } from '../../helper/cgroups/v2';
import { NscopeError } from '../../helper/errors';
import { isRoot, leftovers, spawnIn, uniqueParent, waitFor } from './cgroups-helpers';

function cgroup2Mount(): { mountPoint: string; own: string } | undefined {
  const m = parseCgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find((x) => x.fsType === 'cgroup2');
  if (!m) return undefined;
  const line = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')).find((l) => l.id === 0);
  return { mountPoint: m.mountPoint, own: relToMount(line?.path ?? '/', m.root) ?? '' };
}

const CHILD = 'NSCOPE_CGROUPS_V2_CHILD';

if (process.env[CHILD]) {
  // Runs inside `unshare -m`: /sys/fs/cgroup is now a lone cgroup2 mount.
  void (async () => {
    const out: Record<string, unknown> = {};
    try { detectCgroups(); out.plain = 'no error'; } catch (e) { out.plain = `${(e as NscopeError).code}: ${(e as Error).message}`; }
    // Pretend the root offers the limit controllers to see the v2 decision and
    // the driver work on this mount (nothing is enabled: the file says hugetlb).
    const det = detect({ v2Controllers: () => ['cpu', 'memory', 'pids'] });
    out.version = det.version;
    out.mountPoint = det.v2Mount?.mountPoint;
    const drv = detectCgroups({ v2Controllers: () => ['cpu', 'memory', 'pids'] });
    const rel = `${process.env[CHILD]}/c1`;
    const cg = drv.create(rel, {});
    out.procsFiles = cg.procsFiles();
    const p = spawnIn(cg, ['sleep', '30']);
    await waitFor(() => cg.pids().length === 1, 5000, 'join');
    out.pids = cg.pids().length;
    await cg.destroy();
    out.signal = (await p.exit).signal;
    out.exists = cg.exists();
    out.parentGone = !fs.existsSync(path.join('/sys/fs/cgroup', process.env[CHILD]!));
    process.stdout.write(JSON.stringify(out));
  })().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e) })); process.exitCode = 1; });
} else {
  const v2 = isRoot ? cgroup2Mount() : undefined;
  describe('cgroups: v2 driver on a real cgroup2 hierarchy', { skip: !isRoot ? 'needs root' : !v2 && 'no cgroup2 mount' }, () => {
    const drivers = () => [
      { name: 'with cgroup.kill', d: new V2Driver(v2!.mountPoint, readControllers(v2!.mountPoint), v2!.own) },
      { name: 'freeze + signal (no cgroup.kill)', d: new V2Driver(v2!.mountPoint, readControllers(v2!.mountPoint), v2!.own, { cgroupKill: false }) },
    ];

    test('create, join, pids(), stats(), killAll, destroy removes leaf and owned parent', async () => {
      for (const { name, d } of drivers()) {
        const parent = uniqueParent();
        const cg = d.create(`${parent}/c1`, {});
        try {
          assert.deepEqual(cg.procsFiles(), [path.join(v2!.mountPoint, parent, 'c1', 'cgroup.procs')], name);
          const p = spawnIn(cg, ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30']);
          await waitFor(() => cg.pids().length === 1 && cg.stats().cpuUsageNs > 0, 5000, `${name}: join and run`);
          const s = cg.stats();
          assert.ok(s.cpuUsageNs > 0, name);
          assert.equal(s.pidsCurrent, 1, `${name}: falls back to counting cgroup.procs`);
          assert.equal(s.memoryLimit, null);
          cg.killAll('SIGTERM');
          assert.equal((await p.exit).signal, 'SIGTERM', name);
        } finally {
          await cg.destroy();
        }
        assert.equal(cg.exists(), false, name);
        assert.deepEqual(leftovers(parent), [], name);
        await cg.destroy(); // again: no error
      }
    });

    test('destroy() stops a fork loop (both kill paths)', async () => {
      for (const { name, d } of drivers()) {
        const parent = uniqueParent();
        const cg = d.create(`${parent}/c1`, {});
        // no pids controller here: bound the loop itself
        const loop = spawnIn(cg, ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done; wait']);
        await waitFor(() => cg.pids().length > 20, 5000, `${name}: the loop`);
        await cg.destroy();
        assert.equal((await loop.exit).signal, 'SIGKILL', name);
        assert.deepEqual(leftovers(parent), [], name);
      }
    });

    test('open() with ownedParents removes the shared parent with the last child', async () => {
      const d = drivers()[0].d;
      const parent = uniqueParent();
      d.create(`${parent}/a`, {});
      d.create(`${parent}/b`, {});
      await d.open(`${parent}/a`, { ownedParents: 1 }).destroy();
      assert.ok(fs.existsSync(path.join(v2!.mountPoint, parent, 'b')), 'sibling kept');
      await d.open(`${parent}/b`, { ownedParents: 1 }).destroy();
      assert.deepEqual(leftovers(parent), []);
    });

    test('killAll()/destroy() refuse a cgroup that holds the calling process', async () => {
      const d = drivers()[0].d;
      const parent = uniqueParent();
      const cg = d.create(`${parent}/c1`, {});
      const home = path.join(v2!.mountPoint, v2!.own, 'cgroup.procs');
      fs.writeFileSync(cg.procsFiles()[0], String(process.pid));
      try {
        await assert.rejects(cg.destroy(), (err: unknown) => err instanceof NscopeError && err.code === 'conflict' && /contains this process/.test(err.message));
        assert.throws(() => cg.killAll(), /contains this process/);
        assert.ok(cg.exists());
      } finally {
        fs.writeFileSync(home, String(process.pid));
      }
      await cg.destroy();
      assert.deepEqual(leftovers(parent), []);
    });

    test('limits whose controller is not there: a clear error, and nothing left behind', () => {
      const d = drivers()[0].d;
      const parent = uniqueParent();
      for (const res of [{ memory: { limit: 64 << 20 } }, { pids: { limit: 5 } }, { cpu: { quota: 50000 } }]) {
        assert.throws(() => d.create(`${parent}/c1`, res), (err: unknown) => {
          assert.ok(err instanceof NscopeError);
          assert.equal(err.code, 'unsupported');
          assert.match(err.message, /controller is not (available|enabled)/);
          return true;
        });
      }
      assert.deepEqual(leftovers(parent), []);
    });

    test('resources.unified: interface files written as given; a missing one or a path named', async () => {
      const d = drivers()[0].d;
      const parent = uniqueParent();
      const cg = d.create(`${parent}/c1`, { unified: { 'cgroup.max.descendants': '3', 'cgroup.max.depth': '2' } });
      const dir = path.join(v2!.mountPoint, v2!.own, parent, 'c1');
      assert.equal(fs.readFileSync(path.join(dir, 'cgroup.max.descendants'), 'utf8').trim(), '3');
      cg.apply({ unified: { 'cgroup.max.descendants': 'max' } });
      assert.equal(fs.readFileSync(path.join(dir, 'cgroup.max.descendants'), 'utf8').trim(), 'max');
      assert.throws(() => cg.apply({ unified: { 'nosuch.file': '1' } }), /resources.unified.nosuch.file: no such file in the container's cgroup/);
      assert.throws(() => cg.apply({ unified: { '../cgroup.procs': '1' } }), /"..\/cgroup.procs" is not a cgroup v2 interface file name/);
      await cg.destroy();
      assert.deepEqual(leftovers(parent), []);
    });

    test('detection in a private mount namespace where /sys/fs/cgroup is pure cgroup2', (t) => {
      const parent = uniqueParent();
      // Lazily detach every cgroup mount in the new namespace only (private
      // propagation: the host's mounts are untouched), then mount cgroup2 alone.
      const script = 'umount -R -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$0" "$1"';
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, __filename], {
        env: { ...process.env, [CHILD]: parent }, encoding: 'utf8', timeout: 30000,
      });
      if (r.error) return t.skip(`unshare not usable: ${r.error.message}`);
      const out = JSON.parse(r.stdout || '{}');
      assert.equal(r.status, 0, `${r.stderr} ${r.stdout}`);
      assert.match(out.plain, /^unsupported: no usable cgroup hierarchy/, 'no controllers in cgroup.controllers: refuse, clearly');
      assert.equal(out.version, 2);
      assert.equal(out.mountPoint, '/sys/fs/cgroup');
      assert.deepEqual(out.procsFiles, [`/sys/fs/cgroup/${parent}/c1/cgroup.procs`]);
      assert.equal(out.pids, 1);
      assert.equal(out.signal, 'SIGKILL');
      assert.equal(out.exists, false);
      assert.equal(out.parentGone, true);
      // It was the same hierarchy as the host's unified mount: nothing left there either.
      assert.deepEqual(leftovers(parent), []);
    });
  });
}

function readControllers(mp: string): string[] {
  return fs.readFileSync(path.join(mp, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
}
