// nscope as a registry client (issue 12), against Debian's docker-registry
// started privately on 127.0.0.1 by each suite, with images made locally and
// put there by skopeo: pull by tag and by digest, the platform of an index,
// layers of every compression, a pulled image that runs, a corrupted blob
// refused with nothing kept, a download cut mid-blob resumed with Range, a
// cancelled pull that leaves nothing, and push read back by skopeo.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStream } from '../../helper/protocol/client';
import type { TransferLine } from '../../helper/protocol/types/registry';
import { REPO, TestDaemon } from '../helpers/daemon';
import { busyboxImage, makeImageLayout, standardImage, twoPlatformImage, type ImageLayout, type ImageSpec } from '../helpers/image-layout';
import { blobPath, corruptBlob, startRegistry, type TestRegistry } from '../helpers/registry';
import { cuttingProxy, startProxy, throttlingProxy } from '../helpers/registry-proxy';
import { ImageStore } from '../../helper/images/store';
import { pushImage } from '../../helper/registry/push';
import { loadSettings } from '../../helper/registry/settings';
import { pushLayout, skopeoInspect } from '../helpers/skopeo';

const have = (cmd: string) => ['/usr/bin', '/usr/sbin', '/bin'].some((d) => fs.existsSync(path.join(d, cmd)));
const missing = ['docker-registry', 'skopeo', 'zstd'].filter((c) => !have(c));
const skip = missing.length ? `not installed: ${missing.join(', ')} (scripts/setup-registry.sh)` : false;

/** standardImage with content of its own in every layer (so no layer is already in the store), the second one ~1 MB of noise. */
function uniqueImage(): ImageSpec {
  const spec = standardImage({});
  spec.layers.forEach((l, i) => { l.files[`unique/${i}`] = randomBytes(i === 1 ? 1 << 20 : 64).toString('base64'); });
  return spec;
}

/** What the store holds besides complete layers: partial downloads and unpacks in progress. */
function leftovers(d: TestDaemon): string[] {
  const out: string[] = [];
  const partial = path.join(d.root, 'images', '.partial');
  if (fs.existsSync(partial)) out.push(...fs.readdirSync(partial).map((n) => `partial ${n}`));
  const layers = path.join(d.root, 'layers');
  if (fs.existsSync(layers)) out.push(...fs.readdirSync(layers).filter((n) => n.startsWith('.')).map((n) => `layer temp ${n}`));
  return out;
}

/**
 * The leftovers once the helper's clean-up after a cancel has settled: none for half a second
 * running (a layer committed just before the cancel is renamed .rm-… and removed a moment after
 * the partial ones go), else what is there after 10 s.
 */
async function settledLeftovers(d: TestDaemon): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let clearSince: number | undefined;
  for (;;) {
    const left = leftovers(d);
    if (left.length) clearSince = undefined;
    else if (clearSince === undefined) clearSince = Date.now();
    else if (Date.now() - clearSince >= 500) return [];
    if (Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function layerDirs(d: TestDaemon): string[] {
  const layers = path.join(d.root, 'layers');
  return fs.existsSync(layers) ? fs.readdirSync(layers).filter((n) => /^[0-9a-f]{64}$/.test(n)) : [];
}

describe('pull and push against a plain registry', { skip }, () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  let work: string;
  let standard: ImageLayout;
  let multi: ImageLayout;
  let busybox: ImageLayout;
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-regpull-'));
    reg = await startRegistry({ mode: 'plain' });
    standard = makeImageLayout(path.join(work, 'standard'), standardImage({ zstd: true }), 'v1');
    multi = makeImageLayout(path.join(work, 'multi'), twoPlatformImage(), 'multi');
    busybox = makeImageLayout(path.join(work, 'busybox'), busyboxImage(), 'latest');
    await pushLayout(reg, standard, 'team/standard', 'v1');
    await pushLayout(reg, multi, 'team/multi', 'multi');
    await pushLayout(reg, busybox, 'tools/busybox', 'latest');
    d = new TestDaemon('regpull');
    await d.start();
  });
  after(async () => {
    const leaks = d ? await d.cleanup() : [];
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  test('pull by tag: gzip, plain, zstd layers and whiteouts; the digest is the registry\'s; a second pull is up to date', async () => {
    const ref = `${reg.host}/team/standard:v1`;
    const r = await d.cli(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pull complete/);
    assert.match(r.stdout, new RegExp(`Digest: ${standard.digest}`));
    const img = JSON.parse((await d.cli(['image', 'inspect', ref])).stdout)[0].Nscope;
    assert.equal(img.digest, standard.digest);
    assert.deepEqual(img.origin, { registry: reg.host, repository: 'team/standard', digest: standard.digest, tag: 'v1' });
    assert.equal(img.layers.length, 4);
    assert.deepEqual(img.config.rootfs.diff_ids, standard.manifests[0].layers.map((l) => l.diffId));
    const listed = await d.cli(['images', '--digests']);
    assert.match(listed.stdout, new RegExp(`${reg.host}/team/standard\\s+v1\\s+${standard.digest}`));
    const again = await d.cli(['pull', ref]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Image is up to date/);
    // by digest: the same image, found again by that reference
    const byDigest = await d.cli(['pull', `${reg.host}/team/standard@${standard.digest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    const same = JSON.parse((await d.cli(['image', 'inspect', `${reg.host}/team/standard@${standard.digest}`])).stdout)[0].Nscope;
    assert.equal(same.id, img.id);
    assert.deepEqual(leftovers(d), []);
  });

  test('an index with two platforms: this host\'s by default, --platform picks the other', async () => {
    const ref = `${reg.host}/team/multi:multi`;
    const r = await d.cli(['pull', '-q', ref]);
    assert.equal(r.code, 0, r.stderr);
    const img = JSON.parse((await d.cli(['image', 'inspect', ref])).stdout)[0].Nscope;
    assert.equal(img.config.architecture, 'amd64');
    assert.equal(img.origin.digest, multi.digest, 'the origin is the index digest, as docker pull prints');
    const arm = await d.cli(['pull', '--platform', 'linux/arm64', ref]);
    assert.equal(arm.code, 0, arm.stderr);
    const img2 = JSON.parse((await d.cli(['image', 'inspect', ref])).stdout)[0].Nscope;
    assert.equal(img2.config.architecture, 'arm64');
    const none = await d.cli(['pull', '--platform', 'linux/s390x', ref]);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, /no manifest for linux\/s390x in the index \(it has: linux\/amd64, linux\/arm64(\/v8)?\)/);
  });

  test('a pulled image runs; run pulls a missing image by itself; --pull never does not', async () => {
    const ref = `${reg.host}/tools/busybox`;
    const never = await d.cli(['run', '--rm', '--pull', 'never', ref, 'echo', 'hi']);
    assert.equal(never.code, 125);
    assert.match(never.stderr, /No such image: /);
    const r = await d.cli(['run', '--rm', ref, 'echo', 'hello from the registry']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Unable to find image .* locally/);
    assert.equal(r.stdout.trim().split('\n').pop(), 'hello from the registry');
  });

  test('bad references and unknown images: "invalid reference format" apart from "not found"', async () => {
    const bad = await d.cli(['pull', `${reg.host}/Team/App`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid reference format: repository name must be lowercase/);
    const unknown = await d.cli(['pull', `${reg.host}/team/nothing:here`]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not found/);
    assert.equal(unknown.stderr.trim().split('\n').length, 1, 'one line');
  });

  test('a corrupted blob is refused and leaves nothing in the store', async () => {
    const layout = makeImageLayout(path.join(work, 'corrupt'), uniqueImage(), 'c');
    await pushLayout(reg, layout, 'team/corrupt', 'c');
    const victim = layout.manifests[0].layers[1]; // the plain tar: the unpacker alone would accept it
    corruptBlob(reg, victim.digest);
    const before = layerDirs(d);
    const r = await d.cli(['pull', `${reg.host}/team/corrupt:c`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /digest mismatch|corrupt|checksum/);
    assert.equal((await d.cli(['image', 'inspect', `${reg.host}/team/corrupt:c`])).code, 1, 'no image');
    assert.ok(!layerDirs(d).includes(victim.diffId.slice(7)), 'no layer of the bad blob');
    assert.ok(!fs.existsSync(path.join(d.root, 'images', 'blobs', 'sha256', victim.digest.slice(7))), 'no blob');
    assert.deepEqual(leftovers(d), []);
    // the layers pulled meanwhile belong to no image: the next removal's collection drops them
    void before;
  });

  test('a download cut mid-blob resumes with Range: within the pull, and in the next pull once retries are used up', async () => {
    const layout = makeImageLayout(path.join(work, 'cut'), uniqueImage(), 'cut');
    await pushLayout(reg, layout, 'team/cut', 'cut');
    const big = layout.manifests[0].layers.reduce((a, b) => (b.size > a.size ? b : a));
    // once: the pull retries by itself from where it was cut
    const once = await cuttingProxy(reg.host, { cutAfterBytes: Math.floor(big.size / 2), digest: big.digest, times: 1 });
    try {
      const r = await d.cli(['pull', `${once.host}/team/cut:cut`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Retrying/);
      const ranged = once.requests.filter((q) => q.path.endsWith(big.digest) && q.range);
      assert.equal(ranged.length, 1, JSON.stringify(once.requests));
      // from what had been written when the cut came (bytes still in the socket's buffer are asked for again)
      const from = Number(/^bytes=(\d+)-$/.exec(ranged[0].range ?? '')?.[1]);
      assert.ok(from > 0 && from <= Math.floor(big.size / 2), ranged[0].range);
      assert.equal(ranged[0].status, 206);
    } finally { await once.stop(); }
    await d.cli(['image', 'rm', `${once.host}/team/cut:cut`]);

    // every attempt cut: the pull fails, keeps what came, and the next pull asks only for the rest
    const always = await cuttingProxy(reg.host, { cutAfterBytes: 1000, digest: big.digest, times: 4 });
    try {
      const r = await d.cli(['pull', `${always.host}/team/cut:cut`]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /layer sha256:/);
      const partial = path.join(d.root, 'images', '.partial', big.digest.slice(7));
      assert.ok(fs.statSync(partial).size > 0, 'the partial download is kept');
      const had = fs.statSync(partial).size;
      const r2 = await d.cli(['pull', `${always.host}/team/cut:cut`]);
      assert.equal(r2.code, 0, r2.stderr);
      const last = always.requests.filter((q) => q.path.endsWith(big.digest)).pop()!;
      assert.equal(last.range, `bytes=${had}-`);
      assert.equal(last.status, 206);
      const img = JSON.parse((await d.cli(['image', 'inspect', `${always.host}/team/cut:cut`])).stdout)[0].Nscope;
      assert.equal(img.digest, layout.digest);
    } finally { await always.stop(); }
    assert.deepEqual(leftovers(d), []);
  });

  test('a cancelled pull (the client goes away mid-download) leaves no layer and no partial blob', async () => {
    const layout = makeImageLayout(path.join(work, 'slow'), uniqueImage(), 'slow');
    await pushLayout(reg, layout, 'team/slow', 'slow');
    const slow = await throttlingProxy(reg.host, { bytesPerSecond: 200_000 });
    try {
      const sock = await openStream(d.socket, { kind: 'pull', ref: `${slow.host}/team/slow:slow` });
      const lines: TransferLine[] = [];
      let buf = '';
      sock.on('data', (b: Buffer) => {
        buf += b.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const t of parts.filter(Boolean)) lines.push(JSON.parse(t));
      });
      sock.resume(); // openStream hands the socket over paused
      await slow.waitForBlobBytes(100_000, 20_000);
      sock.destroy();
      // the helper notices, stops the downloads and cleans up
      assert.deepEqual(await settledLeftovers(d), []);
      assert.ok(lines.some((l) => l.kind === 'progress' && l.status === 'Downloading'));
      assert.equal((await d.cli(['image', 'inspect', `${slow.host}/team/slow:slow`])).code, 1);
      for (const l of layout.manifests[0].layers) assert.ok(!fs.existsSync(path.join(d.root, 'images', 'blobs', 'sha256', l.digest.slice(7))), `no blob ${l.digest}`);
      // Ctrl-C on `nscope pull`: 130 as a shell's, no "Premature close" of the stream, nothing left either
      const before = slow.blobBytes;
      const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'pull', `${slow.host}/team/slow:slow`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stderr.on('data', (b: Buffer) => { err += b; });
      p.stdout.resume();
      await slow.waitForBlobBytes(before + 100_000, 20_000);
      p.kill('SIGINT');
      const code = await new Promise<number | null>((r) => p.on('close', r));
      assert.equal(code, 130, err);
      assert.doesNotMatch(err, /Premature close/);
      assert.deepEqual(await settledLeftovers(d), []);
    } finally { await slow.stop(); }
  });

  test('two pulls of the same image at once download each blob once', async () => {
    const layout = makeImageLayout(path.join(work, 'twice'), uniqueImage(), 'twice');
    await pushLayout(reg, layout, 'team/twice', 'twice');
    const proxy = await throttlingProxy(reg.host, { bytesPerSecond: 2_000_000 });
    try {
      const [a, b] = await Promise.all([d.cli(['pull', `${proxy.host}/team/twice:twice`]), d.cli(['pull', `${proxy.host}/team/twice:twice`])]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      // the proxy records a request once its response is through: give the last ones a moment
      const layers = layout.manifests[0].layers;
      for (let i = 0; i < 50 && !layers.every((l) => proxy.requests.some((q) => q.path.endsWith(l.digest))); i++) await new Promise((r) => setTimeout(r, 100));
      for (const l of layers) {
        const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(l.digest));
        assert.equal(gets.length, 1, `${l.digest}: ${gets.length} downloads`);
      }
    } finally { await proxy.stop(); }
  });

  test('a Docker Hub mirror: a docker.io reference is pulled from it (and only from it)', async () => {
    const layout = makeImageLayout(path.join(work, 'mirrored'), uniqueImage(), '1');
    await pushLayout(reg, layout, 'library/mirrored-test', '1');
    const m = new TestDaemon('regmirror');
    m.extraArgs = ['--registry-mirror', reg.url, '--registry-config', 'none'];
    await m.start();
    try {
      const r = await m.cli(['pull', 'mirrored-test:1']);
      assert.equal(r.code, 0, r.stderr);
      const img = JSON.parse((await m.cli(['image', 'inspect', 'mirrored-test:1'])).stdout)[0].Nscope;
      assert.equal(img.digest, layout.digest);
      assert.equal(img.origin.registry, 'docker.io');
      assert.equal(img.origin.repository, 'library/mirrored-test');
    } finally {
      assert.deepEqual(await m.cleanup(), []);
    }
  });

  test('push in chunks (PATCH with Content-Range, then PUT with the digest): the registry has the same bytes', async () => {
    // the store and push code in this process, with a chunk far below the 32 MiB default
    const root = fs.mkdtempSync(path.join(work, 'chunked-'));
    const store = new ImageStore(root);
    await store.buildFromHost('chunked', ['sh', 'ls', 'cat']);
    const local = store.inspect('chunked');
    const proxy = await startProxy(reg.host);
    try {
      const r = await pushImage(store, loadSettings({ daemonJson: 'none', registriesConf: 'none' }), 'chunked', `${proxy.host}/team/chunked:1`, { chunk: 256 * 1024 });
      assert.equal(r.digest, local.digest);
      const patches = proxy.requests.filter((q) => q.method === 'PATCH');
      assert.ok(patches.length >= Math.floor(local.layers[0].size / (256 * 1024)), `${patches.length} PATCH requests for ${local.layers[0].size} bytes`);
      const back = await skopeoInspect(reg, `${reg.host}/team/chunked:1`);
      assert.equal(back.digest, local.digest);
    } finally {
      await proxy.stop();
    }
  });

  test('push: skopeo reads back the same manifest; layers the repository has are skipped, others mounted', async () => {
    const src = `${reg.host}/team/standard:v1`;
    await d.cli(['pull', '-q', src]);
    const r = await d.cli(['push', src, `${reg.host}/copies/standard:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Mounted/, 'same registry, another repository: mounted, not uploaded');
    const back = await skopeoInspect(reg, `${reg.host}/copies/standard:v1`);
    assert.equal(back.digest, standard.digest);
    // an image made here (never in any registry): uploaded, and pulled back identical by skopeo
    const c = await d.client();
    await c.request('image.host', { name: 'made-here', programs: ['sh', 'ls'] });
    const local = await c.request('image.inspect', { ref: 'made-here' });
    const p = await d.cli(['push', 'made-here', `${reg.host}/team/made-here:1`]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /Pushed/);
    assert.match(p.stdout, new RegExp(`1: digest: ${local.digest}`));
    const made = await skopeoInspect(reg, `${reg.host}/team/made-here:1`);
    assert.equal(made.digest, local.digest);
    const again = await d.cli(['push', 'made-here', `${reg.host}/team/made-here:1`]);
    assert.match(again.stdout, /Layer already exists/);
  });
});

describe('credentials: TLS with basic auth, and token auth', { skip }, () => {
  let tls: TestRegistry;
  let tok: TestRegistry;
  let d: TestDaemon;
  let work: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-regauth-'));
    home = path.join(work, 'home');
    fs.mkdirSync(home);
    env = { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, '.docker'), XDG_RUNTIME_DIR: path.join(work, 'xdg'), REGISTRY_AUTH_FILE: '' };
    tls = await startRegistry({ mode: 'tls-basic' });
    tok = await startRegistry({ mode: 'token', publicRepos: ['public/busybox'] });
    const bb = makeImageLayout(path.join(work, 'bb'), busyboxImage(), 'latest');
    await pushLayout(tls, bb, 'private/busybox', 'latest');
    await pushLayout(tok, bb, 'public/busybox', 'latest');
    await pushLayout(tok, bb, 'private/busybox', 'latest');
    d = new TestDaemon('regauth');
    d.extraArgs = ['--certs-dir', tls.certsDir!, '--registry-config', 'none'];
    await d.start();
  });
  after(async () => {
    const leaks = d ? await d.cleanup() : [];
    await tls?.stop();
    await tok?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  test('TLS verified with the certs.d CA; no credentials or wrong ones: "unauthorized" in one line, nothing stored', async () => {
    const ref = `${tls.host}/private/busybox`;
    const anon = await d.cli(['pull', ref], { env });
    assert.equal(anon.code, 1, anon.stderr);
    assert.match(anon.stderr, /unauthorized/);
    assert.equal(anon.stderr.trim().split('\n').length, 1, anon.stderr);
    const wrong = await d.cli(['login', '-u', tls.user!, '--password-stdin', tls.host], { env, input: 'not-the-password\n' });
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /unauthorized: .*incorrect username or password/);
    assert.ok(!fs.existsSync(path.join(home, '.docker', 'config.json')), 'a failed login stores nothing');
  });

  test('login stores the credentials 0600 in config.json, pull uses them, logout removes them', async () => {
    const ok = await d.cli(['login', '-u', tls.user!, '--password-stdin', tls.host], { env, input: `${tls.password}\n` });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    const file = path.join(home, '.docker', 'config.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(Buffer.from(cfg.auths[tls.host].auth, 'base64').toString(), `${tls.user}:${tls.password}`);
    const pulled = await d.cli(['pull', `${tls.host}/private/busybox`], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
    const out = await d.cli(['logout', tls.host], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).auths?.[tls.host], undefined);
  });

  test('token auth: anonymous pull of a public repository, the private one needs the user; push with a token', async () => {
    const pub = await d.cli(['pull', `${tok.host}/public/busybox`], { env });
    assert.equal(pub.code, 0, pub.stderr);
    const priv = await d.cli(['pull', `${tok.host}/private/busybox`], { env });
    assert.equal(priv.code, 1, priv.stderr);
    assert.match(priv.stderr, /unauthorized/);
    const login = await d.cli(['login', '-u', tok.user!, '--password-stdin', tok.host], { env, input: tok.password! });
    assert.equal(login.code, 0, login.stderr);
    const priv2 = await d.cli(['pull', `${tok.host}/private/busybox`], { env });
    assert.equal(priv2.code, 0, priv2.stderr);
    const push = await d.cli(['push', `${tok.host}/private/busybox`, `${tok.host}/private/copy:1`], { env });
    assert.equal(push.code, 0, push.stderr);
    const back = await skopeoInspect(tok, `${tok.host}/private/copy:1`);
    const img = JSON.parse((await d.cli(['image', 'inspect', `${tok.host}/private/busybox`], { env })).stdout)[0].Nscope;
    assert.equal(back.digest, img.digest);
    assert.ok(tok.token!.requests.some((q) => q.account === tok.user && q.granted.some((g) => g.actions.includes('push'))));
  });

  test('blobs redirected to another origin (a registry on object storage): followed, without the registry\'s token', async () => {
    // a layer of its own, so it is downloaded (not already in the store from the tests above)
    const own = makeImageLayout(path.join(work, 'redirected'), uniqueImage(), 'latest');
    await pushLayout(tok, own, 'private/redirected', 'latest');
    const proxy = await startProxy(tok.host, { redirectBlobsTo: (digest) => blobPath(tok, digest) });
    try {
      const login = await d.cli(['login', '-u', tok.user!, '--password-stdin', proxy.host], { env, input: tok.password! });
      assert.equal(login.code, 0, login.stderr);
      const pulled = await d.cli(['pull', `${proxy.host}/private/redirected`], { env });
      assert.equal(pulled.code, 0, pulled.stderr);
      const served = proxy.blobStore!.requests;
      for (const l of own.manifests[0].layers) assert.ok(served.some((q) => q.path.includes(l.digest) && q.status === 200), `${l.digest} from the blob store`);
      // the registry's token (the user's, for a private repository) never reached the store
      assert.ok(proxy.requests.some((q) => q.status === 307));
      assert.deepEqual(served.filter((q) => q.authorization), []);
      const img = JSON.parse((await d.cli(['image', 'inspect', `${proxy.host}/private/redirected`], { env })).stdout)[0].Nscope;
      assert.ok(img, "the pulled image");
    } finally { await proxy.stop(); }
  });
});
