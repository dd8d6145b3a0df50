// Copy-on-write: writes land in the container's rw layer only.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runToExit } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('cow'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const f = path.join(p, e.name);
      const st = fs.lstatSync(f);
      out.push(`${path.relative(dir, f)} ${st.mode} ${st.size} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(f);
    }
  };
  walk(dir);
  return out.sort();
}

test('a written file is in the rw layer only; a deleted image file becomes a whiteout', async () => {
  const c = await d.client();
  const img = await c.request('image.inspect', { ref: 'host' });
  const layerDirs = (img.layers as unknown as { dir: string }[]).map((l) => l.dir);
  const before = layerDirs.map(snapshot);
  const r = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'echo hello > /tmp/new.txt && rm /etc/passwd && echo changed >> /etc/group && cat /tmp/new.txt'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const info = await c.request('container.inspect', { id: r.id });
  const rw = info.rootfs.upper;
  assert.equal(fs.readFileSync(path.join(rw, 'tmp/new.txt'), 'utf8'), 'hello\n');
  const wh = fs.lstatSync(path.join(rw, 'etc/passwd'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'deleting an image file leaves a 0/0 whiteout');
  assert.match(fs.readFileSync(path.join(rw, 'etc/group'), 'utf8'), /changed/);
  assert.deepEqual(layerDirs.map(snapshot), before, 'image layers are unchanged');
  for (const l of layerDirs) assert.ok(!fs.existsSync(path.join(l, 'tmp/new.txt')));
  // the init layer's files are not in the rw layer
  assert.ok(!fs.existsSync(path.join(rw, 'etc/hostname')));
  // another container from the same image still sees the original files
  const r2 = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'cat /etc/passwd | head -1; ls /tmp'] });
  assert.match(r2.stdout, /^root:/);
  assert.doesNotMatch(r2.stdout, /new.txt/);
});

test('a stopped container keeps its rw layer until rm', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'echo x > /keep'] });
  const info = await c.request('container.inspect', { id: r.id });
  assert.ok(fs.existsSync(path.join(info.rootfs.upper, 'keep')));
  await c.request('container.remove', { id: r.id });
  assert.ok(!fs.existsSync(info.bundle));
});

test('-v binds a host directory, :ro read-only', async () => {
  const c = await d.client();
  const host = fs.mkdtempSync(path.join(d.dir, 'vol-'));
  fs.writeFileSync(path.join(host, 'in.txt'), 'from host\n');
  const r = await runToExit(c, { image: 'host', volumes: [`${host}:/data`], cmd: ['sh', '-c', 'cat /data/in.txt; echo back > /data/out.txt'] });
  assert.equal(r.stdout, 'from host\n');
  assert.equal(fs.readFileSync(path.join(host, 'out.txt'), 'utf8'), 'back\n');
  const r2 = await runToExit(c, { image: 'host', volumes: [`${host}:/data:ro`], cmd: ['sh', '-c', 'echo no > /data/x'] });
  assert.notEqual(r2.exitCode, 0);
  assert.match(r2.stderr, /Read-only file system/);
  await assert.rejects(c.request('container.create', { image: 'host', volumes: ['./relative:/x'] }), /invalid characters for a local volume name.*use absolute path/);
});
