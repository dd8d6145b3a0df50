// nscope next to Docker on the same private registries: what Docker pulls,
// nscope pulls (foreign/non-distributable layers the registry has), the lines
// `docker pull`/`docker push` print off a terminal, where an image pulled by
// digest or pushed shows up (`images`, RepoDigests), the next push of the
// same blobs mounted from where they went, Docker's words for what is not
// there, and images handed both ways between nscope and a private dockerd.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupName } from '../helpers/run-scope';
import { removeCgroupTree, TestDaemon } from '../helpers/daemon';
import { haveDocker, PrivateDocker } from '../helpers/dockerd';
import { busyboxImage, makeImageLayout, standardImage, type ImageLayout } from '../helpers/image-layout';
import { startRegistry, type TestRegistry } from '../helpers/registry';
import { pushLayout } from '../helpers/skopeo';

const have = (cmd: string) => ['/usr/bin', '/usr/sbin', '/bin'].some((d) => fs.existsSync(path.join(d, cmd)));
const missing = ['docker-registry', 'skopeo', 'zstd'].filter((c) => !have(c));
const skip = missing.length ? `not installed: ${missing.join(', ')} (scripts/setup-registry.sh)` : false;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** PUT of a manifest document as is (skopeo would rewrite a foreign layer's descriptor). */
function putManifest(reg: TestRegistry, repo: string, tag: string, doc: object, mediaType: string): Promise<number> {
  const body = Buffer.from(JSON.stringify(doc));
  return new Promise((resolve, reject) => {
    const req = http.request(`${reg.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': mediaType, 'Content-Length': body.length }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Partial downloads the store holds. */
const partials = (d: TestDaemon) => { const p = path.join(d.root, 'images', '.partial'); return fs.existsSync(p) ? fs.readdirSync(p) : []; };

/** The layer lines of CLI output ("ID: status"), in order. */
const layerLines = (out: string) => out.split('\n').filter((l) => /^[0-9a-f]{12}: /.test(l));

describe('registry side by side with Docker', { skip }, () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  let work: string;
  let busybox: ImageLayout;
  let standard: ImageLayout;
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-reginterop-'));
    reg = await startRegistry({ mode: 'plain', foreignUrls: true });
    busybox = makeImageLayout(path.join(work, 'busybox'), busyboxImage(), 'latest');
    standard = makeImageLayout(path.join(work, 'standard'), standardImage({ zstd: true }), 'v1');
    await pushLayout(reg, busybox, 'tools/busybox', 'latest');
    await pushLayout(reg, standard, 'team/standard', 'v1');
    d = new TestDaemon('reginterop');
    await d.start();
  });
  after(async () => {
    const leaks = d ? await d.cleanup() : [];
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  test('foreign (non-distributable) layers are pulled from the registry that has them, as Docker does; one it lacks is named', async () => {
    const m = busybox.manifests[0];
    const layer = m.layers[0];
    // the same image, its layer declared non-distributable (OCI) and foreign (Docker), with a URL nothing answers at
    const oci = { ...m.manifest, layers: [{ ...m.manifest.layers[0], mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', urls: ['http://127.0.0.1:9/layer'] }] };
    assert.equal(await putManifest(reg, 'tools/busybox', 'nondist', oci, 'application/vnd.oci.image.manifest.v1+json'), 201);
    const docker = {
      ...m.manifest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { ...m.manifest.config, mediaType: 'application/vnd.docker.container.image.v1+json' },
      layers: [{ ...m.manifest.layers[0], mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', urls: ['http://127.0.0.1:9/layer'] }],
    };
    assert.equal(await putManifest(reg, 'tools/busybox', 'foreign', docker, 'application/vnd.docker.distribution.manifest.v2+json'), 201);

    const r = await d.cli(['pull', `${reg.host}/tools/busybox:nondist`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${layer.digest.slice(7, 19)}: Pull complete`));
    const ran = await d.cli(['run', '--rm', '--network', 'none', `${reg.host}/tools/busybox:nondist`, 'echo', 'foreign ran']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, 'foreign ran\n');
    const r2 = await d.cli(['pull', `${reg.host}/tools/busybox:foreign`]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /Already exists/);

    // a foreign layer the registry has not got: said so, with its URL, and nothing kept
    const absent = { ...oci, layers: [{ ...oci.layers[0], digest: sha256(Buffer.from('not there')), size: 9 }] };
    assert.equal(await putManifest(reg, 'tools/busybox', 'absent', absent, 'application/vnd.oci.image.manifest.v1+json'), 201);
    const bad = await d.cli(['pull', `${reg.host}/tools/busybox:absent`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is a foreign \(non-distributable\) layer that the registry does not have \(its URLs: http:\/\/127\.0\.0\.1:9\/layer\)/);
    assert.doesNotMatch((await d.cli(['images'])).stdout, /absent/);
    assert.deepEqual(partials(d), []);
  });

  test("pull's lines as docker pull prints them off a terminal: every layer announced in order, no progress-bar statuses", async () => {
    const r = await d.cli(['pull', `${reg.host}/team/standard:v1`]);
    assert.equal(r.code, 0, r.stderr);
    const ids = standard.manifests[0].layers.map((l) => l.digest.slice(7, 19));
    const lines = layerLines(r.stdout);
    // four layers, three at a time: all "Pulling fs layer" first, in the manifest's order, then the fourth waits
    assert.deepEqual(lines.slice(0, 5), [...ids.map((id) => `${id}: Pulling fs layer`), `${ids[3]}: Waiting`]);
    for (const id of ids) {
      const mine = lines.filter((l) => l.startsWith(id)).map((l) => l.slice(14));
      assert.deepEqual(mine.filter((s) => s !== 'Waiting'), ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete'], id);
    }
    assert.doesNotMatch(r.stdout, /Downloading|Extracting/);
    // no tag written: Docker's first line
    const again = await d.cli(['pull', `${reg.host}/tools/busybox`]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.split('\n')[0], 'Using default tag: latest');
    const quiet = await d.cli(['pull', '-q', `${reg.host}/tools/busybox`]);
    assert.equal(quiet.stdout, `${reg.host}/tools/busybox:latest\n`);
  });

  test('pulled by digest: listed under its repository with tag <none>; an unknown digest named with @', async () => {
    const digest = busybox.digest;
    await pushLayout(reg, busybox, 'bydigest/only', 'gone');
    const r = await d.cli(['pull', `${reg.host}/bydigest/only@${digest}`]);
    assert.equal(r.code, 0, r.stderr);
    const rows = (await d.cli(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}'])).stdout.split('\n');
    assert.ok(rows.includes(`${reg.host}/bydigest/only <none> ${digest}`), rows.join('\n'));
    // the same manifest was here already (tools/busybox): still found by this repository's digest
    const byDigest = `${reg.host}/bydigest/only@${digest}`;
    const ran = await d.cli(['run', '--rm', '--network', 'none', '--pull', 'never', byDigest, 'echo', 'by digest']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, 'by digest\n');
    const rd = JSON.parse((await d.cli(['image', 'inspect', byDigest, '--format', '{{json .RepoDigests}}'])).stdout);
    assert.ok(rd.includes(byDigest) && rd.includes(`${reg.host}/tools/busybox@${digest}`), JSON.stringify(rd));
    const again = await d.cli(['pull', byDigest]);
    assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${byDigest.replace(/\./g, '\\.')}`));
    const table = (await d.cli(['images'])).stdout;
    assert.match(table, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/bydigest/only +<none> `, 'm'));
    const zero = `sha256:${'0'.repeat(64)}`;
    const nf = await d.cli(['pull', `${reg.host}/bydigest/only@${zero}`]);
    assert.equal(nf.code, 1);
    assert.match(nf.stderr, new RegExp(`bydigest/only@${zero}: not found`));
  });

  test("push: RepoDigests gain the pushed repository, another tag's push mounts from it, Docker's words", async () => {
    const r0 = await d.cli(['pull', '-q', `${reg.host}/tools/busybox`]);
    assert.equal(r0.code, 0, r0.stderr);
    assert.equal((await d.cli(['tag', `${reg.host}/tools/busybox`, `${reg.host}/copies/one:x`])).code, 0);
    const p1 = await d.cli(['push', `${reg.host}/copies/one:x`]);
    assert.equal(p1.code, 0, p1.stderr);
    assert.equal(p1.stdout.split('\n')[0], `The push refers to repository [${reg.host}/copies/one]`);
    assert.match(p1.stdout, /Mounted from tools\/busybox/);
    assert.doesNotMatch(p1.stdout, /Pushing/);
    const digests = JSON.parse((await d.cli(['image', 'inspect', `${reg.host}/copies/one:x`, '--format', '{{json .RepoDigests}}'])).stdout);
    assert.ok(digests.includes(`${reg.host}/copies/one@${busybox.digest}`), JSON.stringify(digests));

    // an image of nscope's own: uploaded once, then its other tag's push mounts from where it went
    const made = await d.cli(['image', 'host', 'qa-made', 'sh', 'echo']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await d.cli(['tag', 'qa-made', `${reg.host}/made/a:1`])).code, 0);
    const pa = await d.cli(['push', `${reg.host}/made/a:1`]);
    assert.equal(pa.code, 0, pa.stderr);
    assert.match(pa.stdout, /: Pushed/);
    assert.equal((await d.cli(['tag', `${reg.host}/made/a:1`, `${reg.host}/made/b:1`])).code, 0);
    const pb = await d.cli(['push', `${reg.host}/made/b:1`]);
    assert.equal(pb.code, 0, pb.stderr);
    assert.match(pb.stdout, /: Mounted from made\/a/);
    assert.doesNotMatch(pb.stdout, /: Pushed/);

    const none = await d.cli(['push', `${reg.host}/nothing/local:1`]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr.trim(), `nscope: An image does not exist locally with the tag: ${reg.host}/nothing/local`);
    // Docker Hub's name in full, as docker push says it (offline here: it fails after that line)
    assert.equal((await d.cli(['tag', 'qa-made', 'qa-hub-name'])).code, 0);
    const hub = await d.cli(['push', 'qa-hub-name'], { timeoutMs: 60000 });
    assert.equal(hub.stdout.split('\n')[0], 'The push refers to repository [docker.io/library/qa-hub-name]');
  });

  test('run of a missing image names it with its tag, as Docker does', async () => {
    const r = await d.cli(['run', '--rm', '--network', 'none', `${reg.host}/nothing/here`, 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`Unable to find image '${reg.host.replace(/\./g, '\\.')}/nothing/here:latest' locally`));
  });

  describe('with a private dockerd', { skip: haveDocker() ? false : 'dockerd not installed' }, () => {
    let engine: PrivateDocker;
    let dir: string;
    let parent: string;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-reginterop-docker-'));
      fs.chmodSync(dir, 0o755);
      parent = cgroupName('reginterop-docker');
      engine = new PrivateDocker(dir, parent, {});
      await engine.start();
    });
    after(async () => {
      try { await engine?.stop(); } finally {
        await removeCgroupTree(parent).catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('what nscope pushes, docker pulls and runs; what docker pushes, nscope pulls and runs', async () => {
      const made = await d.cli(['image', 'host', 'qa-both', 'sh', 'echo', 'cat']);
      assert.equal(made.code, 0, made.stderr);
      const ref = `${reg.host}/both/nscope:1`;
      assert.equal((await d.cli(['tag', 'qa-both', ref])).code, 0);
      const pushed = await d.cli(['push', ref]);
      assert.equal(pushed.code, 0, pushed.stderr);
      const pulled = await engine.docker(['pull', ref], { timeoutMs: 120000 });
      assert.equal(pulled.code, 0, pulled.stderr);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)![1];
      assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
      const ran = await engine.docker(['run', '--rm', '--network', 'none', ref, 'sh', '-c', 'echo from-nscope']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, 'from-nscope\n');

      const back = `${reg.host}/both/docker:2`;
      assert.equal((await engine.docker(['tag', ref, back])).code, 0);
      const dpush = await engine.docker(['push', back], { timeoutMs: 120000 });
      assert.equal(dpush.code, 0, dpush.stderr);
      const dDigest = /digest: (sha256:[0-9a-f]{64})/.exec(dpush.stdout)![1];
      const np = await d.cli(['pull', back]);
      assert.equal(np.code, 0, np.stderr);
      assert.match(np.stdout, new RegExp(`Digest: ${dDigest}`));
      const nrun = await d.cli(['run', '--rm', '--network', 'none', back, 'echo', 'from-docker']);
      assert.equal(nrun.code, 0, nrun.stderr);
      assert.equal(nrun.stdout, 'from-docker\n');
      const rd = JSON.parse((await d.cli(['image', 'inspect', back, '--format', '{{json .RepoDigests}}'])).stdout);
      assert.ok(rd.includes(`${reg.host}/both/docker@${dDigest}`), JSON.stringify(rd));
      // the engine's images go with its data root; nothing of nscope's is left by the pulls
      assert.deepEqual(partials(d), []);
    });
  });
});
