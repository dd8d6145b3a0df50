// The registry test infrastructure itself (issue 12), checked against the
// real tools before nscope's pull and push tests rely on it: each registry
// mode starts, skopeo pushes a fixture and reads it back digest for digest,
// the token server grants and refuses as told, the proxy cuts exactly once,
// corruptBlob changes a blob's bytes but not its size, and nothing is left
// running afterwards.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxImage, makeImageLayout, standardImage, twoPlatformImage, type ImageLayout } from '../helpers/image-layout';
import { blobPath, corruptBlob, startRegistry } from '../helpers/registry';
import { cuttingProxy, throttlingProxy } from '../helpers/registry-proxy';
import { pullToLayout, pushLayout, skopeoInspect } from '../helpers/skopeo';
import { runCommand } from '../helpers/command';

const have = (cmd: string) => ['/usr/bin', '/usr/sbin', '/bin', '/usr/local/bin'].some((d) => fs.existsSync(path.join(d, cmd)));
const missing = ['docker-registry', 'skopeo', 'htpasswd', 'openssl', 'zstd'].filter((c) => !have(c));
const skip = missing.length ? `not installed: ${missing.join(', ')} (scripts/setup-registry.sh)` : false;

/** GET over plain HTTP; the status and the body. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), error: e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ status: 0, body: Buffer.alloc(0), error: e.message }));
  });
}

/** No process of ours names the registry's directory (the registry, nothing else of it). */
function processesNaming(dir: string): string[] {
  return fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((pid) => {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir); } catch { return false; }
  });
}

describe('registry test infrastructure', { skip }, () => {
  let work: string;
  let standard: ImageLayout;
  let multi: ImageLayout;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-reginfra-'));
    standard = makeImageLayout(path.join(work, 'standard'), standardImage({ zstd: true }), 'v1');
    multi = makeImageLayout(path.join(work, 'multi'), twoPlatformImage(), 'multi');
  });
  after(() => { fs.rmSync(work, { recursive: true, force: true }); });

  test('the layout fixtures: layers with whiteout, opaque dir, gzip, plain tar and zstd; a two-platform index', async () => {
    const m = standard.manifests[0];
    assert.deepEqual(m.layers.map((l) => l.compression), ['gzip', 'none', 'gzip', 'zstd']);
    const list = async (i: number) => {
      const l = m.layers[i];
      const f = path.join(standard.dir, 'blobs', 'sha256', l.digest.slice(7));
      const decompress = l.compression === 'zstd' ? ['--zstd'] : l.compression === 'gzip' ? ['-z'] : [];
      const r = await runCommand('tar', ['-t', ...decompress, '-f', f]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.ok((await list(1)).includes('old/.wh.gone.txt'));
    assert.ok((await list(2)).includes('usr/share/doc/.wh..wh..opq'));
    assert.ok((await list(3)).includes('zstd/hello.txt'));
    // diff_ids are the uncompressed tars' digests
    const zst = fs.readFileSync(path.join(standard.dir, 'blobs', 'sha256', m.layers[3].digest.slice(7)));
    const { execFileSync } = await import('node:child_process');
    const tar = execFileSync('zstd', ['-d', '-c', '-q'], { input: zst });
    assert.equal(`sha256:${createHash('sha256').update(tar).digest('hex')}`, m.config.rootfs.diff_ids[3]);
    assert.equal(multi.index?.manifests.map((d) => d.platform?.architecture).join(','), 'amd64,arm64');
    assert.notEqual(multi.manifests[0].layers[0].digest, multi.manifests[1].layers[0].digest);
  });

  test('the busybox fixture runs: its layer unpacked and chrooted into, sh -c echo', async () => {
    const bb = makeImageLayout(path.join(work, 'bb'), busyboxImage());
    const rootfs = path.join(work, 'bb-rootfs');
    fs.mkdirSync(rootfs);
    const l = bb.manifests[0].layers[0];
    assert.equal((await runCommand('tar', ['-x', '-z', '-C', rootfs, '-f', path.join(bb.dir, 'blobs', 'sha256', l.digest.slice(7))])).code, 0);
    const r = await runCommand('chroot', [rootfs, '/bin/sh', '-c', 'echo ran; cat /dev/null; true']);
    assert.equal(r.stdout, 'ran\n', r.stderr);
  });

  test('plain: skopeo pushes the fixtures and reads them back digest for digest; corruptBlob keeps the size', async () => {
    const reg = await startRegistry({ mode: 'plain' });
    try {
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(reg.host, '127.0.0.1:5000');
      const ref = await pushLayout(reg, standard, 'fixtures/standard');
      const got = await skopeoInspect(reg, ref);
      assert.equal(got.digest, standard.digest);
      assert.deepEqual(got.inspect?.Layers, standard.manifests[0].layers.map((l) => l.digest));
      const index = await pushLayout(reg, multi, 'fixtures/multi');
      const gotIndex = await skopeoInspect(reg, index, { rawOnly: true });
      assert.equal(gotIndex.digest, multi.digest);
      assert.equal((gotIndex.manifest.manifests as unknown[]).length, 2);
      // the arm64 manifest is there by digest too (pushed with --all)
      const arm = await skopeoInspect(reg, `${reg.host}/fixtures/multi@${multi.manifests[1].digest}`, { rawOnly: true });
      assert.equal(arm.digest, multi.manifests[1].digest);
      // and back out into a layout, index and all
      const back = path.join(work, 'pulled-multi');
      await pullToLayout(reg, index, back, 'multi');
      assert.equal(JSON.parse(fs.readFileSync(path.join(back, 'index.json'), 'utf8')).manifests[0].digest, multi.digest);
      fs.rmSync(back, { recursive: true, force: true });

      const layer = standard.manifests[0].layers[0];
      const before = fs.statSync(blobPath(reg, layer.digest)).size;
      corruptBlob(reg, layer.digest);
      assert.equal(fs.statSync(blobPath(reg, layer.digest)).size, before);
      const served = await get(`${reg.url}/v2/fixtures/standard/blobs/${layer.digest}`);
      assert.equal(served.status, 200);
      assert.equal(served.body.length, layer.size);
      assert.notEqual(`sha256:${createHash('sha256').update(served.body).digest('hex')}`, layer.digest);
    } finally {
      await reg.stop();
    }
    assert.deepEqual(processesNaming(reg.dir), []);
    assert.ok(!fs.existsSync(reg.dir));
  });

  test('tls-basic: verified TLS with the certs.d dir, basic auth required', async () => {
    const reg = await startRegistry({ mode: 'tls-basic' });
    try {
      assert.ok(reg.url.startsWith('https://'));
      assert.ok(fs.existsSync(path.join(reg.certsDir!, reg.host, 'ca.crt')));
      const busybox = makeImageLayout(path.join(work, 'busybox'), busyboxImage());
      const ref = await pushLayout(reg, busybox, 'tools/busybox');
      assert.equal((await skopeoInspect(reg, ref, { rawOnly: true })).digest, busybox.digest);
      await assert.rejects(skopeoInspect(reg, ref, { rawOnly: true, anonymous: true }), /unauthorized|authentication required/i);
      await assert.rejects(skopeoInspect(reg, ref, { rawOnly: true, creds: `${reg.user}:wrong` }), /unauthorized|authentication required|invalid username/i);
      // curl through the CA file, as the daemon would with caFile
      const curl = await runCommand('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', reg.caFile!, '-u', `${reg.user}:${reg.password}`, `${reg.url}/v2/`]);
      assert.equal(curl.stdout, '200');
    } finally {
      await reg.stop();
    }
    assert.deepEqual(processesNaming(reg.dir), []);
  });

  for (const keyHeader of ['kid', 'x5c'] as const) {
    test(`token (${keyHeader}): the user pushes, anonymous pulls public repositories only, a wrong password is a 401`, async () => {
      const reg = await startRegistry({ mode: 'token', tokenKeyHeader: keyHeader, publicRepos: ['open/standard'] });
      try {
        const ref = await pushLayout(reg, standard, 'open/standard');
        await pushLayout(reg, standard, 'closed/standard');
        assert.equal((await skopeoInspect(reg, ref, { rawOnly: true, anonymous: true })).digest, standard.digest);
        await assert.rejects(skopeoInspect(reg, `${reg.host}/closed/standard:v1`, { rawOnly: true, anonymous: true }), /unauthorized|authentication required|denied/i);
        assert.equal((await skopeoInspect(reg, `${reg.host}/closed/standard:v1`, { rawOnly: true })).digest, standard.digest);
        // anonymous may not push even to a public repository
        await assert.rejects(pushLayout(reg, standard, 'open/standard', 'v2', { anonymous: true }));

        const realm = reg.token!.realm;
        const wrong = await get(`${realm}?service=nscope-test-registry&scope=repository:closed/standard:pull`, { authorization: `Basic ${Buffer.from(`${reg.user}:nope`).toString('base64')}` });
        assert.equal(wrong.status, 401);
        const granted = reg.token!.requests.filter((r) => r.account === reg.user && r.status === 200).flatMap((r) => r.granted);
        assert.ok(granted.some((g) => g.name === 'closed/standard' && g.actions.includes('push')));
      } finally {
        await reg.stop();
      }
      assert.deepEqual(processesNaming(reg.dir), []);
    });
  }

  test('cuttingProxy cuts the first blob GET after N bytes, then passes; throttlingProxy paces', async () => {
    const reg = await startRegistry();
    const proxy = await cuttingProxy(reg.host, { cutAfterBytes: 100 });
    try {
      await pushLayout(reg, standard, 'fixtures/standard');
      const layer = standard.manifests[0].layers[0];
      const url = `${proxy.url}/v2/fixtures/standard/blobs/${layer.digest}`;
      const first = await get(url);
      assert.equal(first.status, 200);
      assert.equal(first.body.length, 100);
      assert.ok(first.error, 'the first GET ends early');
      const second = await get(url);
      assert.equal(second.error, undefined);
      assert.equal(`sha256:${createHash('sha256').update(second.body).digest('hex')}`, layer.digest);
      // a resumed GET (Range) passes through with the registry's 206
      const ranged = await get(url, { range: 'bytes=100-' });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.body.length, layer.size - 100);
      assert.equal(proxy.cuts, 1);
      assert.deepEqual(proxy.requests.map((r) => [r.cut, r.range]), [[true, undefined], [false, undefined], [false, 'bytes=100-']]);
      // the client goes through the proxy end to end: skopeo reads the manifest via it
      const viaProxy = { ...reg, host: proxy.host, url: proxy.url };
      assert.equal((await skopeoInspect(viaProxy, `${proxy.host}/fixtures/standard:v1`, { rawOnly: true })).digest, standard.digest);

      // 64 KiB of random bytes at 16 KiB/s: a test can act (cancel) while it is half-way
      const big = makeImageLayout(path.join(work, 'big'), { layers: [{ compression: 'none', files: { 'random.bin': randomBytes(64 << 10) } }] });
      await pushLayout(reg, big, 'fixtures/big');
      const bigLayer = big.manifests[0].layers[0];
      const slow = await throttlingProxy(reg.host, { bytesPerSecond: 16 << 10 });
      try {
        const t0 = Date.now();
        const reached = slow.waitForBlobBytes(8 << 10);
        const slowGet = get(`${slow.url}/v2/fixtures/big/blobs/${bigLayer.digest}`);
        await reached;
        assert.ok(Date.now() - t0 >= 350, `paced (${Date.now() - t0} ms for 8 KiB)`);
        assert.ok(slow.blobBytes < bigLayer.size / 2);
        // stopping the proxy drops the transfer in flight: the client sees it end early
        await slow.stop();
        const ended = await slowGet;
        assert.ok(ended.error && ended.body.length < bigLayer.size);
      } finally {
        await slow.stop().catch(() => undefined);
      }
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  });

  test('kill() then restart(): same port, same storage', async () => {
    const reg = await startRegistry();
    try {
      const ref = await pushLayout(reg, multi, 'fixtures/multi');
      await reg.kill();
      assert.equal((await get(`${reg.url}/v2/`)).status, 0);
      await reg.restart();
      assert.equal((await skopeoInspect(reg, ref, { rawOnly: true })).digest, multi.digest);
    } finally {
      await reg.stop();
    }
    assert.deepEqual(processesNaming(reg.dir), []);
  });
});
