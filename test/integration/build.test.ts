// `nscope build` against a real helper: a two-stage Containerfile with ARG,
// ENV, WORKDIR, COPY (.dockerignore, --chmod, --chown, --from), ADD of a local
// tar and RUN; the image runs; the layer cache hits on a rebuild and misses
// after a context file changes; --target, --no-cache; a failing RUN names its
// step and exit code and leaves no container behind. FROM scratch: COPY makes
// the layers (busybox-static's /bin/busybox runs in it), a RUN with no shell
// fails naming its step and leaves no layer, multi-stage COPY --from into
// scratch, the cache hits; ENV/CMD alone make an image of zero layers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

const CONTAINERFILE = `ARG GREETING=hello
FROM host AS build
ARG GREETING
WORKDIR /src
COPY app.sh .
RUN echo "$GREETING from RUN" > /src/out.txt
FROM host
ENV MODE=prod
WORKDIR /app
COPY --from=build /src/out.txt ./
COPY conf /app/conf
COPY --chmod=700 --chown=12:34 app.sh run.sh
ADD files.tar /unpacked/
CMD ["cat", "/app/out.txt"]
HEALTHCHECK --interval=30s --retries=3 CMD cat /app/out.txt
`;

describe('nscope build', () => {
  let d: TestDaemon;
  let ctx: string;
  let env: NodeJS.ProcessEnv;
  const build = (args: string[]) => d.cli(['build', ...args], { env });
  const run = async (...cmd: string[]) => { const r = await d.cli(['run', '--rm', '--network', 'none', ...cmd]); assert.equal(r.code, 0, r.stderr); return r.stdout; };

  before(async () => {
    d = await startWithImage('build');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
    ctx = path.join(work, 'ctx');
    fs.mkdirSync(path.join(ctx, 'conf'), { recursive: true });
    fs.writeFileSync(path.join(ctx, 'app.sh'), 'echo app\n');
    fs.writeFileSync(path.join(ctx, 'conf', 'a.conf'), 'a=1\n');
    fs.writeFileSync(path.join(ctx, 'conf', 'secret.key'), 'do not ship\n');
    fs.writeFileSync(path.join(ctx, '.dockerignore'), '**/*.key\n');
    fs.mkdirSync(path.join(work, 'tarred'));
    fs.writeFileSync(path.join(work, 'tarred', 'inside.txt'), 'from the tar\n');
    execFileSync('tar', ['-C', path.join(work, 'tarred'), '-cf', path.join(ctx, 'files.tar'), 'inside.txt']);
    fs.writeFileSync(path.join(ctx, 'Containerfile'), CONTAINERFILE);
  });

  after(async () => {
    fs.rmSync(path.dirname(ctx), { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('a two-stage build: each instruction applied, the image runs', async () => {
    const r = await build(['-t', 'demo:1', '--build-arg', 'GREETING=hi', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Step 1\/14 : FROM host AS build/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged demo:1\n$/);
    assert.equal(await run('demo:1'), 'hi from RUN\n');
    const seen = await run('demo:1', 'sh', '-c', 'pwd; echo $MODE; ls /app/conf; stat -c "%a %u:%g" /app/run.sh; cat /unpacked/inside.txt');
    assert.equal(seen, '/app\nprod\na.conf\n700 12:34\nfrom the tar\n');
    // a history entry per step, naming the Containerfile's line
    const img = JSON.parse((await d.cli(['image', 'inspect', 'demo:1'])).stdout)[0].Nscope;
    assert.ok(JSON.stringify(img.config).includes('Containerfile:12'), 'the COPY --chmod line in the history');
    // created_by is the instruction, not the command of the container the step ran in
    const entry = img.config.history.find((h: { comment?: string }) => h.comment === 'Containerfile:12');
    assert.equal(entry.created_by, 'COPY --chmod=700 --chown=12:34 app.sh run.sh');
    assert.deepEqual(img.config.config.Healthcheck, { Test: ['CMD-SHELL', 'cat /app/out.txt'], Interval: 30e9, Retries: 3 });
  });

  test('the layer cache: an unchanged rebuild hits every step, a changed context file misses from its COPY on', async () => {
    const again = await build(['-t', 'demo:2', '--build-arg', 'GREETING=hi', ctx]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 6);
    const first = JSON.parse((await d.cli(['image', 'inspect', 'demo:1'])).stdout)[0].Id;
    assert.equal(JSON.parse((await d.cli(['image', 'inspect', 'demo:2'])).stdout)[0].Id, first, 'the same image');
    fs.writeFileSync(path.join(ctx, 'conf', 'a.conf'), 'a=2\n');
    const changed = await build(['-t', 'demo:3', '--build-arg', 'GREETING=hi', ctx]);
    assert.equal(changed.code, 0, changed.stderr);
    // the first stage and the second stage's COPY --from still hit; COPY conf and what follows run again
    assert.equal((changed.stdout.match(/Using cache/g) ?? []).length, 3);
    assert.equal(await run('demo:3', 'cat', '/app/conf/a.conf'), 'a=2\n');
    const none = await build(['--no-cache', '-q', '--build-arg', 'GREETING=hi', ctx]);
    assert.equal(none.code, 0, none.stderr);
    assert.doesNotMatch(none.stdout, /Using cache/);
    assert.match(none.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  });

  test('--target stops at a stage; a failing RUN names its step and leaves no container', async () => {
    const t = await build(['--target', 'build', '-t', 'stage:1', '--build-arg', 'GREETING=yo', ctx]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(await run('stage:1', 'cat', '/src/out.txt'), 'yo from RUN\n');
    const bad = path.join(path.dirname(ctx), 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'Containerfile'), 'FROM host\nRUN echo before\nRUN exit 3\n');
    const r = await build([bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3 \(Containerfile:3, step 3\)/);
    assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');
    // again: step 2 comes from the cache, step 3 fails the same, and the layer store has not grown
    const layers = () => fs.readdirSync(path.join(d.root, 'layers')).sort();
    const had = layers();
    const again = await build([bad]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /Using cache/);
    assert.match(again.stderr, /returned a non-zero code: 3 \(Containerfile:3, step 3\)/);
    assert.deepEqual(layers(), had, 'no layer left by the failing RUN');
    const missing = await build(['-f', path.join(bad, 'nope'), bad]);
    assert.equal(missing.code, 1);
  });

  test('config instructions land in the image: USER, ENTRYPOINT, LABEL, EXPOSE, VOLUME, SHELL, STOPSIGNAL', async () => {
    const cfg = path.join(path.dirname(ctx), 'config');
    fs.mkdirSync(cfg);
    fs.writeFileSync(path.join(cfg, 'Containerfile'), [
      'FROM host',
      // SHELL changes how the next RUN's shell form runs: -e stops at the first failure, so "false; …" fails
      'SHELL ["/bin/sh", "-ec"]',
      'RUN echo shell-form > /shell.txt',
      'LABEL org.example.team="the build tests" version=2',
      'EXPOSE 8080 53/udp',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGQUIT',
      'USER 1000:1000',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'CMD ["id -u; cat /shell.txt"]',
      '',
    ].join('\n'));
    const r = await build(['-t', 'config:1', cfg]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const c = JSON.parse((await d.cli(['image', 'inspect', 'config:1'])).stdout)[0].Nscope.config.config;
    assert.deepEqual(c.Shell, ['/bin/sh', '-ec']);
    assert.deepEqual(c.Labels, { 'org.example.team': 'the build tests', version: '2' });
    assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.StopSignal, 'SIGQUIT');
    assert.equal(c.User, '1000:1000');
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(c.Cmd, ['id -u; cat /shell.txt']);
    assert.equal(await run('config:1'), '1000\nshell-form\n');
    // SHELL's -e in a RUN: the first failing command fails the step
    fs.writeFileSync(path.join(cfg, 'Failfile'), 'FROM host\nSHELL ["/bin/sh", "-ec"]\nRUN false; echo not reached\n');
    const fail = await build(['-f', path.join(cfg, 'Failfile'), cfg]);
    assert.equal(fail.code, 1, fail.stdout);
    assert.match(fail.stderr, /The command '\/bin\/sh -ec false; echo not reached' returned a non-zero code: 1 \(Failfile:3, step 3\)/);
  });

  describe('FROM scratch', () => {
    let sctx: string;
    const file = (name: string, text: string) => { fs.writeFileSync(path.join(sctx, name), text); return ['-f', path.join(sctx, name), sctx]; };
    const imageIds = async () => (await (await d.client()).request('image.list', { all: true })).map((i) => `${i.id} ${i.name}`).sort();
    const inspect = async (ref: string) => JSON.parse((await d.cli(['image', 'inspect', ref])).stdout)[0].Nscope;

    before(() => {
      sctx = path.join(path.dirname(ctx), 'scratch');
      fs.mkdirSync(sctx);
      // Debian's busybox-static: one static program, so it runs with no libraries in the image
      fs.copyFileSync('/bin/busybox', path.join(sctx, 'busybox'));
      fs.writeFileSync(path.join(sctx, 'hello.txt'), 'hello from the context\n');
    });

    test('COPY into scratch makes the layers; the image has the host\'s platform and runs; a rebuild hits the cache', async () => {
      const args = file('Scratchfile', 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /etc/\nRUN ["/bin/busybox", "mkdir", "/made"]\nENV GREETING=hi\nCMD ["/bin/busybox", "echo", "hi"]\n');
      const r = await build(['-t', 'tiny:1', ...args]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(await run('tiny:1'), 'hi\n');
      assert.equal(await run('tiny:1', '/bin/busybox', 'sh', '-c', 'cat /etc/hello.txt; echo $GREETING; /bin/busybox ls / | /bin/busybox tr "\\n" " "'), 'hello from the context\nhi\nbin dev etc made proc sys ');
      const img = await inspect('tiny:1');
      const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
      assert.equal(img.config.architecture, arch);
      assert.equal(img.config.os, 'linux');
      assert.equal(img.layers.length, 3, 'two COPYs and a RUN, no parent layers');
      assert.deepEqual(img.config.config.Cmd, ['/bin/busybox', 'echo', 'hi']);
      const again = await build(['-t', 'tiny:2', ...args]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 3);
      assert.equal((await inspect('tiny:2')).id, img.id, 'the same image');
    });

    test('multi-stage: COPY --from a stage into a scratch final stage', async () => {
      const r = await build(['-t', 'tiny:multi', ...file('Multifile', 'FROM host AS builder\nRUN mkdir -p /out && echo built > /out/result.txt\nFROM scratch\nCOPY --from=builder /out/result.txt /result.txt\nCOPY busybox /bin/\nCMD ["/bin/busybox", "cat", "/result.txt"]\n')]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(await run('tiny:multi'), 'built\n');
      assert.equal((await inspect('tiny:multi')).layers.length, 2);
    });

    test('RUN in scratch with no shell fails naming its step and /bin/sh, and leaves no layer nor container', async () => {
      const ok = await build(['-t', 'tiny:base', ...file('Basefile', 'FROM scratch\nCOPY hello.txt /hello.txt\n')]);
      assert.equal(ok.code, 0, ok.stderr);
      const before = await imageIds();
      const r = await build(file('Runfile', 'FROM scratch\nCOPY hello.txt /hello.txt\nRUN echo no shell here\n'));
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /RUN \(Runfile:3, step 3\): exec: \/bin\/sh: No such file or directory \(a FROM scratch stage has no shell/);
      assert.deepEqual(await imageIds(), before, 'no image or layer added');
      assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');
    });

    test('FROM scratch with only ENV and CMD: an image of zero layers; running it fails clearly', async () => {
      const r = await build(['-t', 'empty:1', ...file('Emptyfile', 'FROM scratch\nENV A=1\nCMD ["/hello"]\n')]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const img = await inspect('empty:1');
      assert.equal(img.layers.length, 0);
      // the default PATH first, as Docker's builders put it in a FROM scratch image
      assert.deepEqual(img.config.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
      const ran = await d.cli(['run', '--rm', '--network', 'none', 'empty:1']);
      assert.notEqual(ran.code, 0);
      assert.match(ran.stderr, /exec: \/hello: No such file or directory/);
      const bare = await build(['-t', 'empty:2', ...file('Barefile', 'FROM scratch\nLABEL a=b\n')]);
      assert.equal(bare.code, 0, bare.stderr);
      const none = await d.cli(['create', '--network', 'none', 'empty:2']);
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /no command specified/);
      assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');
    });
  });

  test("the build cache's images: left out of `images` (shown by -a), counted by `system df`, removed by `builder prune`", async () => {
    const cacheNames = async (args: string[]) => (await d.cli(['images', ...args, '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter((n) => n.startsWith('nscope-build-cache:'));
    assert.deepEqual(await cacheNames([]), [], 'images hides them');
    assert.ok((await cacheNames(['-a'])).length >= 6, 'images -a shows them');
    const rpcCache = async (all: boolean) => (await (await d.client()).request('image.list', { all })).filter((i) => i.name.startsWith('nscope-build-cache:')).length;
    assert.equal(await rpcCache(false), 0, 'image.list leaves them out');
    assert.ok(await rpcCache(true) >= 6, 'image.list { all } has them');
    // a build without -t: its last image shows as <none>, as Docker shows it; its intermediates do not
    fs.writeFileSync(path.join(ctx, 'Untagged'), 'FROM host\nRUN echo u > /u\nENV U=1\n');
    const untagged = await build(['-q', '-f', path.join(ctx, 'Untagged'), ctx]);
    assert.equal(untagged.code, 0, untagged.stderr);
    const finalId = untagged.stdout.trim();
    const shown = (await d.cli(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout;
    assert.match(shown, new RegExp(`^${finalId} <none>:<none>$`, 'm'), shown);
    // the RUN step's image: the same layers as the last one (ENV adds none), made before it
    const cl = await d.client();
    const layersOf = async (ref: string) => (await cl.request('image.inspect', { ref })).layers.map((l) => l.diffId).join(',');
    const finalLayers = await layersOf(finalId);
    const runStep: string[] = [];
    for (const i of await cl.request('image.list', { all: true })) {
      if (i.name.startsWith('nscope-build-cache:') && i.id !== finalId && await layersOf(i.id) === finalLayers) runStep.push(i.id);
    }
    assert.ok(runStep.length >= 1, 'the RUN step has an image of its own');
    for (const id of runStep) assert.ok(!shown.includes(id), `the RUN step's image ${id} is an intermediate: hidden`);
    fs.rmSync(path.join(ctx, 'Untagged'));
    const df = async () => JSON.parse((await d.cli(['system', 'df', '--format', 'json'])).stdout).find((r: { Type: string }) => r.Type === 'Build Cache');
    assert.ok(Number((await df()).TotalCount) > 0, 'system df counts the cache');
    const before = (await d.cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout;
    const pruned = await d.cli(['builder', 'prune', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Total reclaimed space: /);
    // what is left of the cache's names are untagged builds' last images: `images` shows them as <none>, they are images
    const left = (await cl.request('image.list', { all: true })).filter((i) => i.name.startsWith('nscope-build-cache:')).map((i) => i.id);
    const dangling = (await cl.request('image.list', {})).filter((i) => i.name === '<none>:<none>').map((i) => i.id);
    assert.ok(left.includes(finalId), 'the untagged build\'s image stays');
    for (const id of left) assert.ok(dangling.includes(id), `${id}: only images shown as <none> keep a cache name`);
    for (const id of runStep) assert.ok(!left.includes(id), 'the intermediates are gone');
    assert.equal((await df()).TotalCount, '0');
    assert.equal((await d.cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout, before, 'the named images stay');
    assert.equal(await run('demo:1'), 'hi from RUN\n');
    const again = await build(['-t', 'demo:4', '--build-arg', 'GREETING=hi', ctx]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /Using cache/, 'a pruned cache misses');
    // the untagged build's image is a dangling image: image prune removes it, cache name and all
    assert.equal((await d.cli(['image', 'prune', '-f'])).code, 0);
    assert.ok(!(await cl.request('image.list', { all: true })).some((i) => i.id === finalId), 'image prune took the dangling build image');
  });

  test('one layer twice (two RUNs that change the same nothing): the image runs, a stopped container copies out, a volume fills', async () => {
    fs.writeFileSync(path.join(ctx, 'Twice'), 'FROM host\nRUN echo same\nRUN mkdir /between\nRUN echo same\n');
    const b = await build(['-q', '-t', 'twice:1', '-f', path.join(ctx, 'Twice'), ctx]);
    assert.equal(b.code, 0, b.stderr);
    fs.rmSync(path.join(ctx, 'Twice'));
    const diffIds = (await (await d.client()).request('image.inspect', { ref: 'twice:1' })).layers.map((l) => l.diffId);
    assert.equal(new Set(diffIds).size, diffIds.length - 1, `one layer is in the image twice: ${diffIds.join(' ')}`);
    // overlayfs refuses a dir stacked twice (ELOOP): each is mounted once, at its topmost place
    assert.match(await run('twice:1', 'ls', '/'), /^between$/m);
    assert.match(await run('-v', 'twice-etc:/etc', 'twice:1', 'ls', '/etc'), /^passwd$/m);
    const c = await d.cli(['create', '--name', 'twice', 'twice:1', 'ls']);
    assert.equal(c.code, 0, c.stderr);
    const out = await d.cli(['cp', 'twice:/between', '-']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal((await d.cli(['rm', '-v', 'twice'])).code, 0);
    assert.equal((await d.cli(['volume', 'rm', 'twice-etc'])).code, 0);
  });
});
