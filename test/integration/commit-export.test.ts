// `nscope image export`: an OCI image layout tar that imports back with the
// same digests (manifest, config, layers) and runs, that skopeo reads, that
// is the same bytes each time; written by the CLI with the caller's own
// permissions, so a non-root member of the helper's group cannot use the
// root helper to write files it could not write itself.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readTar } from '../../helper/images/tar-reader';
import type { HelperClient } from '../../helper/protocol/client';
import { openStreamWithResult } from '../../helper/protocol/client';
import { runToExit } from '../helpers/containers';
import { REPO, startWithImage, TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let c: HelperClient;
let out: string;
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

before(async () => {
  d = await startWithImage('export');
  c = await d.client();
  out = fs.mkdtempSync(path.join(d.dir, 'out-'));
  const r = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'echo exported > /e.txt; rm /etc/shells'] });
  assert.equal(r.exitCode, 0, r.stderr);
  await c.request('container.commit', { id: r.id, name: 'example.com/team/app:1.0', message: 'for export' });
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('export writes an OCI image layout tar; importing it back gives the same digests, and it runs', async () => {
  const before = await c.request('image.inspect', { ref: 'example.com/team/app:1.0' });
  const file = path.join(out, 'app.tar');
  const r = await d.cli(['image', 'export', 'example.com/team/app:1.0', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(fs.readdirSync(out), ['app.tar'], 'no temp file left beside it');

  // the layout, as the OCI image spec has it
  const names: string[] = [];
  const files = new Map<string, Buffer>();
  for await (const e of readTar(fs.createReadStream(file))) {
    names.push(e.name);
    if (e.type === 'file' && e.size < 1 << 20) files.set(e.name, await e.body.readAll());
  }
  assert.deepEqual(names.slice(0, 5), ['oci-layout', 'index.json', 'manifest.json', 'blobs/', 'blobs/sha256/']);
  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, before.digest);
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'example.com/team/app:1.0');
  const blobs = [before.digest, before.id, ...before.layers.map((l) => l.digest)];
  assert.deepEqual(names.slice(5), blobs.map((b) => `blobs/sha256/${b.slice(7)}`));
  // Docker's table of contents beside it (docker load, skopeo's docker-archive:)
  assert.deepEqual(JSON.parse(files.get('manifest.json')!.toString()), [{
    Config: `blobs/sha256/${before.id.slice(7)}`, RepoTags: ['example.com/team/app:1.0'], Layers: before.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
  }]);

  // deterministic: the same image gives the same bytes
  const again = path.join(out, 'again.tar');
  assert.equal((await d.cli(['image', 'export', before.id.slice(7, 19), again])).code, 0);
  assert.equal(sha(again), sha(file));
  fs.rmSync(again);

  // to stdout, the same bytes again
  const piped = spawnSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'image', 'export', 'example.com/team/app:1.0', '-'], { maxBuffer: 64 << 20 });
  assert.equal(piped.status, 0, piped.stderr.toString());
  assert.equal(createHash('sha256').update(piped.stdout).digest('hex'), sha(file));

  // remove it (blobs collected), import the archive: the same image, byte for byte
  await c.request('image.remove', { ref: 'example.com/team/app:1.0' });
  assert.ok(!fs.existsSync(path.join(d.root, 'images/blobs/sha256', before.id.slice(7))), 'the config blob was collected');
  const imp = await d.cli(['image', 'import', file]);
  assert.equal(imp.code, 0, imp.stderr);
  const after = await c.request('image.inspect', { ref: 'example.com/team/app:1.0' });
  assert.equal(after.digest, before.digest, 'manifest digest');
  assert.equal(after.id, before.id, 'config digest (image ID)');
  assert.deepEqual(after.layers.map((l) => [l.digest, l.diffId]), before.layers.map((l) => [l.digest, l.diffId]));
  const run = await runToExit(c, { image: 'example.com/team/app:1.0', cmd: ['sh', '-c', 'cat /e.txt; ls /etc'] });
  assert.match(run.stdout, /^exported\n/);
  assert.doesNotMatch(run.stdout, /shells/);
});

function skopeo(): string | undefined {
  for (const p of ['/usr/bin/skopeo', '/usr/local/bin/skopeo']) if (fs.existsSync(p)) return p;
  return undefined;
}

test('skopeo reads the export: manifest, config and layers with the same digests', { skip: skopeo() ? false : 'skopeo is not installed (scripts/setup.sh installs it: apt-get install skopeo)' }, async () => {
  const img = await c.request('image.inspect', { ref: 'example.com/team/app:1.0' });
  const file = path.join(out, 'skopeo.tar');
  assert.equal((await d.cli(['image', 'export', 'example.com/team/app:1.0', file])).code, 0);
  const bin = skopeo()!;
  const info = JSON.parse(execFileSync(bin, ['inspect', `oci-archive:${file}`], { encoding: 'utf8' }));
  assert.equal(info.Digest, img.digest);
  assert.deepEqual(info.Layers, img.layers.map((l) => l.digest));
  assert.equal(info.Os, 'linux');
  const raw = execFileSync(bin, ['inspect', '--raw', `oci-archive:${file}`]);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, img.digest, 'the manifest bytes');
  const config = execFileSync(bin, ['inspect', '--config', '--raw', `oci-archive:${file}`]);
  assert.equal(`sha256:${createHash('sha256').update(config).digest('hex')}`, img.id, 'the config bytes');
  assert.equal(JSON.parse(config.toString()).history.at(-1).comment, 'for export');
  // a full copy reads and checks every blob
  execFileSync(bin, ['copy', '--quiet', `oci-archive:${file}`, `dir:${path.join(out, 'skopeo-dir')}`]);
  for (const l of img.layers) assert.ok(fs.existsSync(path.join(out, 'skopeo-dir', l.digest.slice(7))), `layer ${l.digest} copied`);
});

test('errors: one line, and no file', async () => {
  const file = path.join(out, 'nope.tar');
  const r = await d.cli(['image', 'export', 'nope', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'nscope: No such image: nope\n');
  assert.ok(!fs.existsSync(file));
  assert.deepEqual(fs.readdirSync(out).filter((n) => n.startsWith('.')), []);
  const dir = await d.cli(['image', 'export', 'host', out]);
  assert.equal(dir.code, 1);
  assert.match(dir.stderr, /is a directory/);
  // a stream reader that stops early: the helper notices and the archive is not complete
  const { sock, result } = await openStreamWithResult(d.socket, { kind: 'export', ref: 'host' });
  assert.ok(result.size! > 1 << 20);
  let got = 0;
  await new Promise<void>((resolve) => {
    sock.on('data', (b: Buffer) => { got += b.length; if (got > 4096) sock.destroy(); });
    sock.on('close', () => resolve());
    sock.resume();
  });
  assert.ok(got < result.size!);
  assert.equal((await c.request('system.info', {})).images >= 1, true, 'the helper is fine');
});

test('a non-root member of the helper\'s group writes the archive with its own permissions only', async () => {
  const group = `nscope-x${process.pid}`;
  execFileSync('groupadd', [group]);
  const g = new TestDaemon('exportgroup');
  try {
    const gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
    g.extraArgs = ['--group', group];
    await g.start();
    await (await g.client()).request('image.host', { name: 'host', programs: ['sh'] });
    fs.chmodSync(g.dir, 0o755);
    const mine = fs.mkdtempSync(path.join(g.dir, 'mine-'));
    fs.chownSync(mine, 65534, 65534);
    const asMember = (file: string) => new Promise<{ code: number; stderr: string }>((resolve) => {
      const p = spawn('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${gid}`, process.execPath, path.join(REPO, 'bin', 'nscope'), '--socket', g.socket, 'image', 'export', 'host', file], { cwd: '/' });
      let stderr = '';
      p.stderr.on('data', (x) => { stderr += x; });
      p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    // where root could write and the member cannot: refused, nothing written
    const target = path.join(g.dir, 'root-only.tar');
    const refused = await asMember(target);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `nscope: cannot write ${target}: permission denied\n`);
    assert.ok(!fs.existsSync(target));
    assert.deepEqual(fs.readdirSync(g.dir).filter((n) => n.endsWith('.tmp')), []);
    // where the member can write: the file is the member's
    const ok = await asMember(path.join(mine, 'host.tar'));
    assert.equal(ok.code, 0, ok.stderr);
    const st = fs.statSync(path.join(mine, 'host.tar'));
    assert.equal(st.uid, 65534);
    assert.ok(st.size > 1 << 20);
  } finally {
    assert.deepEqual(await g.cleanup(), []);
    execFileSync('groupdel', [group]);
  }
});
