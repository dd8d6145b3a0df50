// What a script written for `docker` checks, found by running the same
// commands on both: run's exit codes (126 for a program it cannot execute,
// 125 for every option it refuses, 1 for a stdin that is no terminal), the
// environment a container's process gets (HOME as runc gives it, TERM only
// with -t), the host's name with --network host, --ipc host, ID prefixes of
// any length and Docker's words for an ambiguous one, rm's words and rm -f of
// a container that is not there, inspect's HostConfig keys read from the spec,
// and events' Go field names in templates.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { runCommand } from '../helpers/command';
import { assertRefused } from '../helpers/refused';

let d: TestDaemon;
before(async () => { d = await startWithImage('cli-docker-compat'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = async (...args: string[]) => {
  const r = await d.cli(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** As a user runs it: bin/nscope itself (node 20 would read a --env-file given to `node bin/nscope` as its own). */
const nscope = (args: string[]) => runCommand(path.join(REPO, 'bin', 'nscope'), ['--socket', d.socket, ...args]);

test('run: a file without the exec bit is 126 (as a directory is); every refused option is 125 and leaves nothing; -it without a terminal is 1', async () => {
  const file = await d.cli(['run', '--rm', 'host', '/etc/hostname']);
  assert.equal(file.code, 126, file.stderr);
  assert.match(file.stderr, /exec: \/etc\/hostname: Permission denied/);
  assert.equal((await d.cli(['run', '--rm', 'host', '/etc'])).code, 126);
  assert.equal((await d.cli(['run', '--rm', 'host', 'no-such-program'])).code, 127);
  const count = async () => (await ok('ps', '-aq')).split('\n').filter(Boolean).length;
  const before = await count();
  for (const [args, msg] of [
    [['--env-file', `${d.dir}/missing.env`], /open .*missing\.env: no such file or directory/],
    [['--label-file', `${d.dir}/missing.labels`], /open .*missing\.labels: no such file or directory/],
    [['-l', '=x'], /invalid label '=x': empty name/],
    [['--health-interval', 'soon'], /invalid argument "soon" for "--health-interval" flag/],
    [['--health-retries', '-1'], /--health-retries cannot be negative/],
  ] as [string[], RegExp][]) {
    for (const verb of ['run', 'create']) {
      const r = await nscope([verb, ...args, 'host', 'true']);
      assert.equal(r.code, 125, `${verb} ${args.join(' ')}: ${r.code} ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
  }
  await assertRefused(d, ['run', '--rm', '-l', '=x', 'host', 'true'], /invalid label/);
  assert.equal(await count(), before);
  // stdin a pipe, not a terminal: Docker's CLI says so before it makes anything, exit 1
  const tty = await d.cli(['run', '--rm', '-it', 'host', 'true'], { input: '' });
  assert.equal(tty.code, 1);
  assert.match(tty.stderr, /the input device is not a TTY/);
  assert.equal(await count(), before);
});

test('the process environment: HOME from the container\'s passwd (as runc sets it) for run and exec, -e HOME wins; TERM only with -t', async () => {
  assert.equal(await ok('run', '--rm', 'host', 'sh', '-c', 'echo "$HOME|${TERM-unset}"'), '/root|unset\n');
  assert.equal(await ok('run', '--rm', '-u', 'nobody', 'host', 'sh', '-c', 'echo $HOME'), '/nonexistent\n');
  assert.equal(await ok('run', '--rm', '-u', '4242', 'host', 'sh', '-c', 'echo $HOME'), '/\n');
  assert.equal(await ok('run', '--rm', '-e', 'HOME=/x', 'host', 'sh', '-c', 'echo $HOME'), '/x\n');
  assert.equal(await ok('run', '--rm', '-t', 'host', 'sh', '-c', 'echo $TERM'), 'xterm\r\n');
  await ok('run', '-d', '--name', 'env', 'host', 'sleep', '60');
  assert.equal(await ok('exec', 'env', 'sh', '-c', 'echo "$HOME|${TERM-unset}"'), '/root|unset\n');
  assert.equal(await ok('exec', '-u', 'nobody', 'env', 'sh', '-c', 'echo $HOME'), '/nonexistent\n');
  // Docker's Config.Env has neither
  assert.doesNotMatch(await ok('inspect', '-f', '{{json .Config.Env}}', 'env'), /HOME=|TERM=/);
  await ok('rm', '-f', 'env');
});

test('--network host: the host\'s name, as Docker gives it; --ipc host runs (a mqueue of its own where the host mounts none)', async () => {
  assert.equal(await ok('run', '--rm', '--network', 'host', 'host', 'hostname'), `${os.hostname()}\n`);
  assert.equal(await ok('run', '--rm', '--network', 'host', '-h', 'given', 'host', 'hostname'), 'given\n');
  const ipc = await d.cli(['run', '--rm', '--ipc', 'host', 'host', 'sh', '-c', 'grep -c " /dev/mqueue mqueue " /proc/mounts']);
  assert.equal(ipc.code, 0, ipc.stderr);
  assert.equal(ipc.stdout, '1\n');
});

test('an ID prefix of any length names its container; one naming two gets Docker\'s words', async () => {
  // 17 containers: two of them share a first hex digit
  const ids: string[] = [];
  for (let i = 0; i < 17; i++) ids.push((await ok('create', '--label', 'prefix=1', 'host', 'true')).trim());
  const first = new Map<string, number>();
  for (const id of ids) first.set(id[0], (first.get(id[0]) ?? 0) + 1);
  const shared = [...first].find(([, n]) => n > 1)![0];
  const r = await d.cli(['inspect', '-f', '{{.Id}}', shared]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Multiple IDs found with provided prefix: ${shared}`));
  const rm = await d.cli(['rm', shared]);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /Multiple IDs found with provided prefix/);
  // the shortest prefix no other ID starts with
  const id = ids[0];
  const n = [...Array(64).keys()].map((k) => k + 1).find((k) => ids.filter((x) => x.startsWith(id.slice(0, k))).length === 1)!;
  assert.equal(await ok('inspect', '-f', '{{.Id}}', id.slice(0, n)), `${id}\n`);
  await ok('rm', ...ids);
});

test('rm: Docker\'s words for a running or paused container; rm -f of one that is not there says so and exits 0', async () => {
  const id = (await ok('run', '-d', '--name', 'busy', 'host', 'sleep', '60')).trim();
  const running = await d.cli(['rm', 'busy']);
  assert.equal(running.code, 1);
  assert.match(running.stderr, new RegExp(`You cannot remove a running container ${id}\\. Stop the container before attempting removal or force remove`));
  await ok('pause', 'busy');
  const paused = await d.cli(['rm', 'busy']);
  assert.equal(paused.code, 1);
  assert.match(paused.stderr, new RegExp(`You cannot remove a paused container ${id}\\. Unpause and then stop the container before attempting removal or force remove`));
  await ok('unpause', 'busy');
  const gone = await d.cli(['rm', '-f', 'no-such-one', 'busy']);
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(gone.stdout, 'busy\n');
  assert.match(gone.stderr, /No such container: no-such-one/);
  assert.equal((await d.cli(['rm', 'no-such-one'])).code, 1);
});

test('exec -w: a working directory that is not there fails with 126 and is not made (runc\'s exec); run -w makes it', async () => {
  await ok('run', '-d', '--name', 'wd', '--network', 'none', 'host', 'sleep', '60');
  const missing = await d.cli(['exec', '-w', '/not/there', 'wd', 'sh', '-c', 'pwd']);
  assert.equal(missing.code, 126, missing.stderr);
  assert.match(missing.stderr, /chdir to cwd \("\/not\/there"\) set in config\.json failed: No such file or directory/);
  assert.match((await d.cli(['exec', 'wd', 'ls', '-d', '/not'])).stderr, /No such file or directory/, 'nothing made');
  assert.equal(await ok('exec', '-w', '/tmp', 'wd', 'sh', '-c', 'pwd'), '/tmp\n');
  assert.equal(await ok('run', '--rm', '--network', 'none', '-w', '/made/here', 'host', 'sh', '-c', 'pwd'), '/made/here\n');
  await ok('rm', '-f', 'wd');
});

test('kill: a created or an exited container is refused in Docker\'s words and left as it was', async () => {
  const id = (await ok('create', '--name', 'made', 'host', 'sleep', '60')).trim();
  const created = await d.cli(['kill', 'made']);
  assert.equal(created.code, 1);
  assert.match(created.stderr, new RegExp(`Cannot kill container: made: Container ${id} is not running`));
  assert.equal(await ok('inspect', '-f', '{{.State.Status}}', 'made'), 'created\n');
  await ok('start', 'made');
  await ok('kill', 'made');
  const exited = await d.cli(['kill', 'made']);
  assert.equal(exited.code, 1);
  assert.match(exited.stderr, /is not running/);
  await ok('rm', 'made');
});

test('inspect: HostConfig\'s namespace modes, ShmSize, Ulimits and the /etc files\' paths, as Docker always has them', async () => {
  await ok('create', '--name', 'hc', '--shm-size', '128m', '--pid', 'host', '--ulimit', 'nproc=100:200', 'host', 'true');
  const f = (t: string) => ok('inspect', '-f', t, 'hc');
  assert.equal(await f('{{.HostConfig.ShmSize}} {{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}|{{.HostConfig.UTSMode}}|{{.HostConfig.UsernsMode}}'), '134217728 private host||\n');
  assert.equal(await f('{{json .HostConfig.Ulimits}}'), '[{"Name":"nproc","Hard":200,"Soft":100}]\n');
  assert.equal(await f('{{.HostConfig.KernelMemory}} {{.HostConfig.CpuCount}} {{json .HostConfig.Links}} {{json .ExecIDs}}'), '0 0 null null\n');
  const paths = (await f('{{.HostsPath}} {{.ResolvConfPath}} {{.HostnamePath}}')).trim().split(' ');
  assert.deepEqual(paths.map((p) => path.basename(p)), ['hosts', 'resolv.conf', 'hostname']);
  for (const p of paths) assert.ok(fs.existsSync(p), p);
  assert.equal(fs.readFileSync(paths[2], 'utf8').trim(), (await f('{{.Config.Hostname}}')).trim());
  assert.equal(await ok('inspect', '-f', '{{.HostConfig.ShmSize}} {{.HostConfig.PidMode}}', (await ok('create', 'host', 'true')).trim()), '67108864 \n');
});

test('inspect: HostConfig.PortBindings says what was asked (HostIp "" for every address), as Docker\'s does', async () => {
  await ok('create', '--name', 'pb', '-p', '18181:80', '-p', '127.0.0.1:18182:81/udp', 'host', 'true');
  assert.equal(await ok('inspect', '-f', '{{json .HostConfig.PortBindings}}', 'pb'),
    '{"80/tcp":[{"HostIp":"","HostPort":"18181"}],"81/udp":[{"HostIp":"127.0.0.1","HostPort":"18182"}]}\n');
  await ok('rm', 'pb');
});

test('events: a template sees Docker\'s Go fields (.Status, .ID, .From, .Time, .Scope), json its JSON names', async () => {
  const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'events', '--filter', 'event=die', '--format', '{{.Status}} {{.From}} {{.Scope}} {{len .ID}} {{gt .Time 0}}|{{json .}}'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  try {
    await new Promise((r) => setTimeout(r, 700));
    await d.cli(['run', '--name', 'ev', 'host', 'sh', '-c', 'exit 3']);
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
  } finally { p.kill('SIGTERM'); }
  const [fields, json] = out.split('\n')[0].split('|');
  assert.match(fields, /^die host\S* local 64 true$/);
  const e = JSON.parse(json);
  assert.equal(e.status, 'die');
  assert.equal(e.Actor.Attributes.exitCode, '3');
  assert.ok(!('Status' in e));
  await ok('rm', 'ev');
});
