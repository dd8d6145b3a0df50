// RUN's flags in `nscope build` against a real helper, as `docker init`'s
// Containerfiles use them (helper/build/run-mounts.ts): --mount=type=cache
// (a volume kept between builds, removed by builder prune), type=bind from
// the context (read-only; rw writes a copy, never the context; its content in
// the step's cache key) and from another stage, type=tmpfs, type=secret with
// --secret (from a file or a variable, mode and owner as asked, required), and
// --network=none. Every mount point is left out of the step's layer, a
// secret's bytes are in no layer; bad mounts are refused naming the step,
// with no container left. And COPY --chown by name, and on COPY --from.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: RUN --mount, --network', () => {
  let d: TestDaemon;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const build = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => d.cli(['build', ...args], { env: { ...env, ...extraEnv } });
  const context = (name: string, text: string, files: Record<string, string> = {}) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Containerfile'), text);
    for (const [f, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), body);
    }
    return dir;
  };
  /** runs `script` in a container of `image`; its output */
  const sh = async (image: string, script: string) => {
    const r = await d.cli(['run', '--rm', image, 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const noContainers = async () => assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');
  /** every regular file's bytes under the helper's layer directories include `needle` somewhere */
  const inSomeLayer = (needle: string): boolean => {
    const walk = (dir: string): boolean => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() ? walk(p) : e.isFile() && fs.readFileSync(p).includes(needle)) return true;
      }
      return false;
    };
    return walk(path.join(d.root, 'layers'));
  };

  before(async () => {
    d = await startWithImage('build-mounts');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-mounts-'));
    fs.chmodSync(work, 0o755);
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('cache and context bind: the cache lives on between builds, the bound file\'s change reruns the step, neither mount point is in the layer', async () => {
    const ctx = context('cache', [
      'FROM host', 'WORKDIR /app',
      'RUN --mount=type=cache,target=/var/cache/tool --mount=type=bind,source=req.txt,target=req.txt \\',
      '    sh -c \'cat req.txt > /installed; echo run >> /var/cache/tool/runs; cat /var/cache/tool/runs > /runs\'', '',
    ].join('\n'), { 'req.txt': 'pkg==1\n' });
    const first = await build(['-t', 'mnt:1', ctx]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.equal(await sh('mnt:1', 'cat /installed /runs; ls -A /app; [ -e /var/cache/tool ] && echo cache-dir-in-image; true'), 'pkg==1\nrun\n');
    // unchanged: the step comes from the cache
    const again = await build(['-t', 'mnt:1', ctx]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /RUN --mount=type=cache[^\n]*\n ---> Using cache/);
    // the bound file changed: the step runs again, and its cache mount still holds the first run's line
    fs.writeFileSync(path.join(ctx, 'req.txt'), 'pkg==2\n');
    const third = await build(['-t', 'mnt:2', ctx]);
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stdout, /RUN --mount[^\n]*\n ---> Using cache/);
    assert.equal(await sh('mnt:2', 'cat /installed /runs'), 'pkg==2\nrun\nrun\n');
    assert.match((await d.cli(['volume', 'ls', '-q'])).stdout, /^nscope-build-cache-[0-9a-f]{16}$/m);
    // builder prune takes the cache volume with the cached steps
    const pr = await d.cli(['builder', 'prune', '-f']);
    assert.equal(pr.code, 0, pr.stderr);
    assert.match(pr.stdout, /nscope-build-cache-[0-9a-f]{16}/);
    assert.doesNotMatch((await d.cli(['volume', 'ls', '-q'])).stdout, /nscope-build-cache-/);
    await noContainers();
  });

  test('a bind is read-only unless rw, and rw writes a copy: the context stays as it was', async () => {
    const ro = context('bind-ro', 'FROM host\nRUN --mount=type=bind,target=/ctx sh -c \'echo changed > /ctx/data.txt\'\n', { 'data.txt': 'original\n' });
    const refused = await build([ro]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /returned a non-zero code/);
    assert.match(refused.stdout + refused.stderr, /Read-only file system/);
    const rw = context('bind-rw', 'FROM host\nRUN --mount=type=bind,target=/ctx,rw sh -c \'echo changed > /ctx/data.txt; cat /ctx/data.txt > /seen\'\n', { 'data.txt': 'original\n' });
    const ok = await build(['-t', 'rw:1', rw]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await sh('rw:1', 'cat /seen; [ -e /ctx ] && echo ctx-in-image; true'), 'changed\n');
    assert.equal(fs.readFileSync(path.join(rw, 'data.txt'), 'utf8'), 'original\n');
    await noContainers();
  });

  test('bind from an earlier stage, tmpfs and --network=none; no mount point in the layers', async () => {
    const ctx = context('stages', [
      'FROM host AS base', 'RUN mkdir -p /out && echo from-base > /out/made',
      'FROM host',
      'RUN --mount=type=bind,from=base,source=/out,target=/in cat /in/made > /copied',
      'RUN --mount=type=tmpfs,target=/scratch,size=1048576 sh -c \'echo x > /scratch/y; grep " /scratch " /proc/mounts > /scratch-mount\'',
      'RUN --network=none cat /proc/net/dev > /netdev', '',
    ].join('\n'));
    const r = await build(['-t', 'stages:1', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = await sh('stages:1', 'cat /copied /scratch-mount; ls -d /in /scratch 2>&1; true');
    assert.match(out, /^from-base\ntmpfs \/scratch tmpfs [^\n]*size=1024k/);
    assert.match(out, /\/in': No such file/);
    assert.match(out, /\/scratch': No such file/);
    const netdev = await sh('stages:1', 'cat /netdev');
    assert.match(netdev, /\blo:/);
    assert.doesNotMatch(netdev, /eth0:/);
    await noContainers();
  });

  test('secrets: a file and a variable, shown at /run/secrets/ID or a target with the mode and owner asked, in no layer; a required one missing fails the step', async () => {
    const secret = `s3cr3t-${process.pid}-value`;
    const file = path.join(work, 'token');
    fs.writeFileSync(file, secret);
    const ctx = context('secret', [
      'FROM host',
      // the secret's length, not its bytes, goes into the layer (the Containerfile must not hold it either)
      'RUN --mount=type=secret,id=tok stat -c "%a %u %g %s" /run/secrets/tok > /tok-seen',
      'RUN --mount=type=secret,id=var,target=/etc/app/key,mode=0440,uid=7,gid=8 stat -c "%a %u %g %s" /etc/app/key > /var-seen',
      'RUN --mount=type=secret,id=absent ls /run/secrets > /absent-seen 2>&1 || echo none > /absent-seen', '',
    ].join('\n'));
    const r = await build(['-t', 'sec:1', '--secret', `id=tok,src=${file}`, '--secret', 'id=var,env=NSCOPE_TEST_SECRET', ctx], { NSCOPE_TEST_SECRET: 'twelve-bytes' });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await sh('sec:1', 'cat /tok-seen /var-seen /absent-seen; ls -A /run/secrets /etc/app 2>&1; true'),
      `400 0 0 ${secret.length}\n440 7 8 12\nnone\nls: cannot access \'/run/secrets\': No such file or directory\nls: cannot access \'/etc/app\': No such file or directory\n`);
    assert.ok(!inSomeLayer(secret), 'the secret is in no layer');
    assert.doesNotMatch(JSON.stringify(JSON.parse((await d.cli(['inspect', 'sec:1'])).stdout)), new RegExp(secret));
    // required, and not given: the step fails, naming the flag to give
    const req = context('secret-req', 'FROM host\nRUN --mount=type=secret,id=tok,required=true cat /run/secrets/tok\n');
    const missing = await build([req]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /the secret "tok" is required: give it with --secret id=tok,src=FILE/);
    const noFile = await build(['--secret', `id=tok,src=${path.join(work, 'no-such')}`, req]);
    assert.notEqual(noFile.code, 0);
    assert.match(noFile.stderr, /--secret id=tok,src=.*no-such: no such file/);
    await noContainers();
  });

  test('COPY --chown by name (the image\'s passwd and group as they are at that step, ARGs expanded), and --chown/--chmod on COPY --from', async () => {
    const ctx = context('chown', [
      'FROM host AS base', 'RUN mkdir -p /out && echo made > /out/f',
      'FROM host', 'ARG WHO=app',
      'RUN echo "app:x:1234:2345::/home/app:/bin/sh" >> /etc/passwd && echo "staff:x:4567:app" >> /etc/group && echo "app:x:2345:" >> /etc/group',
      'COPY --chown=${WHO} a.txt /a-user', 'COPY --chown=app:staff a.txt /a-both', 'COPY --chown=77 a.txt /a-num',
      'COPY --from=base --chown=app:staff --chmod=0640 /out /from', '',
    ].join('\n'), { 'a.txt': 'a\n' });
    const r = await build(['-t', 'chown:1', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await sh('chown:1', 'stat -c "%n %u %g %a" /a-user /a-both /a-num /from/f'),
      '/a-user 1234 2345 644\n/a-both 1234 4567 644\n/a-num 77 77 644\n/from/f 1234 4567 640\n');
    const unknown = await build([context('chown-bad', 'FROM host\nCOPY --chown=nobody-here a.txt /x\n', { 'a.txt': 'a\n' })]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--chown=nobody-here: no user nobody-here in the image's \/etc\/passwd/);
    await noContainers();
  });

  test('refused, naming the step, nothing left: an unknown RUN flag or mount key, type=ssh, a bind out of the context, --ssh', async () => {
    const outside = path.join(work, 'outside.txt');
    fs.writeFileSync(outside, 'host file\n');
    const cases: [string, RegExp][] = [
      ['RUN --frobnicate=1 true', /unknown flag --frobnicate \(RUN takes --mount, --network, --security\)/],
      ['RUN --mount=type=bind,source=x,target=/x,colour=red true', /--mount=type=bind,source=x,target=\/x,colour=red: unknown key "colour"/],
      ['RUN --mount=type=ssh true', /type=ssh: nscope build has no SSH agent forwarding/],
      ['RUN --mount=type=bind,source=../outside.txt,target=/o cat /o', /--mount source \.\.\/outside\.txt: outside the build context/],
      ['RUN --mount=type=bind,source=link,target=/o cat /o', /--mount source link: outside the build context/],
      ['RUN --mount=type=cache true', /type=cache: a target is needed/],
      ['RUN --mount=type=tmpfs,target=/t,size=lots true', /size=lots: a whole number/],
      ['RUN --network=bridge0 true', /--network=bridge0: default, none or host/],
      ['RUN --security=insecure true', /--security=insecure/],
    ];
    for (const [line, want] of cases) {
      const ctx = context(`bad-${cases.findIndex((c) => c[0] === line)}`, `FROM host\n${line}\n`);
      if (line.includes('source=link')) fs.symlinkSync(outside, path.join(ctx, 'link'));
      const r = await build([ctx]);
      assert.equal(r.code, 1, `${line}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, want, line);
      assert.match(r.stderr, /RUN \(Containerfile:2, step 2\)/, line);
    }
    const ssh = await build(['--ssh', 'default', context('ssh', 'FROM host\nRUN true\n')]);
    assert.equal(ssh.code, 1);
    assert.match(ssh.stderr, /--ssh is not supported/);
    await noContainers();
  });
});
