// The `nscope run`/`create` flags a Docker user expects, against a real
// helper: each one's effect seen from inside the container, and a refused
// value leaving nothing behind (no container, cgroup or mount).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { cgroupDirs, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('runflags'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

/** Runs the CLI and checks it was refused with `msg` and left no container or cgroup. */
async function refused(args: string[], msg: RegExp): Promise<void> {
  const before = JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length;
  const r = await d.cli(args);
  assert.notEqual(r.code, 0, `${args.join(' ')} was accepted`);
  assert.match(r.stderr, msg);
  assert.equal(JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length, before, `${args.join(' ')} left a container`);
  const kids = cgroupDirs(d.cgroupParent).flatMap((dir) => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name));
  assert.deepEqual(kids.filter((k) => /^[0-9a-f]{64}$/.test(k)), [], `${args.join(' ')} left a cgroup`);
}

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
  const ins = JSON.parse((await d.cli(['inspect', id])).stdout)[0];
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
  // Node 20 itself looks for --env-file in the script's arguments too (nodejs/node#54232, fixed in 22):
  // a missing file is its "node: FILE: not found" before nscope runs; `--env-file=FILE` the same
  await refused(['run', '--rm', '--env-file', `${d.dir}/missing.env`, 'host', 'true'], /open .*missing\.env: no such file or directory|missing\.env: not found/);
  fs.writeFileSync(f, 'BAD KEY=1\n');
  await refused(['create', '--env-file', f, 'host', 'true'], /poorly formatted environment: variable 'BAD KEY' contains whitespaces/);
});

test('--ulimit: the container\'s init and exec\'d processes get the limits; bad ones are refused by name', async () => {
  const r = await d.cli(['run', '-d', '--ulimit', 'nofile=512:2048', '--ulimit', 'core=-1', '--ulimit', 'nproc=200:300', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const limits = "echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -c) $(ulimit -Sp) $(ulimit -Hp)";
  const init = fs.readFileSync(`/proc/${JSON.parse((await d.cli(['inspect', id])).stdout)[0].pid}/limits`, 'utf8');
  assert.match(init, /Max open files\s+512\s+2048/);
  assert.match(init, /Max core file size\s+unlimited\s+unlimited/);
  assert.match(init, /Max processes\s+200\s+300/);
  const e = await d.cli(['exec', id, 'sh', '-c', limits]);
  assert.equal(e.stdout, '512 2048 unlimited 200 300\n', e.stderr);
  const ins = JSON.parse((await d.cli(['inspect', id])).stdout)[0];
  assert.deepEqual(ins.spec.process.rlimits.find((x: { type: string }) => x.type === 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 512, hard: 2048 });
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  const run = await d.cli(['run', '--rm', '--ulimit', 'stack=8388608:unlimited', 'host', 'sh', '-c', 'echo $(ulimit -Ss) $(ulimit -Hs)']);
  assert.equal(run.stdout, '8192 unlimited\n', run.stderr);
  await refused(['run', '--rm', '--ulimit', 'nofile=2048:1024', 'host', 'true'], /--ulimit nofile: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024/);
  await refused(['run', '--rm', '--ulimit', 'openfiles=10', 'host', 'true'], /invalid ulimit type: openfiles/);
  await refused(['create', '--ulimit', 'nproc', 'host', 'true'], /invalid ulimit argument: nproc/);
  await refused(['create', '--ulimit', 'nofile=unlimited', 'host', 'true'], /--ulimit nofile: unlimited is above the kernel's maximum/);
});
