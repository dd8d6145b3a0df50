// `nscope ps` and `nscope images` with Docker's --filter, --format templates,
// -n/-l and --no-trunc, against a real helper and containers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
const ids: Record<string, string> = {};
before(async () => {
  d = await startWithImage('cli-ps');
  // created in this order: web (running), job (exit 3), ok (exit 0), idle (created)
  for (const [name, args] of [
    ['web', ['run', '-d', '--name', 'web', '-l', 'app=web', '-l', 'tier=front', 'host', 'sleep', '60']],
    ['job', ['run', '--name', 'job', '-l', 'app=batch', 'host', 'sh', '-c', 'exit 3']],
    ['ok', ['run', '--name', 'ok', 'host', 'true']],
    ['idle', ['create', '--name', 'idle', 'host', 'true']],
  ] as const) {
    const r = await d.cli([...args]);
    assert.ok(r.code === 0 || name === 'job', r.stderr);
    ids[name] = (await d.cli(['inspect', '-f', '{{.Id}}', name])).stdout.trim();
  }
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const names = async (...args: string[]) => {
  const r = await d.cli(['ps', ...args, '--format', '{{.Names}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
};

test('--filter: name, id, status, label, ancestor, exited; a status filter looks at stopped ones without -a', async () => {
  assert.deepEqual(await names(), ['web']);
  assert.deepEqual(await names('-a'), ['idle', 'job', 'ok', 'web']);
  assert.deepEqual(await names('-a', '--filter', 'name=o'), ['job', 'ok']);
  assert.deepEqual(await names('-a', '-f', 'name=^ok$'), ['ok']);
  assert.deepEqual(await names('-a', '-f', `id=${ids.job.slice(0, 8)}`), ['job']);
  assert.deepEqual(await names('-f', 'status=exited'), ['job', 'ok']);
  assert.deepEqual(await names('-f', 'status=created'), ['idle']);
  assert.deepEqual(await names('-f', 'status=exited', '-f', 'status=created'), ['idle', 'job', 'ok']);
  assert.deepEqual(await names('-a', '-f', 'label=app'), ['job', 'web']);
  assert.deepEqual(await names('-a', '-f', 'label=app=web', '-f', 'label=tier=front'), ['web']);
  assert.deepEqual(await names('-a', '-f', 'exited=3'), ['job']);
  assert.deepEqual(await names('-a', '-f', 'ancestor=host'), ['idle', 'job', 'ok', 'web']);
  assert.deepEqual(await names('-a', '-f', 'ancestor=nosuch'), []);
  assert.deepEqual(await names('-a', '-f', 'since=job'), ['idle', 'ok']);
});

test('--format templates: fields, table with headers, .Label, quiet wins', async () => {
  const r = await d.cli(['ps', '--format', '{{.ID}} {{.Names}} {{.State}} {{.Image}} {{.Label "tier"}}']);
  assert.equal(r.stdout, `${ids.web.slice(0, 12)} web running host front\n`);
  const t = await d.cli(['ps', '-a', '--format', 'table {{.Names}}\\t{{.Status}}', '-f', 'name=^(web|job)$']);
  const lines = t.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^NAMES +STATUS$/);
  assert.equal(lines.length, 3);
  // the columns line up: STATUS starts where each status does
  const col = lines[0].indexOf('STATUS');
  for (const l of lines.slice(1)) assert.match(l.slice(col), /^(Up |Exited \(3\))/, l);
  assert.equal((await d.cli(['ps', '-a', '-q', '--format', '{{.Names}}', '-f', 'name=^web$'])).stdout, `${ids.web.slice(0, 12)}\n`);
  const json = JSON.parse((await d.cli(['ps', '--format', 'json'])).stdout);
  assert.equal(json[0].name, 'web', '--format json is nscope\'s list, as before');
  assert.equal((await d.cli(['ps', '--format', '{{json .Names}}'])).stdout, '"web"\n');
});

test('{{.Ports}}, {{.Networks}} and {{.Mounts}} come from each container\'s details', async () => {
  const r = await d.cli(['run', '-d', '--name', 'pub', '-p', '127.0.0.1::80', '-v', 'pubdata:/data', 'host', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const port = (await d.cli(['port', 'pub', '80'])).stdout.trim();
  const out = await d.cli(['ps', '-f', 'name=^pub$', '--format', '{{.Ports}}|{{.Networks}}|{{.Mounts}}']);
  assert.equal(out.stdout, `${port}->80/tcp|nscope|pubdata\n`);
  // the default table has Docker's PORTS column, between STATUS and NAMES
  const t = (await d.cli(['ps', '-f', 'name=^pub$'])).stdout.split('\n');
  assert.match(t[0], /STATUS +PORTS +NAMES$/);
  assert.match(t[1], new RegExp(`${port.replace(/\./g, '\\.')}->80/tcp +pub$`));
  assert.equal((await d.cli(['rm', '-f', 'pub'])).code, 0);
});

test('-s: each container\'s rw layer, and with its image', async () => {
  await d.cli(['run', '--name', 'fat', 'host', 'dd', 'if=/dev/zero', 'of=/blob', 'bs=1k', 'count=200']);
  const imageSize = (await d.cli(['images', '--format', '{{.Size}}', 'host'])).stdout.trim();
  const t = (await d.cli(['ps', '-a', '-s', '-f', 'name=^fat$'])).stdout.split('\n');
  assert.match(t[0], /NAMES +SIZE$/);
  assert.match(t[1], / 20\d(\.\d)?kB \(virtual \d+(\.\d+)?MB\)$/);
  assert.ok(imageSize.endsWith('MB'), imageSize);
  assert.match((await d.cli(['ps', '-a', '-f', 'name=^fat$', '--format', '{{.Size}}'])).stdout, /^20\d(\.\d)?kB \(virtual /);
  assert.equal((await d.cli(['rm', 'fat'])).code, 0);
});

test('-n, -l and --no-trunc', async () => {
  assert.deepEqual(await names('-n', '2'), ['idle', 'ok'], 'the two created last, of every state');
  assert.deepEqual(await names('-l'), ['idle']);
  const full = await d.cli(['ps', '--no-trunc', '-q']);
  assert.equal(full.stdout, `${ids.web}\n`);
  const table = await d.cli(['ps', '--no-trunc']);
  assert.ok(table.stdout.includes(ids.web));
});

test('bad filters and formats: one line, Docker\'s exit code (125 for a flag value it cannot parse, else 1), nothing listed', async () => {
  for (const [args, msg, code] of [
    [['-f', 'color=red'], /invalid filter 'color'/, 1],
    [['-f', 'status=zombie'], /status=zombie/, 1],
    [['-f', 'name'], /bad format of filter "name"/, 125],
    [['--format', '{{.Names'], /--format: template: unclosed action/, 1],
    [['-n', 'x'], /--last: "x" is not a number/, 125],
  ] as const) {
    const r = await d.cli(['ps', ...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  }
  const field = await d.cli(['ps', '--format', '{{.Nope}}']);
  assert.equal(field.code, 1);
  assert.match(field.stderr, /can't evaluate field Nope/);
});

test('IMAGE as Docker shows it: as named at create (the Hub\'s prefix and a digest cut), the ID once that name means another image', async () => {
  const image = async (name: string, ...args: string[]) => (await d.cli(['ps', '-a', ...args, '-f', `name=^${name}$`, '--format', '{{.Image}}'])).stdout.trim();
  const hostId = (await d.cli(['image', 'inspect', '-f', '{{.Id}}', 'host'])).stdout.trim();
  assert.equal((await d.cli(['tag', 'host', 'moving:1'])).code, 0);
  for (const [name, ref] of [['m1', 'moving:1'], ['m2', 'docker.io/library/host:latest'], ['m3', hostId.slice(7, 17)]]) {
    const r = await d.cli(['create', '--name', name, ref, 'true']);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(await image('m1'), 'moving:1');
  assert.equal(await image('m2'), 'host:latest');
  assert.equal(await image('m2', '--no-trunc'), 'docker.io/library/host:latest');
  assert.equal(await image('m3'), hostId.slice(7, 17), 'an ID prefix as typed');
  assert.equal((await d.cli(['inspect', '-f', '{{.Config.Image}} {{.Image}}', 'm2'])).stdout.trim(), `docker.io/library/host:latest ${hostId}`);
  // moving:1 now names another image (a commit of m1 under that name): m1 shows its image's ID
  assert.equal((await d.cli(['commit', 'm1', 'moving:1'])).code, 0);
  assert.equal(await image('m1'), hostId.slice(7, 19));
  assert.equal(await image('m1', '--no-trunc'), hostId);
  assert.equal((await d.cli(['inspect', '-f', '{{.Config.Image}}', 'm1'])).stdout.trim(), 'moving:1', 'inspect keeps the name given');
  assert.equal((await d.cli(['rm', 'm1', 'm2', 'm3'])).code, 0);
  assert.equal((await d.cli(['rmi', 'moving:1'])).code, 0);
});

test('images: --filter dangling/reference, --format, a REPOSITORY argument', async () => {
  assert.equal((await d.cli(['tag', 'host', 'team/app:1.0'])).code, 0);
  const f = async (...args: string[]) => (await d.cli(['images', ...args, '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(await f(), ['host:latest', 'team/app:1.0']);
  assert.deepEqual(await f('-f', 'reference=team/*'), ['team/app:1.0']);
  assert.deepEqual(await f('-f', 'reference=*:latest'), ['host:latest']);
  assert.deepEqual(await f('host'), ['host:latest']);
  assert.deepEqual(await f('-f', 'dangling=true'), []);
  assert.deepEqual(await f('-f', 'dangling=false'), ['host:latest', 'team/app:1.0']);
  const t = await d.cli(['images', '--format', 'table {{.Repository}}\\t{{.ID}}']);
  assert.match(t.stdout.split('\n')[0], /^REPOSITORY +IMAGE ID$/);
  assert.equal((await d.cli(['images', '-q'])).stdout.split('\n').filter(Boolean).length, 1, 'one id for two names');
  const bad = await d.cli(['images', '-f', 'dangling=maybe']);
  assert.equal(bad.code, 1);
  assert.equal((await d.cli(['rmi', 'team/app:1.0'])).code, 0);
});
