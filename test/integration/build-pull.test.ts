// `nscope build` of a Containerfile whose FROM names an image that is only in
// a registry (Debian's docker-registry started privately by the suite, the
// image put there by skopeo): the build pulls the base, runs its RUN on it and
// the image runs; a rebuild finds the base local and pulls nothing. A base the
// registry does not have, or one of a private registry without `nscope login`,
// fails the build with one clear line and leaves no image and no container;
// after the login the same build pulls with the stored credentials.
// (`nscope build` has no --pull flag: a missing base is always pulled.)
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestDaemon } from '../helpers/daemon';
import { busyboxImage, makeImageLayout } from '../helpers/image-layout';
import { startRegistry, type TestRegistry } from '../helpers/registry';
import { pushLayout } from '../helpers/skopeo';

const have = (cmd: string) => ['/usr/bin', '/usr/sbin', '/bin'].some((d) => fs.existsSync(path.join(d, cmd)));
const missing = ['docker-registry', 'skopeo', 'busybox'].filter((c) => !have(c));
const skip = missing.length ? `not installed: ${missing.join(', ')} (scripts/setup-registry.sh)` : false;

describe('nscope build FROM a registry image', { skip }, () => {
  let plain: TestRegistry;
  let tls: TestRegistry;
  let d: TestDaemon;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const build = (args: string[]) => d.cli(['build', '--network', 'none', ...args], { env, timeoutMs: 120000 });
  /** a build context whose Containerfile is `lines` */
  const context = (name: string, ...lines: string[]) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Containerfile'), `${lines.join('\n')}\n`);
    return dir;
  };
  const images = async () => (await d.cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter((l) => l && !l.startsWith('<none>')).sort();
  const containers = async () => (await d.cli(['ps', '-aq'])).stdout.trim();

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-buildpull-'));
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    env = { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, '.docker'), XDG_CACHE_HOME: path.join(work, 'cache'), XDG_RUNTIME_DIR: path.join(work, 'xdg'), REGISTRY_AUTH_FILE: '' };
    plain = await startRegistry({ mode: 'plain' });
    tls = await startRegistry({ mode: 'tls-basic' });
    const bb = makeImageLayout(path.join(work, 'busybox'), busyboxImage(), 'latest');
    await pushLayout(plain, bb, 'tools/busybox', '1.0');
    await pushLayout(tls, bb, 'private/busybox', '1.0');
    d = new TestDaemon('buildpull');
    d.extraArgs = ['--certs-dir', tls.certsDir!, '--registry-config', 'none'];
    await d.start();
  });

  after(async () => {
    const leaks = d ? await d.cleanup() : [];
    await plain?.stop();
    await tls?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  test('a base only in the registry is pulled, the RUN runs on it, the image runs; a rebuild pulls nothing', async () => {
    const base = `${plain.host}/tools/busybox:1.0`;
    assert.equal((await d.cli(['image', 'inspect', base])).code, 1, 'the base is not local before the build');
    const ctx = context('app', `FROM ${base}`, 'RUN ls /bin/busybox > /built.txt', 'CMD ["cat", "/built.txt"]');
    const r = await build(['-t', 'pulled-app:1', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`Step 1/3 : FROM ${base.replace(/\./g, '\\.')}\n`));
    assert.match(r.stdout, /Pull complete/);
    assert.match(r.stdout, /Successfully tagged pulled-app:1\n$/);
    // the base is now a local image, from that registry
    const pulled = JSON.parse((await d.cli(['image', 'inspect', base])).stdout)[0].Nscope;
    assert.equal(pulled.origin.registry, plain.host);
    assert.equal(pulled.origin.repository, 'tools/busybox');
    const app = JSON.parse((await d.cli(['image', 'inspect', 'pulled-app:1'])).stdout)[0].Nscope;
    assert.deepEqual(app.layers.slice(0, pulled.layers.length), pulled.layers, 'the image stands on the pulled layers');
    const out = await d.cli(['run', '--rm', '--network', 'none', 'pulled-app:1']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, '/bin/busybox\n', 'the RUN ran on the pulled base\'s files');
    // the base is local now: no pull, and the RUN step comes from the cache
    const again = await build(['-t', 'pulled-app:2', ctx]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.doesNotMatch(again.stdout, /Pull|Pulling/);
    assert.match(again.stdout, /Using cache/);
    // --pull (Docker's): the base is asked of the registry again, though local
    const fresh = await build(['--pull', '-t', 'pulled-app:3', ctx]);
    assert.equal(fresh.code, 0, fresh.stderr + fresh.stdout);
    assert.match(fresh.stdout, /Pulling from tools\/busybox/);
    assert.equal(await containers(), '', 'no build container left');
  });

  test('--pull=never: a base that is not local fails in one line without asking the registry; a bad --pull value is a usage error', async () => {
    const base = `${plain.host}/tools/busybox:never-pulled`;
    const r = await build(['--pull=never', '-t', 'never-built:2', context('never', `FROM ${base}`, 'RUN true')]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, `nscope: FROM ${base}: not a local image (--pull=never)\n`);
    assert.doesNotMatch(r.stdout, /Pulling/);
    const bad = await build(['--pull=sometimes', context('never2', 'FROM scratch')]);
    assert.equal(bad.code, 125, bad.stderr);
    assert.match(bad.stderr, /--pull takes no value \(or true\/false\/always\/missing\/never\)/);
  });

  test('a base the registry does not have: one clear line, no image, no container', async () => {
    const had = await images();
    const base = `${plain.host}/tools/nothing:here`;
    const r = await build(['-t', 'never-built:1', context('unknown', `FROM ${base}`, 'RUN true')]);
    assert.equal(r.code, 1, r.stdout);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^nscope: FROM ${base.replace(/\./g, '\\.')}: not a local image, and pulling it failed: .*not found`));
    assert.deepEqual(await images(), had, 'no image made or tagged');
    assert.equal(await containers(), '');
  });

  test('a private registry: without login the build fails "unauthorized"; after nscope login it pulls with the stored credentials', async () => {
    const base = `${tls.host}/private/busybox:1.0`;
    const ctx = context('private', `FROM ${base}`, 'RUN echo private > /p.txt', 'CMD ["cat", "/p.txt"]');
    const anon = await build(['-t', 'private-app:1', ctx]);
    assert.equal(anon.code, 1, anon.stdout);
    assert.equal(anon.stderr.trim().split('\n').length, 1, anon.stderr);
    assert.match(anon.stderr, /^nscope: FROM .*: not a local image, and pulling it failed: .*unauthorized/);
    assert.equal((await d.cli(['image', 'inspect', 'private-app:1'])).code, 1, 'no image');
    const login = await d.cli(['login', '-u', tls.user!, '--password-stdin', tls.host], { env, input: `${tls.password}\n` });
    assert.equal(login.code, 0, login.stderr);
    const r = await build(['-t', 'private-app:1', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = await d.cli(['run', '--rm', '--network', 'none', 'private-app:1']);
    assert.equal(out.stdout, 'private\n', out.stderr);
    assert.equal(await containers(), '');
  });
});
