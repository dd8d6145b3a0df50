// The `nscope run`/`create` flags a Docker user expects, against a real
// helper: each one's effect seen from inside the container, and a refused
// value leaving nothing behind (no container, cgroup or mount).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { runCommand } from '../helpers/command';
import { assertRefused } from '../helpers/refused';
import { cgroupDirs, REPO, startWithImage, TEST_PROGRAMS, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('runflags'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

/** Runs the CLI and checks it was refused with `msg` and left no container, cgroup or mount. */
const refused = (args: string[], msg: RegExp) => assertRefused(d, args, msg);

test('--cpus out of range is refused with Docker\'s words; other numeric limits are range-checked', async () => {
  const n = Number(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',').reduce((a, p) => { const [x, y = x] = p.split('-').map(Number); return a + y - x + 1; }, 0));
  const range = new RegExp(`Range of CPUs is from 0\\.01 to ${n}\\.00, as there are only ${n} CPUs available`);
  await refused(['run', '--rm', '--cpus', '-1', 'host', 'true'], range);
  await refused(['create', '--cpus', String(n + 1), 'host', 'true'], range);
  await refused(['run', '--rm', '--cpus', '0.001', 'host', 'true'], range);
  await refused(['run', '--rm', '--cpu-shares', '1', 'host', 'true'], /--cpu-shares: "1" is out of range; use 2\.\.262144/);
  await refused(['run', '--rm', '--cpu-shares', '-5', 'host', 'true'], /--cpu-shares: "-5" is out of range/);
  await refused(['run', '--rm', '--memory', '64m', '--memory-swap', '32m', 'host', 'true'], /--memory-swap: .* is below --memory/);
  await refused(['run', '--rm', '--memory-swap', '64m', 'host', 'true'], /--memory-swap: needs --memory too/);
  await refused(['run', '--rm', '--memory', '1m', 'host', 'true'], /--memory: .* below the minimum of 6 MiB/);
  await refused(['run', '--rm', '--pids-limit', '-2', 'host', 'true'], /--pids-limit: -2 is out of range/);
  await refused(['run', '--rm', '--pids-limit', '99999999', 'host', 'true'], /--pids-limit: 99999999 is out of range/);
  await refused(['run', '--rm', '--cpuset-cpus', `0-${n + 3}`, 'host', 'true'], /--cpuset-cpus: CPU .* not online/);
  await refused(['run', '--rm', '--cpuset-mems', '7', 'host', 'true'], /--cpuset-mems: memory node 7 is not online/);
  await refused(['run', '--rm', '--memory', '64m', '--memory-reservation', '128m', 'host', 'true'], /--memory-reservation: .* is above --memory/);
  // update checks the same way, and changes nothing
  const id = (await d.cli(['run', '-d', 'host', 'sleep', '60'])).stdout.trim();
  const u = await d.cli(['update', '--cpus', '-1', id]);
  assert.notEqual(u.code, 0);
  assert.match(u.stderr, range);
  // --cpus 0 is "no limit", as in Docker
  assert.equal((await d.cli(['update', '--cpus', '0', id])).code, 0);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
});

test('--memory-reservation sets the soft limit', async () => {
  const r = await d.cli(['run', '-d', '--memory', '64m', '--memory-reservation', '32m', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const v1 = `/sys/fs/cgroup/memory/${d.cgroupParent}/${id}/memory.soft_limit_in_bytes`;
  const v2 = `/sys/fs/cgroup/${d.cgroupParent}/${id}/memory.low`;
  assert.equal(fs.readFileSync(fs.existsSync(v1) ? v1 : v2, 'utf8').trim(), String(32 << 20));
  const ins = JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope;
  assert.equal(ins.limits.memoryReservation, 32 << 20);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
});

test('--env-file: read by the client, before -e; KEY alone takes the client\'s value', async () => {
  const f = `${d.dir}/app.env`;
  fs.writeFileSync(f, '# settings\nGREETING=hello world\nLEVEL=1\nFROM_CLIENT\nNOT_SET_ANYWHERE\n');
  const r = await d.cli(['run', '--rm', '--env-file', f, '-e', 'LEVEL=2', '-e', 'ALSO', 'host', 'sh', '-c', 'echo "$GREETING|$LEVEL|$FROM_CLIENT|$ALSO|${NOT_SET_ANYWHERE-unset}"'],
    { env: { ...process.env, FROM_CLIENT: 'client', ALSO: 'too' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello world|2|client|too|unset\n');
  // run as a program, as a user does: bin/nscope hands itself to node after `--`, so node 20
  // (nodejs/node#54232) does not read this --env-file as its own; the missing file is nscope's error
  const missing = await runCommand(path.join(REPO, 'bin', 'nscope'), ['--socket', d.socket, 'run', '--rm', '--env-file', `${d.dir}/missing.env`, 'host', 'true']);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr, `nscope: open ${d.dir}/missing.env: no such file or directory\n`);
  fs.writeFileSync(f, 'BAD KEY=1\n');
  await refused(['create', '--env-file', f, 'host', 'true'], /poorly formatted environment: variable 'BAD KEY' contains whitespaces/);
});

test('--label-file: read by the client, -l wins; --cidfile: the new ID written, a file already there refused (125), none left by a failed create; -q: no pull output', async () => {
  const f = `${d.dir}/app.labels`;
  fs.writeFileSync(f, '# labels\ntier=back\nteam=core\n\nflag\n');
  const cid = `${d.dir}/app.cid`;
  const r = await d.cli(['create', '-q', '--name', 'labelled', '--label-file', f, '-l', 'tier=front', '--cidfile', cid, 'host', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const id = r.stdout.trim();
  assert.equal(fs.readFileSync(cid, 'utf8'), id);
  assert.deepEqual(JSON.parse((await d.cli(['inspect', '-f', '{{json .Config.Labels}}', 'labelled'])).stdout), { tier: 'front', team: 'core', flag: '' });
  // the file is another container's: refused before anything is made
  const again = await d.cli(['run', '--cidfile', cid, 'host', 'true']);
  assert.equal(again.code, 125, again.stderr);
  assert.match(again.stderr, /container ID file found, make sure the other container isn't running or delete /);
  assert.equal(fs.readFileSync(cid, 'utf8'), id, 'the other container\'s ID kept');
  // a create that fails leaves no file
  const failed = `${d.dir}/failed.cid`;
  const bad = await d.cli(['create', '--cidfile', failed, 'no-such-image-here', 'true']);
  assert.notEqual(bad.code, 0);
  assert.equal(fs.existsSync(failed), false);
  assert.equal((await d.cli(['rm', 'labelled'])).code, 0);
  await refused(['create', '--label-file', `${d.dir}/none.labels`, 'host', 'true'], /open .*none\.labels: no such file or directory/);
});

test('--expose: ports and ranges beside the image\'s EXPOSE, published by -P; bad ones refused', async () => {
  const r = await d.cli(['run', '-d', '--name', 'exposer', '-P', '--expose', '8080', '--expose', '9000-9001/udp', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const ports = (await d.cli(['port', 'exposer'])).stdout.split('\n').filter(Boolean).map((l) => l.split(' -> ')[0]).sort();
  assert.deepEqual(ports, ['8080/tcp', '9000/udp', '9001/udp']);
  assert.equal((await d.cli(['rm', '-f', 'exposer'])).code, 0);
  // exposed without -P: nothing published, but inspect lists it as Docker's does
  assert.equal((await d.cli(['create', '--name', 'exposed-only', '--expose', '7000', 'host', 'true'])).code, 0);
  assert.deepEqual(Object.keys(JSON.parse((await d.cli(['inspect', '-f', '{{json .Config.ExposedPorts}}', 'exposed-only'])).stdout)), ['7000/tcp']);
  assert.equal((await d.cli(['rm', 'exposed-only'])).code, 0);
  await refused(['create', '--expose', '70000', 'host', 'true'], /--expose: invalid range format for --expose: 70000/);
  await refused(['create', '--expose', '90-80', 'host', 'true'], /invalid range format/);
});

test('--ulimit: the container\'s init and exec\'d processes get the limits; bad ones are refused by name', async () => {
  const r = await d.cli(['run', '-d', '--ulimit', 'nofile=512:2048', '--ulimit', 'core=-1', '--ulimit', 'nproc=200:300', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const limits = "echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -c) $(ulimit -Sp) $(ulimit -Hp)";
  const init = fs.readFileSync(`/proc/${JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope.pid}/limits`, 'utf8');
  assert.match(init, /Max open files\s+512\s+2048/);
  assert.match(init, /Max core file size\s+unlimited\s+unlimited/);
  assert.match(init, /Max processes\s+200\s+300/);
  const e = await d.cli(['exec', id, 'sh', '-c', limits]);
  assert.equal(e.stdout, '512 2048 unlimited 200 300\n', e.stderr);
  const ins = JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope;
  assert.deepEqual(ins.spec.process.rlimits.find((x: { type: string }) => x.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 512, hard: 2048 });
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  const run = await d.cli(['run', '--rm', '--ulimit', 'stack=8388608:unlimited', 'host', 'sh', '-c', 'echo $(ulimit -Ss) $(ulimit -Hs)']);
  assert.equal(run.stdout, '8192 unlimited\n', run.stderr);
  await refused(['run', '--rm', '--ulimit', 'nofile=2048:1024', 'host', 'true'], /--ulimit nofile: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024/);
  await refused(['run', '--rm', '--ulimit', 'openfiles=10', 'host', 'true'], /invalid ulimit type: openfiles/);
  await refused(['create', '--ulimit', 'nproc', 'host', 'true'], /invalid ulimit argument: nproc/);
  await refused(['create', '--ulimit', 'nofile=unlimited', 'host', 'true'], /--ulimit nofile: unlimited is above the kernel's maximum/);
});

/** Waits for `stop` to return and the container's exit code. */
async function stopAndCode(ref: string): Promise<number> {
  const s = await d.cli(['stop', ref]);
  assert.equal(s.code, 0, s.stderr);
  return Number((await d.cli(['wait', ref])).stdout.trim());
}

const TRAP_USR1 = 'trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.1; done';

async function ready(ref: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!(await d.cli(['logs', ref])).stdout.includes('ready')) {
    if (Date.now() > deadline) throw new Error(`${ref} did not get ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--stop-signal and --stop-timeout: used by stop and restart, shown by inspect; bad values refused', async () => {
  const id = (await d.cli(['run', '-d', '--stop-signal', 'USR1', '--stop-timeout', '30', 'host', 'sh', '-c', TRAP_USR1])).stdout.trim();
  const ins = JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope;
  assert.equal(ins.stopSignal, 'USR1');
  assert.equal(ins.stopTimeout, 30);
  await ready(id);
  assert.equal(await stopAndCode(id), 7, 'the trap ran: stop sent SIGUSR1, not SIGTERM then SIGKILL');
  assert.match((await d.cli(['logs', id])).stdout, /got-usr1/);
  // restart is stop + start: the same signal
  assert.equal((await d.cli(['start', id])).code, 0);
  await waitFor(async () => ((await d.cli(['logs', id])).stdout.match(/ready/g) ?? []).length === 2, 10000, 'the second run');
  assert.equal((await d.cli(['restart', id])).code, 0);
  assert.equal(((await d.cli(['logs', id])).stdout.match(/got-usr1/g) ?? []).length, 2);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  // a program that ignores the stop signal is killed once --stop-timeout has passed
  const deaf = (await d.cli(['run', '-d', '--stop-timeout', '1', 'host', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'])).stdout.trim();
  await ready(deaf);
  assert.equal(await stopAndCode(deaf), 137);
  assert.equal((await d.cli(['rm', deaf])).code, 0);
  const defaults = JSON.parse((await d.cli(['inspect', (await d.cli(['create', '--name', 'defaults', 'host', 'true'])).stdout.trim()])).stdout)[0].Nscope;
  assert.equal(defaults.stopSignal, 'SIGTERM');
  assert.equal(defaults.stopTimeout, 10);
  assert.equal((await d.cli(['rm', 'defaults'])).code, 0);
  await refused(['run', '--rm', '--stop-signal', 'SIGNOPE', 'host', 'true'], /--stop-signal: Invalid signal: SIGNOPE/);
  await refused(['create', '--stop-signal', '99', 'host', 'true'], /--stop-signal: Invalid signal: 99/);
  await refused(['create', '--stop-timeout', '-5', 'host', 'true'], /--stop-timeout: -5 is out of range/);
  await refused(['create', '--stop-timeout', 'soon', 'host', 'true'], /invalid argument "soon" for "--stop-timeout" flag/);
});

test('the image\'s STOPSIGNAL is what stop sends when --stop-signal is not given', async () => {
  const ctx = fs.mkdtempSync(`${d.dir}/ctx-`);
  fs.writeFileSync(`${ctx}/Containerfile`, 'FROM host\nSTOPSIGNAL SIGUSR1\n');
  const b = await d.cli(['build', '-t', 'usr1stop', ctx], { env: { ...process.env, XDG_CACHE_HOME: `${d.dir}/cache` } });
  assert.equal(b.code, 0, b.stderr);
  const id = (await d.cli(['run', '-d', 'usr1stop', 'sh', '-c', TRAP_USR1])).stdout.trim();
  assert.equal(JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope.stopSignal, 'SIGUSR1');
  await ready(id);
  assert.equal(await stopAndCode(id), 7);
  assert.equal((await d.cli(['rm', id])).code, 0);
  // --stop-signal wins over the image's
  const other = (await d.cli(['create', '--stop-signal', 'SIGINT', 'usr1stop', 'true'])).stdout.trim();
  assert.equal(JSON.parse((await d.cli(['inspect', other])).stdout)[0].Nscope.stopSignal, 'SIGINT');
  assert.equal((await d.cli(['rm', other])).code, 0);
  assert.equal((await d.cli(['image', 'rm', 'usr1stop'])).code, 0);
});

test('--add-host, --dns, --dns-search, --dns-option: the container\'s /etc/hosts and /etc/resolv.conf', async () => {
  const r = await d.cli(['run', '--rm', '--add-host', 'db.internal:10.1.2.3', '--add-host', 'six=[fd00::5]', '--dns', '192.0.2.53', '--dns', '2001:db8::53',
    '--dns-search', 'example.com', '--dns-option', 'ndots:2', '--dns-option', 'edns0', 'host', 'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf']);
  assert.equal(r.code, 0, r.stderr);
  const [hosts, resolv] = r.stdout.split('---\n');
  assert.match(hosts, /^10\.1\.2\.3\tdb\.internal$/m);
  assert.match(hosts, /^fd00::5\tsix$/m);
  assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);
  assert.equal(resolv, 'search example.com\nnameserver 192.0.2.53\nnameserver 2001:db8::53\noptions ndots:2 edns0\n');
  // only what was given replaces the host's: here the search domains (none: ".")
  const only = await d.cli(['run', '--rm', '--dns-search', '.', 'host', 'cat', '/etc/resolv.conf']);
  assert.equal(only.code, 0, only.stderr);
  assert.doesNotMatch(only.stdout, /^search /m);
  assert.match(only.stdout, /^nameserver /m);
  // --network none: the files are the container's own still
  const none = await d.cli(['run', '--rm', '--network', 'none', '--add-host', 'db:10.9.9.9', '--dns', '192.0.2.1', 'host', 'sh', '-c', 'cat /etc/hosts /etc/resolv.conf']);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /^10\.9\.9\.9\tdb$/m);
  assert.match(none.stdout, /^nameserver 192\.0\.2\.1$/m);
  // kept across a restart of the container (its network attached again rewrites /etc/hosts)
  const id = (await d.cli(['run', '-d', '--add-host', 'db:10.1.2.3', 'host', 'sleep', '60'])).stdout.trim();
  assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
  assert.match((await d.cli(['exec', id, 'cat', '/etc/hosts'])).stdout, /^10\.1\.2\.3\tdb$/m);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  // host-gateway: the host's address on the default network, as Docker's is docker0's
  const gw = await d.cli(['run', '--rm', '--add-host', 'gw:host-gateway', 'host', 'grep', 'gw', '/etc/hosts']);
  assert.equal(gw.code, 0, gw.stderr);
  assert.equal(gw.stdout, `${JSON.parse((await d.cli(['network', 'inspect', 'bridge'])).stdout)[0].IPAM.Config[0].Gateway}\tgw\n`);
  await refused(['run', '--rm', '--add-host', 'nocolon', 'host', 'true'], /bad format for add-host: "nocolon"/);
  await refused(['run', '--rm', '--add-host', 'db:999.1.1.1', 'host', 'true'], /invalid IP address in add-host: "999\.1\.1\.1"/);
  await refused(['run', '--rm', '--add-host', 'bad name:10.0.0.1', 'host', 'true'], /--add-host: "bad name" is not a valid host name/);
  await refused(['run', '--rm', '--dns', 'dns.example', 'host', 'true'], /--dns: IP address is not correctly formatted: dns\.example/);
  await refused(['run', '--rm', '--dns-search', 'bad domain', 'host', 'true'], /--dns-search: bad domain is not a valid domain/);
  await refused(['run', '--rm', '--dns-option', 'ndots:2\nnameserver 6.6.6.6', 'host', 'true'], /--dns-option: [\s\S]* is not an option/);
  const other = (await d.cli(['run', '-d', 'host', 'sleep', '60'])).stdout.trim();
  await refused(['run', '--rm', '--network', `container:${other}`, '--add-host', 'db:10.0.0.1', 'host', 'true'], /conflicting options: custom host-to-IP mapping and the network mode/);
  await refused(['run', '--rm', '--network', `container:${other}`, '--dns', '10.0.0.1', 'host', 'true'], /conflicting options: dns and the network mode/);
  assert.equal((await d.cli(['rm', '-f', other])).code, 0);
});

test('--shm-size: the size of the container\'s /dev/shm tmpfs', async () => {
  const c = await d.client();
  await c.request('image.host', { name: 'withdf', programs: [...TEST_PROGRAMS, 'df'] });
  const r = await d.cli(['run', '--rm', '--shm-size', '128m', 'withdf', 'df', '-k', '/dev/shm']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\s131072\s+0\s+131072\s/);
  const dflt = await d.cli(['run', '--rm', 'withdf', 'df', '-k', '/dev/shm']);
  assert.match(dflt.stdout, /\s65536\s+0\s+65536\s/);
  await refused(['run', '--rm', '--shm-size', 'lots', 'host', 'true'], /--shm-size: "lots" is not a size/);
  assert.equal((await d.cli(['image', 'rm', 'withdf'])).code, 0);
});

test('--sysctl: namespaced ones set in the container (/proc/sys), the host\'s refused', async () => {
  const r = await d.cli(['run', '--rm', '--sysctl', 'net.ipv4.ip_unprivileged_port_start=80', '--sysctl', 'kernel.shmmni=1234', '--sysctl', 'kernel.msgmax=4321',
    'host', 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start', '/proc/sys/kernel/shmmni', '/proc/sys/kernel/msgmax']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '80\n1234\n4321\n');
  // the host's are untouched
  assert.notEqual(fs.readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim(), '1234');
  await refused(['run', '--rm', '--sysctl', 'kernel.pid_max=100000', 'host', 'true'], /--sysctl: sysctl "kernel\.pid_max" is not in a separate kernel namespace/);
  await refused(['run', '--rm', '--sysctl', 'vm.swappiness=1', 'host', 'true'], /sysctl "vm\.swappiness" is not in a separate kernel namespace/);
  await refused(['run', '--rm', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', 'host', 'true'], /sysctl "net\.ipv4\.ip_forward" not allowed in host network namespace/);
  await refused(['run', '--rm', '--ipc', 'host', '--sysctl', 'kernel.shmmax=1', 'host', 'true'], /sysctl "kernel\.shmmax" is not allowed as it conflicts with the OCI "ipc" namespace/);
  await refused(['run', '--rm', '--sysctl', 'net.core.somaxconn', 'host', 'true'], /--sysctl: "net\.core\.somaxconn" is not KEY=VALUE/);
  await refused(['run', '--rm', '--sysctl', '../../kernel.x=1', 'host', 'true'], /is not a sysctl name/);
});

test('--group-add: more groups for the container\'s process (GIDs and names in the image\'s /etc/group), exec too', async () => {
  const r = await d.cli(['run', '--rm', '--group-add', '4242', '--group-add', 'nogroup', 'host', 'id', '-G']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split(' ').sort(), ['0', '4242', '65534']);
  const id = (await d.cli(['run', '-d', '--user', 'nobody', '--group-add', '77', 'host', 'sleep', '60'])).stdout.trim();
  assert.equal((await d.cli(['exec', id, 'id', '-G'])).stdout.trim(), '65534 77');
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  await refused(['run', '--rm', '--group-add', 'wheel', 'host', 'true'], /Unable to find group wheel: no matching entries in group file/);
});

test('--device: the host\'s node in the container, opened as its device cgroup allows (v1 devices.allow)', async () => {
  const src = '/dev/loop-control';
  if (!fs.existsSync(src)) return;
  const r = await d.cli(['run', '--rm', '--device', `${src}:/dev/lc`, 'host', 'sh', '-c', 'stat -c "%F %t:%T %a" /dev/lc && dd if=/dev/lc count=0 2>&1 && echo opened']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^character special file a:ed 600$/m);
  assert.match(r.stdout, /opened/);
  // without --device the same node, made in the container, cannot be opened: the cgroup's rules
  const without = await d.cli(['run', '--rm', 'host', 'sh', '-c', 'mknod /dev/lc c 10 237 && dd if=/dev/lc count=0']);
  assert.notEqual(without.code, 0);
  assert.match(without.stderr + without.stdout, /Operation not permitted/);
  // :w allows writing only
  const wo = await d.cli(['run', '--rm', '--device', `${src}:/dev/lc:w`, 'host', 'sh', '-c', 'dd if=/dev/lc count=0']);
  assert.notEqual(wo.code, 0);
  assert.match(wo.stderr + wo.stdout, /Operation not permitted/);
  await refused(['run', '--rm', '--device', '/dev/nope', 'host', 'true'], /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/);
  await refused(['run', '--rm', '--device', '/etc/passwd', 'host', 'true'], /error gathering device information while adding custom device "\/etc\/passwd": not a device node/);
  await refused(['run', '--rm', '--device', '/dev/null:/dev/n:rwx', 'host', 'true'], /invalid device mode: rwx/);
  await refused(['run', '--rm', '--device', '/dev/null:a:b:c', 'host', 'true'], /invalid device specification: \/dev\/null:a:b:c/);
  await refused(['run', '--rm', '--device', '/dev/null:dev/n', 'host', 'true'], /--device: dev\/n is not an absolute path/);
});

test('--oom-kill-disable: the memory cgroup\'s OOM killer is off (cgroup v1), kept across a restart', async () => {
  const id = (await d.cli(['run', '-d', '--memory', '32m', '--oom-kill-disable', 'host', 'sleep', '60'])).stdout.trim();
  const file = `/sys/fs/cgroup/memory/${d.cgroupParent}/${id}/memory.oom_control`;
  if (!fs.existsSync(file)) { await d.cli(['rm', '-f', id]); return; } // cgroup v2: no such switch, as with runc
  assert.match(fs.readFileSync(file, 'utf8'), /^oom_kill_disable 1$/m);
  assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
  assert.match(fs.readFileSync(file, 'utf8'), /^oom_kill_disable 1$/m);
  assert.equal(JSON.parse((await d.cli(['inspect', id])).stdout)[0].Nscope.limits.oomKillDisable, true);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  const plain = (await d.cli(['run', '-d', '--memory', '32m', 'host', 'sleep', '60'])).stdout.trim();
  assert.match(fs.readFileSync(`/sys/fs/cgroup/memory/${d.cgroupParent}/${plain}/memory.oom_control`, 'utf8'), /^oom_kill_disable 0$/m);
  assert.equal((await d.cli(['rm', '-f', plain])).code, 0);
});

test('0 is Docker\'s "not set" for --memory, --memory-swap, --memory-reservation and --cpu-shares', async () => {
  const r = await d.cli(['run', '--rm', '--memory', '0', '--memory-swap', '0', '--memory-reservation', '0', '--cpu-shares', '0', 'host', 'true']);
  assert.equal(r.code, 0, r.stderr);
});

test('--init: the host\'s docker-init is PID 1, so the stop signal reaches a program that has no handler for it', async (t) => {
  const r = await d.cli(['run', '--rm', '--init', 'host', 'sh', '-c', 'cat /proc/1/comm; echo $$']);
  if (/no statically linked init on this host/.test(r.stderr)) { t.skip('no docker-init or tini-static on this host'); return; }
  assert.equal(r.code, 0, r.stderr);
  const [comm, pid] = r.stdout.trim().split('\n');
  assert.match(comm, /^(docker-init|tini-static)$/);
  assert.notEqual(pid, '1');
  // sleep as PID 1 ignores SIGTERM (no handler): stop had to SIGKILL it (137); under the init it dies of the TERM (143)
  const id = (await d.cli(['run', '-d', '--init', '--stop-timeout', '60', 'host', 'sleep', '600'])).stdout.trim();
  const ps = JSON.parse((await d.cli(['ps', '--format', 'json'])).stdout).find((c: { id: string }) => c.id === id);
  assert.deepEqual(ps.command, ['sleep', '600'], 'ps shows the command, not the init');
  assert.equal((await d.cli(['stop', id])).code, 0);
  assert.equal((await d.cli(['wait', id])).stdout.trim(), '143');
  assert.equal((await d.cli(['rm', id])).code, 0);
});

test('--cgroup-parent: the cgroup made under it, its parents removed once empty (one already there kept); --oom-score-adj for the init and exec; --domainname', async () => {
  const parent = `${d.cgroupParent}/custom/sub`;
  const r = await d.cli(['run', '-d', '--cgroup-parent', parent, '--oom-score-adj', '300', '--domainname', 'example.org', '--memory', '64m', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const pid = JSON.parse((await d.cli(['inspect', id])).stdout)[0].State.Pid;
  assert.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:/${parent}/${id}$`, 'm'));
  const v1 = `/sys/fs/cgroup/memory/${parent}/${id}/memory.limit_in_bytes`;
  assert.equal(fs.readFileSync(fs.existsSync(v1) ? v1 : `/sys/fs/cgroup/${parent}/${id}/memory.max`, 'utf8').trim(), String(64 << 20), 'its limits are on that cgroup');
  assert.equal(fs.readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '300');
  assert.equal((await d.cli(['exec', id, 'cat', '/proc/self/oom_score_adj', '/proc/sys/kernel/domainname'])).stdout, '300\nexample.org\n');
  const shown = (await d.cli(['inspect', '-f', '{{.HostConfig.CgroupParent}} {{.HostConfig.OomScoreAdj}} {{.Config.Domainname}}', id])).stdout;
  assert.equal(shown, `${parent} 300 example.org\n`);
  // stopped, started again: the same place
  assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
  const again = JSON.parse((await d.cli(['inspect', id])).stdout)[0].State.Pid;
  assert.match(fs.readFileSync(`/proc/${again}/cgroup`, 'utf8'), new RegExp(`:/${parent}/${id}$`, 'm'));
  // a container inside another's cgroup is refused
  await refused(['run', '--rm', '--cgroup-parent', `${parent}/${id}`, 'host', 'true'], /--cgroup-parent: .* is inside container .*'s cgroup/);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  assert.deepEqual(cgroupDirs(`${d.cgroupParent}/custom`), [], 'the parents it made are gone');

  // a parent that was there stays (a container of the helper's own keeps its parent there meanwhile)
  const holder = (await d.cli(['run', '-d', 'host', 'sleep', '60'])).stdout.trim();
  const kept = `${d.cgroupParent}/kept`;
  const made = cgroupDirs(d.cgroupParent).map((dir) => path.join(dir, 'kept'));
  assert.ok(made.length > 0);
  for (const dir of made) fs.mkdirSync(dir);
  try {
    const k = await d.cli(['run', '-d', '--cgroup-parent', kept, 'host', 'sleep', '60']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal((await d.cli(['rm', '-f', k.stdout.trim()])).code, 0);
    assert.deepEqual(cgroupDirs(kept).sort(), made.sort());
  } finally {
    for (const dir of made) fs.rmdirSync(dir);
    await d.cli(['rm', '-f', holder]);
  }

  await refused(['run', '--rm', '--oom-score-adj', '1001', 'host', 'true'], /Invalid value 1001, range for oom score adj is \[-1000, 1000\]/);
  await refused(['run', '--rm', '--oom-score-adj', 'high', 'host', 'true'], /invalid argument "high" for "--oom-score-adj"/);
  await refused(['run', '--rm', '--cgroup-parent', '../escape', 'host', 'true'], /--cgroup-parent: .* contains ".."/);
  await refused(['run', '--rm', '--cgroup-parent', Array.from({ length: 8 }, () => 'p'.repeat(200)).join('/'), 'host', 'true'], /--cgroup-parent: .* is longer than 1024 characters/);
  await refused(['run', '--rm', '--domainname', 'not a name', 'host', 'true'], /--domainname: "not a name" is not a valid domain name/);
  await refused(['run', '--rm', '--uts', 'host', '--domainname', 'example.org', 'host', 'true'], /--domainname cannot be used with --uts host/);
});

test('--device-read-bps and the other throttles: the cgroup\'s limits for a real disk, kept over a restart, shown by inspect; a weight the host cannot keep is discarded with Docker\'s warning; bad ones refused', async () => {
  const disk = fs.existsSync('/sys/block') ? fs.readdirSync('/sys/block').find((n) => !/^(loop|ram|zram|dm-|sr|nbd)/.test(n) && fs.existsSync(`/dev/${n}`)) : undefined;
  if (!disk) return; // no whole disk with a node in /dev: nothing to throttle
  const dev = `/dev/${disk}`;
  const num = fs.readFileSync(`/sys/block/${disk}/dev`, 'utf8').trim();
  const r = await d.cli(['run', '-d', '--device-read-bps', `${dev}:1mb`, '--device-write-bps', `${dev}:2m`, '--device-read-iops', `${dev}:100`, '--device-write-iops', `${dev}:50`, 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const v1 = (f: string) => `/sys/fs/cgroup/blkio/${d.cgroupParent}/${id}/blkio.throttle.${f}`;
  const check = () => {
    if (fs.existsSync(v1('read_bps_device'))) {
      assert.equal(fs.readFileSync(v1('read_bps_device'), 'utf8').trim(), `${num} 1048576`);
      assert.equal(fs.readFileSync(v1('write_bps_device'), 'utf8').trim(), `${num} 2097152`);
      assert.equal(fs.readFileSync(v1('read_iops_device'), 'utf8').trim(), `${num} 100`);
      assert.equal(fs.readFileSync(v1('write_iops_device'), 'utf8').trim(), `${num} 50`);
    } else {
      assert.match(fs.readFileSync(`/sys/fs/cgroup/${d.cgroupParent}/${id}/io.max`, 'utf8'), new RegExp(`^${num} rbps=1048576 wbps=2097152 riops=100 wiops=50$`, 'm'));
    }
  };
  check();
  const hc = JSON.parse((await d.cli(['inspect', id])).stdout)[0].HostConfig;
  assert.deepEqual(hc.BlkioDeviceReadBps, [{ Path: dev, Rate: 1048576 }]);
  assert.deepEqual(hc.BlkioDeviceWriteIOps, [{ Path: dev, Rate: 50 }]);
  assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
  check();
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);

  const weights = ['blkio.weight', 'blkio.bfq.weight'].some((f) => fs.existsSync(`/sys/fs/cgroup/blkio/${f}`)) || !fs.existsSync('/sys/fs/cgroup/blkio');
  if (!weights) {
    const w = await d.cli(['run', '--rm', '--blkio-weight', '300', 'host', 'sh', '-c', 'echo ran']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, 'ran\n');
    assert.equal(w.stderr, 'WARNING: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.\n');
  }
  await refused(['run', '--rm', '--blkio-weight', '5', 'host', 'true'], /--blkio-weight: 5 is out of range; the range of blkio weight is from 10 to 1000/);
  await refused(['run', '--rm', '--device-read-bps', '/dev/null:1mb', 'host', 'true'], /--device-read-bps: \/dev\/null is not a block device/);
  await refused(['run', '--rm', '--device-write-bps', '/dev/no-such-disk:1mb', 'host', 'true'], /--device-write-bps: no such device: \/dev\/no-such-disk/);
  await refused(['run', '--rm', '--device-read-iops', `${dev}:fast`, 'host', 'true'], /--device-read-iops: invalid rate for device: fast/);
  await refused(['run', '--rm', '--device-read-bps', 'sda', 'host', 'true'], /--device-read-bps: bad format "sda": expected DEVICE:VALUE/);
});

test('--memory-swappiness: the memory cgroup\'s (v1), kept over a restart, shown by inspect; Docker\'s warning on v2; out of range refused', async () => {
  const r = await d.cli(['run', '-d', '--memory-swappiness', '10', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const file = `/sys/fs/cgroup/memory/${d.cgroupParent}/${id}/memory.swappiness`;
  if (fs.existsSync(file)) {
    assert.equal(fs.readFileSync(file, 'utf8').trim(), '10');
    assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
    assert.equal(fs.readFileSync(file, 'utf8').trim(), '10');
    assert.equal((await d.cli(['inspect', '-f', '{{.HostConfig.MemorySwappiness}}', id])).stdout, '10\n');
  } else {
    assert.match(r.stderr, /Memory swappiness discarded/);
  }
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  await refused(['run', '--rm', '--memory-swappiness', '101', 'host', 'true'], /invalid value: 101\. Valid memory swappiness range is 0-100/);
});

test('--device-cgroup-rule: a node the container makes itself can be opened as the rule allows; bad rules refused', async () => {
  if (!fs.existsSync('/dev/loop-control')) return;
  const r = await d.cli(['run', '--rm', '--cap-add', 'MKNOD', '--device-cgroup-rule', 'c 10:237 rm', 'host', 'sh', '-c', 'mknod /dev/lc c 10 237 && dd if=/dev/lc count=0 2>&1 && echo opened']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /opened/);
  const any = await d.cli(['run', '--rm', '--device-cgroup-rule', 'c 10:* r', 'host', 'sh', '-c', 'mknod /dev/lc c 10 237 && dd if=/dev/lc count=0 2>&1 && echo opened']);
  assert.match(any.stdout, /opened/, any.stderr);
  await refused(['run', '--rm', '--device-cgroup-rule', 'x 1:3 r', 'host', 'true'], /invalid device cgroup format 'x 1:3 r'/);
  await refused(['run', '--rm', '--device-cgroup-rule', 'c 1:3 rwx', 'host', 'true'], /invalid device cgroup format/);
  await refused(['run', '--rm', '--device-cgroup-rule', 'c 99999:3 r', 'host', 'true'], /99999 is out of range/);
});

test('--log-opt max-size/max-file: the log rotated as it is written, logs and logs -f read across the files in order; --log-driver none: run shows the output, logs refuses; other drivers and options refused', async () => {
  const r = await d.cli(['run', '-d', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=3', 'host', 'sh', '-c', 'i=0; while [ $i -lt 600 ]; do echo "line $i"; i=$((i+1)); done']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.equal((await d.cli(['wait', id])).stdout.trim(), '0');
  const dir = path.dirname(JSON.parse((await d.cli(['inspect', id])).stdout)[0].LogPath);
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('container.log')).sort();
  assert.deepEqual(files, ['container.log', 'container.log.1', 'container.log.2'], 'three files at most');
  for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 4096, `${f} is within max-size`);
  const lines = (await d.cli(['logs', id])).stdout.trim().split('\n');
  // what is kept is the end of the output, in order, none missing within it
  assert.equal(lines.at(-1), 'line 599');
  const first = Number(lines[0].split(' ')[1]);
  assert.deepEqual(lines, Array.from({ length: 600 - first }, (_, i) => `line ${first + i}`));
  assert.equal((await d.cli(['logs', '--tail', '3', id])).stdout, 'line 597\nline 598\nline 599\n');
  const many = (await d.cli(['logs', '--tail', String(lines.length - 2), id])).stdout.trim().split('\n');
  assert.deepEqual(many, lines.slice(2), 'a tail that reaches into the rotated files');
  assert.deepEqual(JSON.parse((await d.cli(['inspect', '-f', '{{json .HostConfig.LogConfig}}', id])).stdout), { Type: 'json-file', Config: { 'max-size': '4k', 'max-file': '3' } });
  assert.equal((await d.cli(['rm', id])).code, 0);

  // logs -f through rotations while it is written: every line, once, in order
  const slow = (await d.cli(['run', '-d', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=2', 'host', 'sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); [ $((i % 20)) -eq 0 ] && sleep 0.05; done'])).stdout.trim();
  const followed = (await d.cli(['logs', '-f', slow], { timeoutMs: 30000 })).stdout.trim().split('\n');
  assert.equal(followed.at(-1), 'line 299');
  const from = Number(followed[0].split(' ')[1]);
  assert.deepEqual(followed, Array.from({ length: 300 - from }, (_, i) => `line ${from + i}`));
  assert.equal((await d.cli(['rm', slow])).code, 0);

  const none = await d.cli(['run', '--rm', '--log-driver', 'none', 'host', 'sh', '-c', 'echo shown; echo also >&2']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'shown\n');
  assert.equal(none.stderr, 'also\n');
  const kept = (await d.cli(['run', '-d', '--log-driver', 'none', 'host', 'sh', '-c', 'echo x; sleep 60'])).stdout.trim();
  const refusedLogs = await d.cli(['logs', kept]);
  assert.notEqual(refusedLogs.code, 0);
  assert.match(refusedLogs.stderr, /configured logging driver does not support reading/);
  assert.equal((await d.cli(['rm', '-f', kept])).code, 0);

  await refused(['run', '--rm', '--log-driver', 'syslog', 'host', 'true'], /logging driver "syslog" is not supported by nscope/);
  await refused(['run', '--rm', '--log-opt', 'compress=true', 'host', 'true'], /unknown log opt 'compress' for json-file log driver/);
  await refused(['run', '--rm', '--log-opt', 'max-file=3', 'host', 'true'], /max-file: needs max-size/);
  await refused(['run', '--rm', '--log-opt', 'max-size=lots', 'host', 'true'], /max-size/);
  await refused(['run', '--rm', '--log-driver', 'none', '--log-opt', 'max-size=1m', 'host', 'true'], /the none logging driver takes no options/);
});
