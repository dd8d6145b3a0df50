// Docker's image exchange commands against a real helper: `save` of several
// images into one archive that skopeo reads both ways (oci-archive: and, from
// its manifest.json, docker-archive:), `load` from a file and from stdin
// giving back the same image IDs; `import` of a container's `export` as a
// one-layer image with --change/-m (and unnamed, by stdin); `image import`
// telling a tarball from an archive. Refusals: a bad --change (named before
// the upload), an empty or garbage tarball, a missing file, a URL, a tarball
// whose entries climb out of the root — each one line, no image, no temp
// left, nothing written outside.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

const haveSkopeo = spawnSync('skopeo', ['--version']).status === 0;

describe('save, load and import', () => {
  let d: TestDaemon;
  let c: HelperClient;
  const tmpLeft = () => {
    const t = path.join(d.root, 'images', '.tmp');
    return fs.existsSync(t) ? fs.readdirSync(t) : [];
  };
  const ids = async () => (await c.request('image.list', { all: true })).map((i) => `${i.name} ${i.id}`).sort();
  const runOut = async (...args: string[]) => {
    const r = await d.cli(['run', '--rm', '--network', 'none', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  /** The CLI with `input` (bytes) on stdin and stdout kept as bytes. */
  const cliBytes = (args: string[], input?: Buffer) => spawnSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, ...args], { input, maxBuffer: 256 << 20 });

  before(async () => {
    d = await startWithImage('save-load');
    c = await d.client();
    assert.equal((await d.cli(['tag', 'host', 'second:1'])).code, 0);
  });
  after(async () => { assert.deepEqual(await d.cleanup(), []); });

  test('save puts several images in one archive that skopeo reads as OCI and as docker-archive; load brings them back', async () => {
    const file = path.join(d.dir, 'two.tar');
    const saved = await d.cli(['save', '-o', file, 'host', 'second:1']);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout, '');
    const entries = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
    assert.deepEqual(entries.slice(0, 3), ['oci-layout', 'index.json', 'manifest.json']);
    const docker = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }));
    // one image under two names: one entry with both tags, its blobs once
    assert.equal(docker.length, 1);
    assert.deepEqual(docker[0].RepoTags.sort(), ['host:latest', 'second:1']);
    assert.equal(entries.filter((e) => e === docker[0].Config).length, 1);
    const index = JSON.parse(execFileSync('tar', ['-xOf', file, 'index.json'], { encoding: 'utf8' }));
    assert.deepEqual(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']).sort(), ['host:latest', 'second:1']);
    const host = await c.request('image.inspect', { ref: 'host' });
    if (haveSkopeo) {
      for (const ref of [`docker-archive:${file}:second:1`, `oci-archive:${file}:host:latest`]) {
        const seen = JSON.parse(execFileSync('skopeo', ['inspect', '--config', ref], { encoding: 'utf8' }));
        assert.deepEqual(seen.rootfs.diff_ids, host.layers.map((l) => l.diffId), ref);
      }
    }

    assert.equal((await d.cli(['rmi', 'second:1'])).code, 0);
    const loaded = await d.cli(['load', '-i', file]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.deepEqual(loaded.stdout.split('\n').filter(Boolean).sort(), ['Loaded image: host:latest', 'Loaded image: second:1']);
    assert.equal((await c.request('image.inspect', { ref: 'second:1' })).id, host.id, 'the same image ID');

    // save to stdout, load from stdin
    const out = cliBytes(['image', 'save', 'second:1']);
    assert.equal(out.status, 0, out.stderr.toString());
    assert.equal((await d.cli(['rmi', 'second:1'])).code, 0);
    const fromStdin = cliBytes(['load'], out.stdout);
    assert.equal(fromStdin.status, 0, fromStdin.stderr.toString());
    assert.equal(fromStdin.stdout.toString(), 'Loaded image: second:1\n');
    assert.equal((await c.request('image.inspect', { ref: 'second:1' })).id, host.id);

    const missing = await d.cli(['save', '-o', path.join(d.dir, 'none.tar'), 'host', 'no-such-image']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-image/);
    assert.ok(!fs.existsSync(path.join(d.dir, 'none.tar')), 'no archive left');
    assert.deepEqual(tmpLeft(), []);
  });

  test("import makes a container's export an image of one layer, with --change and -m; unnamed from stdin", async () => {
    const made = await d.cli(['run', '--name', 'src', '--network', 'none', 'host', 'sh', '-c', 'echo made > /made; rm /bin/ls']);
    assert.equal(made.code, 0, made.stderr);
    const tarball = path.join(d.dir, 'src.tar');
    assert.equal((await d.cli(['export', '-o', tarball, 'src'])).code, 0);
    assert.equal((await d.cli(['rm', 'src'])).code, 0);

    const imp = await d.cli(['import', '-c', 'CMD ["cat", "/made"]', '-c', 'ENV MODE=imported', '-m', 'from src', tarball, 'imported:1']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const img = await c.request('image.inspect', { ref: 'imported:1' });
    assert.equal(img.id, imp.stdout.trim());
    assert.equal(img.layers.length, 1);
    const cfg = img.config as { os: string; architecture: string; config: { Cmd: string[]; Env: string[] }; history: Array<{ comment?: string }> };
    assert.deepEqual(cfg.config.Cmd, ['cat', '/made']);
    assert.deepEqual(cfg.config.Env, ['MODE=imported']);
    assert.equal(cfg.os, 'linux');
    assert.equal(cfg.history.at(-1)?.comment, 'from src');
    assert.equal(await runOut('imported:1'), 'made\n');
    assert.equal(await runOut('imported:1', 'sh', '-c', 'echo $MODE; test -e /bin/ls || echo no ls'), 'imported\nno ls\n');

    const before = (await c.request('image.list', {})).length;
    const unnamed = cliBytes(['import', '-'], fs.readFileSync(tarball));
    assert.equal(unnamed.status, 0, unnamed.stderr.toString());
    const id = unnamed.stdout.toString().trim();
    const list = await c.request('image.list', {});
    assert.equal(list.length, before + 1);
    assert.equal(list.find((i) => i.id === id)?.name, '<none>:<none>');

    // `image import`: a tarball alone is imported as Docker does; an archive is loaded
    const viaImage = await d.cli(['image', 'import', tarball]);
    assert.equal(viaImage.code, 0, viaImage.stderr);
    assert.match(viaImage.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const archive = path.join(d.dir, 'archive.tar');
    assert.equal((await d.cli(['image', 'export', 'imported:1', archive])).code, 0);
    const asArchive = await d.cli(['image', 'import', archive]);
    assert.equal(asArchive.code, 0, asArchive.stderr);
    assert.match(asArchive.stdout, /^Loaded image: imported:1 \(/);
    assert.deepEqual(tmpLeft(), []);
  });

  test('refused in one line, nothing imported, nothing left: a bad change, empty, garbage, missing, a URL, entries out of the root', async () => {
    const before = await ids();
    const tarball = path.join(d.dir, 'ok.tar');
    execFileSync('tar', ['-C', path.join(REPO, 'media'), '-cf', tarball, '.']);
    const bad = await d.cli(['import', '-c', 'RUN rm -rf /', tarball, 'bad:1']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'nscope: --change "RUN rm -rf /": RUN cannot be used with import (only CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR)\n');
    const badName = await d.cli(['import', tarball, 'Bad Name']);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /invalid reference format/);
    const empty = path.join(d.dir, 'empty.tar');
    fs.writeFileSync(empty, '');
    assert.match((await d.cli(['import', empty, 'bad:2'])).stderr, /^nscope: import: the tarball is empty\n$/);
    const garbage = path.join(d.dir, 'garbage.tar');
    fs.writeFileSync(garbage, 'not a tar archive, not even one block of it\n'.repeat(20));
    const g = await d.cli(['import', garbage, 'bad:3']);
    assert.equal(g.code, 1);
    assert.equal(g.stderr.split('\n').length, 2, g.stderr);
    assert.equal((await d.cli(['import', path.join(d.dir, 'nope.tar'), 'bad:4'])).stderr, `nscope: ${path.join(d.dir, 'nope.tar')}: no such file\n`);
    assert.match((await d.cli(['import', 'https://example.com/rootfs.tar', 'bad:5'])).stderr, /importing from a URL is not supported/);

    // a hostile tarball: entries that climb out of the root, a symlink out and a file through it
    const escape = path.join(d.dir, `escaped-${process.pid}`);
    const hostile = path.join(d.dir, 'hostile.tar');
    execFileSync('python3', ['-c', `
import io, tarfile, sys
t = tarfile.open(sys.argv[1], 'w')
def add(name, data=b'x', **kw):
    i = tarfile.TarInfo(name); i.size = len(data)
    for k, v in kw.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
add('../../../../../../${escape.slice(1)}')
s = tarfile.TarInfo('out'); s.type = tarfile.SYMTYPE; s.linkname = '${path.dirname(escape)}'; t.addfile(s)
add('out/${path.basename(escape)}-via-link')
t.close()
`, hostile]);
    const h = await d.cli(['import', hostile, 'bad:6']);
    if (h.code === 0) {
      // kept inside the image's root, if at all
      const img = await c.request('image.inspect', { ref: 'bad:6' });
      assert.equal(img.layers.length, 1);
      assert.equal((await d.cli(['rmi', 'bad:6'])).code, 0);
    } else assert.equal(h.stderr.split('\n').length, 2, h.stderr);
    assert.ok(!fs.existsSync(escape), 'nothing written outside the root');
    assert.ok(!fs.existsSync(`${escape}-via-link`), 'nothing written through the symlink');
    assert.deepEqual(await ids(), before, 'no image added');
    assert.deepEqual(tmpLeft(), []);
  });
});
