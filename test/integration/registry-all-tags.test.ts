// Docker's image-command flags beyond one image and the host's platform,
// against a real helper and Debian's docker-registry started privately on
// 127.0.0.1: `pull --all-tags` (every tag the registry lists, its tags/list
// paged with the Link header; a reference with a tag or digest refused in
// Docker's words), `push --all-tags` (every local tag of a repository, read
// back from the registry's tags/list and by skopeo), `--platform` of push,
// save, load, history and rmi (the image's own platform accepted, another
// refused in Docker's words with nothing done; load picks a platform of a
// multi-platform archive), `rmi --no-prune` (nscope's rmi never deletes
// another image: an untagged parent stays either way), and the helper's
// own checks of what a caller sends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hostPlatform } from '../../helper/images/oci';
import { openStream } from '../../helper/protocol/client';
import type { HelperClient } from '../../helper/protocol/client';
import { RegistryClient } from '../../helper/registry/client';
import { loadSettings } from '../../helper/registry/settings';
import { runCommand } from '../helpers/command';
import { REPO, TestDaemon } from '../helpers/daemon';
import { makeImageLayout, standardImage, twoPlatformImage, type ImageLayout, type ImageSpec } from '../helpers/image-layout';
import { startRegistry, type TestRegistry } from '../helpers/registry';
import { pushLayout, skopeoInspect } from '../helpers/skopeo';

const have = (cmd: string) => ['/usr/bin', '/usr/sbin', '/bin'].some((d) => fs.existsSync(path.join(d, cmd)));
const missing = ['docker-registry', 'skopeo', 'zstd'].filter((c) => !have(c));
const skip = missing.length ? `not installed: ${missing.join(', ')} (scripts/setup-registry.sh)` : false;

const HOST = hostPlatform();
const HOST_PLATFORM = `${HOST.os}/${HOST.architecture}`;
/** a platform that is not this host's (nscope's images are the host's unless pulled for another) */
const FOREIGN = HOST.architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';

/** standardImage with content of its own, so two of them are two images. */
function uniqueImage(): ImageSpec {
  const spec = standardImage({});
  spec.layers.forEach((l, i) => { l.files[`unique/${i}`] = randomBytes(64).toString('base64'); });
  return spec;
}

/** The registry's own tags list of a repository (sorted), or the HTTP status when it has none. */
async function registryTags(reg: TestRegistry, repo: string): Promise<string[] | number> {
  const r = await fetch(`${reg.url}/v2/${repo}/tags/list`);
  if (r.status !== 200) return r.status;
  return ((await r.json()) as { tags: string[] | null }).tags?.sort() ?? [];
}

const lines = (s: string) => s.split('\n').filter(Boolean);

/**
 * A front for a registry that pages its tags lists (`n`, default
 * `pageSize`, and `last`, with a Link header to the next page, as
 * distribution 3 and Docker Hub do) and passes every other request through.
 */
async function pagingFront(upstream: string, pageSize: number): Promise<{ host: string; tagRequests: string[]; stop(): Promise<void> }> {
  const [upHost, upPort] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const tagRequests: string[] = [];
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      tagRequests.push(req.url ?? '');
      fetch(`http://${upstream}${url.pathname}`).then(async (r) => {
        if (r.status !== 200) { res.writeHead(r.status, { 'Content-Type': 'application/json' }); res.end(await r.text()); return; }
        const all = (((await r.json()) as { tags: string[] | null }).tags ?? []).sort();
        const n = Number(url.searchParams.get('n') ?? pageSize);
        const last = url.searchParams.get('last');
        const from = last === null ? 0 : all.findIndex((t) => t > last);
        const page = from < 0 ? [] : all.slice(from, from + n);
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (from >= 0 && from + n < all.length) headers.Link = `<${url.pathname}?last=${page[page.length - 1]}&n=${n}>; rel="next"`;
        res.writeHead(200, headers);
        res.end(JSON.stringify({ name: m[1], tags: page }));
      }, (e) => { res.writeHead(502); res.end(String(e)); });
      return;
    }
    const up = http.request({ host: upHost, port: upPort, path: req.url, method: req.method, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    tagRequests,
    stop: async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); agent.destroy(); },
  };
}

describe('--all-tags, --platform and --no-prune against a private registry', { skip }, () => {
  let reg: TestRegistry;
  let d: TestDaemon;
  let c: HelperClient;
  let work: string;
  let a: ImageLayout;
  let b: ImageLayout;
  let multi: ImageLayout;
  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-alltags-'));
    reg = await startRegistry({ mode: 'plain' });
    a = makeImageLayout(path.join(work, 'a'), uniqueImage(), 'v1');
    b = makeImageLayout(path.join(work, 'b'), uniqueImage(), 'v2');
    multi = makeImageLayout(path.join(work, 'multi'), twoPlatformImage(), 'multi');
    // three tags, two images: "latest" and "v1" are the same manifest
    await pushLayout(reg, a, 'team/app', 'v1');
    await pushLayout(reg, b, 'team/app', 'v2');
    await pushLayout(reg, a, 'team/app', 'latest');
    await pushLayout(reg, multi, 'team/multi', 'multi');
    await pushLayout(reg, multi, 'team/multi', 'again');
    d = new TestDaemon('alltags');
    await d.start();
    c = await d.client();
    await c.request('image.host', { name: 'made-here', programs: ['sh', 'ls'] });
  });
  after(async () => {
    const leaks = d ? await d.cleanup() : [];
    await reg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  });

  test('pull --all-tags: every tag, each with its lines, one Status line and the repository last; a second time up to date', async () => {
    const repo = `${reg.host}/team/app`;
    const r = await d.cli(['pull', '--all-tags', repo]);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    for (const tag of ['latest', 'v1', 'v2']) assert.ok(out.includes(`${tag}: Pulling from team/app`), r.stdout);
    assert.equal(out.filter((l) => l.startsWith('Digest: ')).length, 3, r.stdout);
    assert.deepEqual(out.filter((l) => l.startsWith('Status: ')), [`Status: Downloaded newer image for ${repo}`]);
    assert.equal(out[out.length - 1], repo, 'the repository, as docker pull -a ends');
    assert.equal(out[out.length - 2], `Status: Downloaded newer image for ${repo}`);
    for (const [tag, layout] of [['latest', a], ['v1', a], ['v2', b]] as const) {
      const img = await c.request('image.inspect', { ref: `${repo}:${tag}` });
      assert.equal(img.digest, layout.digest, tag);
      assert.deepEqual(img.origin, { registry: reg.host, repository: 'team/app', digest: layout.digest, tag });
    }
    const again = await d.cli(['pull', '-a', repo]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(lines(again.stdout).filter((l) => l.startsWith('Status: ')), [`Status: Image is up to date for ${repo}`]);
    const quiet = await d.cli(['pull', '-a', '-q', repo]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, `${repo}\n`);
  });

  test('pull --all-tags refuses a tag or digest in Docker\'s words, before anything is asked of the registry; an unknown repository is "not found"', async () => {
    for (const ref of [`${reg.host}/team/app:v1`, `${reg.host}/team/app@${a.digest}`]) {
      const r = await d.cli(['pull', '-a', ref]);
      assert.equal(r.code, 1, 'as Docker: an error, not a usage error');
      assert.equal(r.stderr.trim(), "nscope: tag can't be used with --all-tags/-a");
      // the helper says the same to a caller that skips the CLI
      await assert.rejects(openStream(d.socket, { kind: 'pull', ref, allTags: true }), /tag can't be used with --all-tags\/-a/);
    }
    await assert.rejects(openStream(d.socket, { kind: 'pull', ref: `${reg.host}/team/app`, allTags: 'yes' as unknown as boolean }), /allTags must be a boolean/);
    const unknown = await d.cli(['pull', '-a', `${reg.host}/team/nothing`]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not found/);
    assert.equal(lines(unknown.stderr).length, 1, unknown.stderr);
  });

  test('pull --all-tags --platform: each tag\'s index narrowed to that platform', async () => {
    const repo = `${reg.host}/team/multi`;
    const r = await d.cli(['pull', '-a', '--platform', 'linux/arm64', repo]);
    assert.equal(r.code, 0, r.stderr);
    for (const tag of ['again', 'multi']) {
      const img = await c.request('image.inspect', { ref: `${repo}:${tag}` });
      assert.equal(img.digest, multi.manifests[1].digest, tag);
      assert.equal((img.config as { architecture: string }).architecture, 'arm64');
      assert.equal(img.origin?.digest, multi.digest, 'the origin is the index');
    }
    const none = await d.cli(['pull', '-a', '--platform', 'linux/s390x', repo]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no manifest for linux\/s390x in the index/);
    const bad = await d.cli(['pull', '-a', '--platform', 'nonsense', repo]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--platform "nonsense": unknown operating system or architecture/);
  });

  test('the tags list paged with the Link header (n and last): every page followed, by the client and by pull -a', async () => {
    // distribution 2.8 (Debian's) lists every tag at once: a front of the test's own pages them as distribution 3 does
    const front = await pagingFront(reg.host, 2);
    try {
      const client = new RegistryClient(front.host, 'team/app', loadSettings({ daemonJson: 'none', registriesConf: 'none' }), undefined, 'pull');
      try {
        assert.deepEqual(await client.tags(undefined, 1), ['latest', 'v1', 'v2']);
      } finally { client.close(); }
      assert.deepEqual(front.tagRequests, ['/v2/team/app/tags/list?n=1', '/v2/team/app/tags/list?last=latest&n=1', '/v2/team/app/tags/list?last=v1&n=1']);
      front.tagRequests.length = 0;
      // no n: the registry's page size (2 here), as Docker asks
      const r = await d.cli(['pull', '-a', `${front.host}/team/app`]);
      assert.equal(r.code, 0, r.stderr);
      for (const tag of ['latest', 'v1', 'v2']) assert.ok(lines(r.stdout).includes(`${tag}: Pulling from team/app`), r.stdout);
      assert.deepEqual(front.tagRequests, ['/v2/team/app/tags/list', '/v2/team/app/tags/list?last=v1&n=2']);
      assert.equal((await c.request('image.inspect', { ref: `${front.host}/team/app:v2` })).digest, b.digest);
    } finally { await front.stop(); }
  });

  test('a hostile registry: a next page on another origin, a bad tag, an empty list are refused in one line', async () => {
    const server = http.createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/') { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{}'); return; }
      const send = (body: unknown, headers: Record<string, string> = {}) => { res.writeHead(200, { 'Content-Type': 'application/json', ...headers }); res.end(JSON.stringify(body)); };
      if (url.startsWith('/v2/evil/away/tags/list')) return send({ name: 'evil/away', tags: ['one'] }, { Link: '<http://127.0.0.2:9/v2/evil/away/tags/list?last=one>; rel="next"' });
      if (url.startsWith('/v2/evil/badtag/tags/list')) return send({ name: 'evil/badtag', tags: ['../../etc'] });
      if (url.startsWith('/v2/evil/empty/tags/list')) return send({ name: 'evil/empty', tags: null });
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const away = await d.cli(['pull', '-a', `${host}/evil/away`]);
      assert.equal(away.code, 1);
      assert.match(away.stderr, /next page is elsewhere \(127\.0\.0\.2:9\/v2\/evil\/away\/tags\/list\): refused/);
      const bad = await d.cli(['pull', '-a', `${host}/evil/badtag`]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /invalid tag "\.\.\/\.\.\/etc"/);
      const empty = await d.cli(['pull', '-a', `${host}/evil/empty`]);
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /lists no tags/);
      for (const r of [away, bad, empty]) assert.equal(lines(r.stderr).length, 1, r.stderr);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('push --all-tags: every local tag of the repository and no other; the registry lists them and serves the same manifests', async () => {
    const repo = `${reg.host}/pushed/app`;
    assert.equal((await d.cli(['tag', 'made-here', `${repo}:one`])).code, 0);
    assert.equal((await d.cli(['tag', `${reg.host}/team/app:v2`, `${repo}:two`])).code, 0);
    assert.equal((await d.cli(['tag', 'made-here', `${reg.host}/pushed/other:x`])).code, 0);
    const one = await c.request('image.inspect', { ref: `${repo}:one` });
    const two = await c.request('image.inspect', { ref: `${repo}:two` });
    const r = await d.cli(['push', '--all-tags', repo]);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(out.filter((l) => l.startsWith('The push refers to')), [`The push refers to repository [${repo}]`]);
    assert.ok(out.includes(`one: digest: ${one.digest} size: ${(await skopeoInspect(reg, `${repo}:one`, { rawOnly: true })).raw.length}`), r.stdout);
    assert.ok(out.some((l) => l.startsWith(`two: digest: ${two.digest} size: `)), r.stdout);
    assert.deepEqual(await registryTags(reg, 'pushed/app'), ['one', 'two']);
    assert.equal(await registryTags(reg, 'pushed/other'), 404, 'another repository is not pushed');
    assert.equal((await skopeoInspect(reg, `${repo}:two`, { rawOnly: true })).digest, two.digest);

    // -q: each tag's reference and digest; a DESTINATION repository takes every tag
    const q = await d.cli(['push', '-a', '-q', repo, `${reg.host}/copies/app`]);
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout, `${reg.host}/copies/app:one@${one.digest}\n${reg.host}/copies/app:two@${two.digest}\n`);
    assert.deepEqual(await registryTags(reg, 'copies/app'), ['one', 'two']);
  });

  test('push --all-tags refuses a tag (in Docker\'s words) and a repository without local tags; nothing is pushed', async () => {
    const tagged = await d.cli(['push', '-a', `${reg.host}/pushed/app:one`]);
    assert.equal(tagged.code, 1);
    assert.equal(tagged.stderr.trim(), "nscope: tag can't be used with --all-tags/-a");
    const destTagged = await d.cli(['push', '-a', `${reg.host}/pushed/app`, `${reg.host}/else/app:1`]);
    assert.equal(destTagged.code, 1);
    assert.match(destTagged.stderr, /tag can't be used with --all-tags\/-a/);
    await assert.rejects(openStream(d.socket, { kind: 'push', ref: `${reg.host}/pushed/app:one`, allTags: true }), /tag can't be used with --all-tags\/-a/);
    await assert.rejects(openStream(d.socket, { kind: 'push', ref: `${reg.host}/pushed/app`, allTags: 1 as unknown as boolean }), /allTags must be a boolean/);
    const none = await d.cli(['push', '-a', `${reg.host}/nothing/here`]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr.trim(), `nscope: An image does not exist locally with the tag: ${reg.host}/nothing/here`);
    assert.equal(await registryTags(reg, 'else/app'), 404);
  });

  test('push --platform: the image\'s own platform is pushed, another refused before anything is sent', async () => {
    const dest = `${reg.host}/plat/app`;
    const wrong = await d.cli(['push', '--platform', FOREIGN, 'made-here', `${dest}:never`]);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.trim(), `nscope: image with reference made-here was found but does not match the specified platform: wanted ${FOREIGN}, actual: ${HOST_PLATFORM}`);
    const wrongAll = await d.cli(['push', '-a', '--platform', FOREIGN, `${reg.host}/pushed/app`, dest]);
    assert.equal(wrongAll.code, 1);
    assert.match(wrongAll.stderr, /does not match the specified platform/);
    assert.equal(await registryTags(reg, 'plat/app'), 404, 'nothing pushed');
    const right = await d.cli(['push', '--platform', HOST_PLATFORM, 'made-here', `${dest}:ok`]);
    assert.equal(right.code, 0, right.stderr);
    // one word is an OS on this host's architecture, as Docker's os[/arch[/variant]]
    const os = await d.cli(['push', '--platform', 'linux', 'made-here', `${dest}:os`]);
    assert.equal(os.code, 0, os.stderr);
    assert.deepEqual(await registryTags(reg, 'plat/app'), ['ok', 'os']);
    await assert.rejects(openStream(d.socket, { kind: 'push', ref: 'made-here', dest: `${dest}:x`, platform: 7 as unknown as string }), /push: platform must be a string/);
  });

  test('save, history and rmi --platform: the image\'s own platform accepted, another refused with nothing done', async () => {
    const file = path.join(work, 'saved.tar');
    const wrong = await d.cli(['save', '--platform', FOREIGN, '-o', file, 'made-here']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`made-here was found but does not match the specified platform: wanted ${FOREIGN}, actual: ${HOST_PLATFORM}`));
    assert.ok(!fs.existsSync(file), 'no archive written');
    assert.deepEqual(fs.readdirSync(work).filter((n) => n.includes('saved')), [], 'no temp file left');
    const ok = await d.cli(['save', '--platform', HOST_PLATFORM, '-o', file, 'made-here']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(fs.statSync(file).size > 0);
    await assert.rejects(openStream(d.socket, { kind: 'export', ref: 'made-here', platform: ['linux'] as unknown as string }), /export: platform must be a string/);

    const hist = await d.cli(['history', '--platform', HOST_PLATFORM, '-q', 'made-here']);
    assert.equal(hist.code, 0, hist.stderr);
    const histWrong = await d.cli(['image', 'history', '--platform', FOREIGN, 'made-here']);
    assert.equal(histWrong.code, 1);
    assert.match(histWrong.stderr, /does not match the specified platform/);
    await assert.rejects(c.request('image.inspect', { ref: 'made-here', platform: 5 as unknown as string }), /image\.inspect: platform must be a string/);

    assert.equal((await d.cli(['tag', 'made-here', 'rmi-plat:1'])).code, 0);
    const rmWrong = await d.cli(['rmi', '--platform', FOREIGN, 'rmi-plat:1']);
    assert.equal(rmWrong.code, 1);
    assert.match(rmWrong.stderr, /rmi-plat:1 was found but does not match the specified platform/);
    assert.ok(await c.request('image.inspect', { ref: 'rmi-plat:1' }), 'still there');
    await assert.rejects(c.request('image.remove', { ref: 'rmi-plat:1', platforms: 'linux' as unknown as string[] }), /platforms must be a list/);
    await assert.rejects(c.request('image.remove', { ref: 'rmi-plat:1', platforms: Array(17).fill(HOST_PLATFORM) }), /at most 16/);
    // Docker's --platform is a list: one of them matching is enough
    const rm = await d.cli(['rmi', '--platform', `linux/s390x,${HOST_PLATFORM}`, 'rmi-plat:1']);
    assert.equal(rm.code, 0, rm.stderr);
    await assert.rejects(c.request('image.inspect', { ref: 'rmi-plat:1' }), /No such image: rmi-plat:1/);
  });

  test('load --platform: a platform of a multi-platform archive (by path and on stdin), single-platform images of another left out', async () => {
    const layoutDir = path.join(work, 'multi-load');
    makeImageLayout(layoutDir, twoPlatformImage(), 'multi-load:1');
    const file = path.join(work, 'multi-load.tar');
    execFileSync('tar', ['-C', layoutDir, '-cf', file, 'oci-layout', 'index.json', 'blobs']);
    const arch = async (ref: string) => ((await c.request('image.inspect', { ref })).config as { architecture: string }).architecture;

    const def = await d.cli(['load', '-i', file]);
    assert.equal(def.code, 0, def.stderr);
    assert.equal(def.stdout, 'Loaded image: multi-load:1\n');
    assert.equal(await arch('multi-load:1'), HOST.architecture, 'this host\'s by default');
    const arm = await d.cli(['load', '--platform', 'linux/arm64', '-i', file]);
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal(await arch('multi-load:1'), 'arm64');
    // on stdin: the image-import stream takes the platform too
    const amd = await runCommand(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'load', '--platform', 'linux/amd64'], { input: fs.readFileSync(file) });
    assert.equal(amd.code, 0, amd.stderr);
    assert.equal(await arch('multi-load:1'), 'amd64');
    const none = await d.cli(['load', '--platform', 'linux/s390x', '-i', file]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /archive: no image for platform linux\/s390x \(it has: linux\/amd64, linux\/arm64\/v8\)/);

    // a single-platform archive (nscope's own save): its platform loads, another is refused
    const single = path.join(work, 'single.tar');
    assert.equal((await d.cli(['save', '-o', single, 'made-here'])).code, 0);
    const wrong = await d.cli(['load', '--platform', FOREIGN, '-i', single]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`no image for platform ${FOREIGN} \\(it has: ${HOST_PLATFORM}\\)`));
    const right = await d.cli(['load', '--platform', HOST_PLATFORM, '-i', single]);
    assert.equal(right.code, 0, right.stderr);
    assert.equal(right.stdout, 'Loaded image: made-here:latest\n');
    const tmp = path.join(d.root, 'images', '.tmp');
    assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no import left behind');
    await assert.rejects(c.request('image.import', { file, platform: 9 as unknown as string }), /image\.import: platform must be a string/);
  });

  test('rmi --no-prune: an untagged parent stays, as it does without the flag (nscope\'s rmi deletes no other image)', async () => {
    // a parent, a child built on it, then the parent's name given to another image: an untagged parent
    const parent = await c.request('image.create', { name: 'prune-base:1', parent: 'made-here', changes: ['ENV STAGE=parent'] });
    await c.request('image.create', { name: 'prune-child:1', parent: 'prune-base:1', changes: ['LABEL child=1'] });
    await c.request('image.create', { name: 'prune-child:2', parent: 'prune-base:1', changes: ['LABEL child=2'] });
    await c.request('image.create', { name: 'prune-base:1', parent: 'made-here', changes: ['ENV STAGE=other'] });
    const untagged = async () => (await c.request('image.list', { all: true })).filter((i) => i.id === parent.id);
    assert.equal((await untagged())[0]?.name, '<none>:<none>', 'the parent is untagged now');

    const kept = await d.cli(['rmi', '--no-prune', 'prune-child:1']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /^Untagged: prune-child:1\nDeleted: sha256:[0-9a-f]{64}\n$/);
    assert.equal((await untagged()).length, 1, '--no-prune: the untagged parent is kept');
    const plain = await d.cli(['rmi', 'prune-child:2']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal((await untagged()).length, 1, 'without it too: rmi removes the image named, nothing else');
    // its layers are the parent's: still there, the parent still resolves
    for (const l of (await c.request('image.inspect', { ref: parent.id })).layers) assert.ok(fs.existsSync(l.dir!), l.dir);
    const rmParent = await d.cli(['rmi', parent.id.slice(7, 19)]);
    assert.equal(rmParent.code, 0, rmParent.stderr);
  });
});
