// Detection and path rules against mountinfo/cgroup texts of other hosts
// (no root; nothing is created: open() only computes paths).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { detect, detectCgroups } from '../../helper/cgroups/detect';
import { parseCgroupMounts, parseProcCgroup, relToMount } from '../../helper/cgroups/mountinfo';
import { normalizeRel, resolveCgroupsPath } from '../../helper/cgroups/paths';
import { V1Driver } from '../../helper/cgroups/v1';
import { NscopeError } from '../../helper/errors';

// This VM: v1 controllers one per mount, name=systemd, and a cgroup2
// "unified" mount with only hugetlb; the memory cgroup is not /.
const HYBRID_MOUNTINFO = `22 1 8:1 / / rw,relatime - ext4 /dev/vda1 rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/bd77
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

// Debian 12 / Fedora: pure v2.
const V2_MOUNTINFO = `22 1 8:1 / / rw,relatime - ext4 /dev/vda1 rw
30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const V2_CGROUP = '0::/user.slice/user-1000.slice/session-3.scope\n';

// Ubuntu 20.04 / CentOS 7 style: co-mounted controllers behind symlinks.
const COMOUNT_MOUNTINFO = `25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio
33 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory
34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids
35 25 0:32 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,cpuset,clone_children
36 25 0:30 / /mnt/memory\\040copy rw,relatime - cgroup cgroup rw,memory
`;
const COMOUNT_CGROUP = `12:pids:/user.slice/user-1000.slice
5:memory:/user.slice/user-1000.slice
4:cpu,cpuacct:/user.slice
1:name=systemd:/user.slice/user-1000.slice/session-1.scope
0::/user.slice/user-1000.slice/session-1.scope
`;

// Inside a Docker container without a cgroup namespace: the mounts show a subtree.
const SUBTREE_MOUNTINFO = `800 790 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
801 790 0:36 /docker/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids
`;
const SUBTREE_CGROUP = '8:pids:/docker/abc\n4:memory:/docker/abc/inner\n';

test('parseCgroupMounts: fields, controllers without generic options, octal escapes', () => {
  const ms = parseCgroupMounts(COMOUNT_MOUNTINFO);
  assert.equal(ms.length, 8);
  const cpu = ms.find((m) => m.mountPoint === '/sys/fs/cgroup/cpu,cpuacct')!;
  assert.deepEqual(cpu.controllers, ['cpu', 'cpuacct']);
  assert.deepEqual(ms.find((m) => m.mountPoint === '/sys/fs/cgroup/cpuset')!.controllers, ['cpuset']);
  assert.deepEqual(ms.find((m) => m.mountPoint === '/sys/fs/cgroup/systemd')!.controllers, ['name=systemd']);
  assert.ok(ms.some((m) => m.mountPoint === '/mnt/memory copy'));
  assert.deepEqual(parseProcCgroup(COMOUNT_CGROUP)[2], { id: 4, controllers: ['cpu', 'cpuacct'], path: '/user.slice' });
  assert.deepEqual(parseProcCgroup('0::/\n')[0], { id: 0, controllers: [], path: '/' });
});

test('relToMount: strips the mounted subtree, null outside it', () => {
  assert.equal(relToMount('/a/b', '/'), 'a/b');
  assert.equal(relToMount('/', '/'), '');
  assert.equal(relToMount('/docker/abc/x', '/docker/abc'), 'x');
  assert.equal(relToMount('/docker/abc', '/docker/abc/'), '');
  assert.equal(relToMount('/docker/abcd', '/docker/abc'), null);
});

test('hybrid (this VM): v1, the unified mount with only hugetlb is ignored', () => {
  const d = detect({ mountinfo: HYBRID_MOUNTINFO, procCgroup: HYBRID_CGROUP, v2Controllers: () => ['hugetlb'] });
  assert.equal(d.version, 1);
  assert.deepEqual(d.controllers.sort(), ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']);
  assert.equal(d.own, 'process_api/bd77');
  const drv = detectCgroups({ mountinfo: HYBRID_MOUNTINFO, procCgroup: HYBRID_CGROUP, v2Controllers: () => ['hugetlb'] });
  assert.equal(drv.version, 1);
  const files = drv.open('/nscope/x').procsFiles();
  assert.deepEqual(files, ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'systemd']
    .map((c) => `/sys/fs/cgroup/${c}/nscope/x/cgroup.procs`));
});

test('pure v2: the cgroup2 mount at /sys/fs/cgroup with controllers', () => {
  const d = detect({ mountinfo: V2_MOUNTINFO, procCgroup: V2_CGROUP, v2Controllers: () => ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] });
  assert.equal(d.version, 2);
  assert.equal(d.v2Mount!.mountPoint, '/sys/fs/cgroup');
  assert.equal(d.own, 'user.slice/user-1000.slice/session-3.scope');
  const drv = detectCgroups({ mountinfo: V2_MOUNTINFO, procCgroup: V2_CGROUP, v2Controllers: () => ['cpu', 'memory', 'pids'] });
  assert.equal(drv.version, 2);
  assert.deepEqual(drv.open('nscope/x').procsFiles(), ['/sys/fs/cgroup/nscope/x/cgroup.procs']);
});

test('co-mounted cpu,cpuacct: one directory per mount, the duplicate memory mount ignored', () => {
  const drv = detectCgroups({ mountinfo: COMOUNT_MOUNTINFO, procCgroup: COMOUNT_CGROUP, v2Controllers: () => [] }) as V1Driver;
  assert.equal(drv.version, 1);
  assert.deepEqual(drv.hierarchies.map((h) => [h.mountPoint, h.controllers]), [
    ['/sys/fs/cgroup/systemd', ['name=systemd']],
    ['/sys/fs/cgroup/cpu,cpuacct', ['cpu', 'cpuacct']],
    ['/sys/fs/cgroup/memory', ['memory']],
    ['/sys/fs/cgroup/pids', ['pids']],
    ['/sys/fs/cgroup/cpuset', ['cpuset']],
  ]);
  assert.equal(drv.ownCgroup(), 'user.slice/user-1000.slice', 'own = the memory hierarchy view');
  assert.equal(drv.open('nscope/x').procsFiles().length, 5);
});

test('a mount showing a subtree: own cgroup is relative to the mount point', () => {
  const d = detect({ mountinfo: SUBTREE_MOUNTINFO, procCgroup: SUBTREE_CGROUP });
  assert.equal(d.version, 1);
  assert.equal(d.own, 'inner');
});

test('nothing usable: one clear unsupported error listing what was found', () => {
  for (const [mi, ctrls] of [['22 1 8:1 / / rw - ext4 /dev/vda1 rw\n', []], [V2_MOUNTINFO, ['hugetlb']]] as const) {
    assert.throws(() => detect({ mountinfo: mi, procCgroup: '0::/\n', v2Controllers: () => [...ctrls] }), (err: unknown) => {
      assert.ok(err instanceof NscopeError);
      assert.equal(err.code, 'unsupported');
      assert.match(err.message, /^no usable cgroup hierarchy: .*found (none|\/sys\/fs\/cgroup \(cgroup2\))$/);
      return true;
    });
  }
});

test('normalizeRel: slashes folded, escapes and the root refused', () => {
  assert.equal(normalizeRel('nscope/abc'), 'nscope/abc');
  assert.equal(normalizeRel('/nscope//abc/'), 'nscope/abc');
  for (const bad of ['', '/', '//', '..', 'a/..', '../a', 'a/./b', 'a/../../b', 'a\0b', 'a\nb', 'x'.repeat(256)]) {
    assert.throws(() => normalizeRel(bad), (err: unknown) => err instanceof NscopeError && err.code === 'invalid', JSON.stringify(bad));
  }
  assert.throws(() => normalizeRel('a/../b'), /cgroup path: "a\/..\/b" contains ".."; it must stay inside the cgroup hierarchy/);
});

test('resolveCgroupsPath: absolute from the root, relative below the caller, empty = own/id', () => {
  assert.equal(resolveCgroupsPath('/nscope/abc', 'process_api/x'), 'nscope/abc');
  assert.equal(resolveCgroupsPath('nscope/abc', 'process_api/x'), 'process_api/x/nscope/abc');
  assert.equal(resolveCgroupsPath('nscope/abc', ''), 'nscope/abc');
  assert.equal(resolveCgroupsPath(undefined, 'user.slice', 'abc'), 'user.slice/abc');
  assert.equal(resolveCgroupsPath('', '', 'abc'), 'abc');
  assert.throws(() => resolveCgroupsPath('../escape', 'process_api/x'), /contains "\.\."/);
  assert.throws(() => resolveCgroupsPath('/a/../../b', ''), /contains "\.\."/);
  assert.throws(() => resolveCgroupsPath('system.slice:docker:abc', ''), /systemd slice path/);
  assert.throws(() => resolveCgroupsPath(undefined, ''), /no container id/);
});
