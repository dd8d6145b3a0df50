// nscope-runtime's runc command line, the parts that need no container:
// global options, log lines, systemd cgroup paths, update's resources,
// exec's process, durations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../helper/cli/args';
import { parseGlobals } from '../../helper/cli/runtime-globals';
import { formatLogLine } from '../../helper/cli/runtime-log';
import { expandSlice, systemdCgroupsPath } from '../../helper/cgroups/systemd-path';
import { resourcesFromFlags, resourcesFromJson } from '../../helper/runtime/oci-update';
import { checkProcess, processFromFlags } from '../../helper/runtime/oci-exec-process';
import { parseDuration } from '../../helper/runtime/oci-events';
import { runcSpec } from '../../helper/runtime/oci-spec';
import { defaultSpec } from '../../helper/runtime/spec';

test('global options as engines pass them (go-runc, conmon): both spellings, before the command', () => {
  const { opts, rest } = parseGlobals(['--root', '/r', '--log=/l.json', '--log-format=json', '--systemd-cgroup', '--rootless=false', '--debug', 'exec', '--detach', 'x']);
  assert.deepEqual(rest, ['exec', '--detach', 'x']);
  assert.equal(opts.root, '/r');
  assert.equal(opts.log, '/l.json');
  assert.equal(opts.logFormat, 'json');
  assert.ok(opts.systemdCgroup && opts.debug);
  assert.equal(parseGlobals(['-root', '/s', 'list']).opts.root, '/s', 'urfave/cli takes one dash too');
  assert.equal(parseGlobals(['--root', 'rel/state', 'list']).opts.root, `${process.cwd()}/rel/state`, 'a relative root made absolute, as runc');
  assert.throws(() => parseGlobals(['--rootless', 'true', 'list']), /does not run rootless/);
  assert.throws(() => parseGlobals(['--log-format', 'xml', 'list']), /unknown log format/);
  assert.throws(() => parseGlobals(['--nope', 'list']), /flag provided but not defined: -nope/);
  assert.throws(() => parseGlobals(['--log']), /needs an argument/);
});

test('log lines: logrus JSON (what containerd decodes) and text', () => {
  const t = new Date('2026-01-02T03:04:05.678Z');
  assert.equal(formatLogLine('json', 'error', 'container "x" does not exist', t), '{"level":"error","msg":"container \\"x\\" does not exist","time":"2026-01-02T03:04:05Z"}\n');
  assert.equal(formatLogLine('text', 'error', 'boom', t), 'time="2026-01-02T03:04:05Z" level=error msg=boom\n');
  assert.equal(formatLogLine('text', 'error', 'a b', t), 'time="2026-01-02T03:04:05Z" level=error msg="a b"\n');
});

test('--systemd-cgroup paths as runc\'s systemd driver names them', () => {
  assert.equal(expandSlice('system.slice'), '/system.slice');
  assert.equal(expandSlice('a-b-c.slice'), '/a.slice/a-b.slice/a-b-c.slice');
  assert.equal(expandSlice('-.slice'), '/');
  assert.throws(() => expandSlice('a--b.slice'), /invalid slice name/);
  assert.throws(() => expandSlice('foo'), /invalid slice name/);
  assert.equal(systemdCgroupsPath('system.slice:docker:abc', 'abc'), '/system.slice/docker-abc.scope');
  assert.equal(systemdCgroupsPath('kubepods-besteffort.slice:cri-containerd:1f', '1f'), '/kubepods.slice/kubepods-besteffort.slice/cri-containerd-1f.scope');
  assert.equal(systemdCgroupsPath(':crio:9', '9'), '/system.slice/crio-9.scope', 'an empty slice is system.slice');
  assert.equal(systemdCgroupsPath('-.slice:p:n', 'n'), '/p-n.scope');
  assert.equal(systemdCgroupsPath('user.slice:x:my.slice', 'i'), '/user.slice/my.slice', 'a name that is a slice is the unit');
  assert.equal(systemdCgroupsPath(undefined, 'c1'), '/system.slice/nscope-runtime-c1.scope', 'runc\'s default, with our prefix');
  assert.throws(() => systemdCgroupsPath('/nscope/c1', 'c1'), /expected "slice:prefix:name"/);
  assert.throws(() => systemdCgroupsPath('system.slice:p:a/b', 'x'), /without "\/"/);
});

test('update: LinuxResources JSON with engines\' zeros as "unchanged"; what nscope cannot set is refused by name', () => {
  // what Docker 20.10 sends for `docker update --memory 64m`
  const docker = '{"memory":{"limit":67108864},"cpu":{"cpus":"","mems":"","period":0,"quota":0},"pids":{"limit":0},"blockIO":{"weight":0}}';
  assert.deepEqual(resourcesFromJson(docker, 'stdin'), { memory: { limit: 67108864, swap: undefined, reservation: undefined } });
  assert.deepEqual(resourcesFromJson('{"cpu":{"shares":512,"quota":-1},"pids":{"limit":-1}}', 'f'), {
    cpu: { shares: 512, quota: -1, period: undefined, cpus: undefined, mems: undefined }, pids: { limit: -1 },
  });
  assert.deepEqual(resourcesFromJson('{"hugepageLimits":[{"pageSize":"2MB","limit":0}],"memory":{"kernel":1024}}', 'f'), {}, 'kubelet\'s zero hugepage limits, kernel memory: ignored');
  assert.deepEqual(resourcesFromJson('{"blockIO":{"weight":300}}', 'f'), { blockIO: { weight: 300 } });
  assert.throws(() => resourcesFromJson('{"blockIO":{"weight":5}}', 'f'), /blockIO\.weight: 5 is out of range; the range of blkio weight is from 10 to 1000/);
  assert.throws(() => resourcesFromJson('{"blockIO":{"throttleReadBpsDevice":[{"major":8,"rate":-1}]}}', 'f'), /throttleReadBpsDevice: each entry needs a major and a minor/);
  assert.deepEqual(resourcesFromJson('{"memory":{"swappiness":0}}', 'f'), { memory: { limit: undefined, swap: undefined, reservation: undefined, swappiness: 0 } }, 'swappiness 0 is a value');
  assert.throws(() => resourcesFromJson('{"memory":{"swappiness":101}}', 'f'), /memory\.swappiness: 101/);
  assert.throws(() => resourcesFromJson('{"hugepageLimits":[{"pageSize":"2MB","limit":1048576}]}', 'f'), /hugepageLimits is not supported/);
  assert.throws(() => resourcesFromJson('{"unified":{"memory.high":"1"}}', 'f'), /unified is not supported/);
  assert.throws(() => resourcesFromJson('[]', 'f'), /must be an object/);
  assert.throws(() => resourcesFromJson('{"memory":{"limit":"64m"}}', 'f'), /memory\.limit: "64m" is not an integer/);
  assert.throws(() => resourcesFromJson('{"memory":{"limit":1000,"swap":10}}', 'f'), /memory\.swap: 10 is below memory\.limit/);
  assert.deepEqual(resourcesFromFlags({ memory: '64m', memorySwap: '-1', cpuShares: '0', pidsLimit: '10', cpusetCpus: '0' }), {
    memory: { limit: 64 << 20, swap: -1, reservation: undefined }, cpu: { shares: undefined, quota: undefined, period: undefined, cpus: '0', mems: undefined }, pids: { limit: 10 },
  });
  assert.deepEqual(resourcesFromFlags({ blkioWeight: '500' }), { blockIO: { weight: 500 } });
  assert.throws(() => resourcesFromFlags({ l3CacheSchema: 'L3:0=f' }), /Intel RDT/);
  assert.throws(() => resourcesFromFlags({ cpuQuota: 'lots' }), /--cpu-quota: "lots" is not an integer/);
  const p = parseArgs(['--cpu-shares', '5', 'x'], [{ name: 'cpu-share', takesValue: true, aliases: ['cpu-shares'] }]);
  assert.equal(p.flags['cpu-share'], '5', '--cpu-shares is an alias of runc\'s --cpu-share');
});

test('exec process: runc\'s flags over the container\'s process, checked as runc checks it', () => {
  const base = defaultSpec().process;
  const p = processFromFlags(base, { args: ['id'], cwd: '/tmp', env: ['A=1'], tty: true, user: '1000:5', additionalGids: ['7'], caps: ['CAP_SYS_ADMIN'], noNewPrivs: false });
  assert.deepEqual(p.args, ['id']);
  assert.equal(p.cwd, '/tmp');
  assert.equal(p.terminal, true);
  assert.deepEqual(p.user, { uid: 1000, gid: 5, additionalGids: [7] });
  assert.ok(p.capabilities!.bounding!.includes('CAP_SYS_ADMIN') && p.capabilities!.ambient!.includes('CAP_SYS_ADMIN'));
  assert.equal(p.noNewPrivileges, false);
  assert.deepEqual(p.env!.slice(-1), ['A=1']);
  assert.equal(base.args[0], 'sh', 'the container\'s own process is not changed');
  assert.equal(processFromFlags(base, { args: ['id'], user: '1000' }).user.gid, 0, 'no :GID keeps the container\'s');
  assert.equal(processFromFlags({ ...base, terminal: true }, { args: ['id'] }).terminal, false, 'only -t gives a tty');
  assert.throws(() => processFromFlags(base, { args: ['id'], user: 'nobody' }), /UID\[:GID\]/);
  const nope = processFromFlags(base, { args: ['id'], caps: ['CAP_NOPE', 'CAP_SYS_ADMIN'] });
  assert.ok(!nope.capabilities!.bounding!.includes('CAP_NOPE') && nope.capabilities!.bounding!.includes('CAP_SYS_ADMIN'), 'an unknown name is left out (with a warning), as runc');
  assert.throws(() => processFromFlags(base, { args: ['id'], apparmor: 'docker-default' }), /AppArmor is not supported/);
  assert.throws(() => checkProcess({ ...base, cwd: '' }), /cwd property must not be empty/);
  assert.throws(() => checkProcess({ ...base, args: [] }), /args must not be empty/);
});

test('events --interval takes Go durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m30s'), 90000);
  assert.throws(() => parseDuration('5'), /not a duration/);
  assert.throws(() => parseDuration('0s'), /must be positive/);
});

test('spec: runc\'s starter spec, and its rootless variant', () => {
  const s = runcSpec();
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.capabilities!.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
  assert.deepEqual(s.linux!.namespaces!.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount']);
  const r = runcSpec(true, 1000, 1000);
  assert.deepEqual(r.linux!.namespaces!.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'user']);
  assert.deepEqual(r.linux!.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.deepEqual(r.mounts!.find((m) => m.destination === '/sys')!.options, ['rbind', 'nosuid', 'noexec', 'nodev', 'ro']);
  assert.ok(!r.mounts!.find((m) => m.destination === '/dev/pts')!.options!.some((o) => o.startsWith('gid=')));
});
