// `nscope inspect` as Docker prints it, and the -f/--format templates Docker
// users script with, against a real helper and containers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => {
  d = await startWithImage('cli-inspect');
  const r = await d.cli(['run', '-d', '--name', 'web', '-l', 'app=web', '-e', 'FOO=bar', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50',
    '-v', 'webdata:/data', '-p', '127.0.0.1::80', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const f = async (template: string, ref = 'web') => {
  const r = await d.cli(['inspect', '-f', template, ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

test('the fields Docker users script with, through -f', async () => {
  const pid = Number(await f('{{.State.Pid}}'));
  assert.ok(pid > 1 && fs.existsSync(`/proc/${pid}`), `pid ${pid}`);
  assert.match(await f('{{.Id}}'), /^[0-9a-f]{64}\n$/);
  assert.equal(await f('{{.Name}}'), '/web\n');
  assert.equal(await f('{{.State.Status}} {{.State.Running}} {{.State.Paused}} {{.State.ExitCode}}'), 'running true false 0\n');
  assert.equal(await f('{{.Config.Image}}'), 'host\n', 'as named at create, as Docker keeps it');
  assert.equal(await f('{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}'), `${64 << 20} 500000000 50\n`);
  assert.equal(await f('{{index .Config.Labels "app"}}'), 'web\n');
  const ip = (await f('{{.NetworkSettings.IPAddress}}')).trim();
  const [net] = d.subnet.split('.0/');
  assert.ok(ip.startsWith(net.split('.').slice(0, 3).join('.') + '.'), `${ip} in ${d.subnet}`);
  assert.equal(await f('{{range $name, $n := .NetworkSettings.Networks}}{{$name}}={{$n.IPAddress}}{{end}}'), `nscope=${ip}\n`);
  assert.equal(await f('{{range .Mounts}}{{.Type}}:{{.Name}}:{{.Destination}} {{end}}'), 'volume:webdata:/data \n');
  const hostPort = (await f('{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}')).trim();
  assert.match(hostPort, /^\d+$/);
  const config = JSON.parse(await f('{{json .Config}}'));
  assert.ok(config.Env.includes('FOO=bar'));
  assert.deepEqual(config.Cmd, ['sleep', '60']);
  assert.deepEqual(config.Labels, { app: 'web' });
  assert.equal(await f('{{if .State.Running}}up{{else}}down{{end}} {{upper .State.Status}} {{join .Config.Cmd ","}} {{printf "%.6s" .Id}}'), `up RUNNING sleep,60 ${(await f('{{.Id}}')).slice(0, 6)}\n`);
});

test('the whole document has Docker\'s keys, and nscope\'s own under Nscope', async () => {
  const r = await d.cli(['inspect', 'web']);
  assert.equal(r.code, 0, r.stderr);
  const [doc] = JSON.parse(r.stdout);
  for (const k of ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings', 'Nscope']) assert.ok(k in doc, k);
  for (const k of ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']) assert.ok(k in doc.State, `State.${k}`);
  for (const k of ['Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'PidsLimit', 'CpusetCpus', 'NetworkMode', 'PortBindings', 'Binds', 'ReadonlyRootfs', 'Privileged', 'CapAdd', 'CapDrop', 'SecurityOpt', 'AutoRemove']) assert.ok(k in doc.HostConfig, `HostConfig.${k}`);
  assert.equal(doc.Path, 'sleep');
  assert.deepEqual(doc.Args, ['60']);
  assert.deepEqual(doc.HostConfig.Binds, [`webdata:/data`]);
  assert.equal(doc.HostConfig.NetworkMode, 'nscope');
  assert.equal(doc.GraphDriver.Name, 'overlay2');
  assert.equal(doc.GraphDriver.Data.UpperDir, doc.Nscope.rootfs.upper);
  assert.ok(doc.GraphDriver.Data.LowerDir.startsWith(doc.Nscope.rootfs.init + ':'));
  assert.match(doc.Image, /^sha256:[0-9a-f]{64}$/);
  assert.equal(doc.Nscope.name, 'web');
  assert.equal(doc.NetworkSettings.Networks.nscope.NetworkID.length, 64);
  // --format json is the same document
  assert.deepEqual(JSON.parse((await d.cli(['inspect', '--format', 'json', 'web'])).stdout)[0].Id, doc.Id);
});

test('a stopped container: its exit code, no pid, FinishedAt set', async () => {
  const r = await d.cli(['run', '--name', 'quit', 'host', 'sh', '-c', 'exit 7']);
  assert.equal(r.code, 7);
  assert.equal(await f('{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}} {{.State.Running}}', 'quit'), 'exited 7 0 false\n');
  assert.notEqual(await f('{{.State.FinishedAt}}', 'quit'), '0001-01-01T00:00:00Z\n');
  assert.equal((await d.cli(['rm', 'quit'])).code, 0);
});

test('images: Docker\'s image document; --type; container inspect', async () => {
  const img = JSON.parse((await d.cli(['image', 'inspect', 'host'])).stdout)[0];
  assert.match(img.Id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(img.RepoTags, ['host:latest']);
  assert.equal(img.Os, 'linux');
  assert.equal(img.RootFS.Type, 'layers');
  assert.equal(img.RootFS.Layers.length, img.Nscope.layers.length);
  assert.equal((await d.cli(['image', 'inspect', '-f', '{{.Id}}', 'host'])).stdout, `${img.Id}\n`);
  // inspect finds images too, in the order asked
  const both = await d.cli(['inspect', '-f', '{{.Id}}', 'web', 'host']);
  assert.equal(both.code, 0, both.stderr);
  assert.equal(both.stdout.split('\n')[1], img.Id);
  assert.equal((await d.cli(['inspect', '--type', 'image', '-f', '{{.Os}}', 'host'])).stdout, 'linux\n');
  const notImage = await d.cli(['inspect', '--type', 'image', 'web']);
  assert.equal(notImage.code, 1);
  const notContainer = await d.cli(['container', 'inspect', 'host']);
  assert.equal(notContainer.code, 1);
  assert.match(notContainer.stderr, /No such container: host/);
  assert.equal((await d.cli(['container', 'inspect', '-f', '{{.Name}}', 'web'])).stdout, '/web\n');
});

test('errors: one line each, Docker\'s exit codes', async () => {
  const missing = await d.cli(['inspect', 'nosuch']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, '[]\n');
  assert.equal(missing.stderr, 'nscope: No such object: nosuch\n');
  // the ones found are still printed
  const some = await d.cli(['inspect', '-f', '{{.Name}}', 'nosuch', 'web']);
  assert.equal(some.code, 1);
  assert.equal(some.stdout, '/web\n');
  const field = await d.cli(['inspect', '-f', '{{.Nope}}', 'web']);
  assert.equal(field.code, 1);
  assert.match(field.stderr, /^nscope: template: .*can't evaluate field Nope\n$/);
  const syntax = await d.cli(['inspect', '-f', '{{.Name', 'web']);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stderr, /^nscope: --format: template: unclosed action\n$/);
  const fn = await d.cli(['inspect', '-f', '{{frob .Name}}', 'web']);
  assert.equal(fn.code, 1);
  assert.match(fn.stderr, /function "frob" not defined/);
  const type = await d.cli(['inspect', '--type', 'volume', 'web']);
  assert.equal(type.code, 1);
  assert.match(type.stderr, /--type: "volume" is not container or image/);
});
