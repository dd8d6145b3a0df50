// The registry of nscope-runtime --root dirs (helper/runtime/runtime-roots.ts):
// an entry per root, named by a hash of its path, and the symlink beside it
// that spares a create the hash.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { listRuntimeRoots, recordRuntimeRoot } from '../../helper/runtime/runtime-roots';

const tmpRegistry = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-roots-'));

test('a root is recorded once: an entry holding its path, and a symlink to the entry named by the path', () => {
  const dir = tmpRegistry();
  try {
    recordRuntimeRoot('/run/containerd/runc/k8s.io', dir);
    const names = fs.readdirSync(dir).sort();
    assert.equal(names.length, 2, names.join(' '));
    const [link, entry] = names;
    assert.equal(link, '.%2Frun%2Fcontainerd%2Frunc%2Fk8s.io');
    assert.match(entry, /^[0-9a-f]{32}$/);
    assert.equal(fs.readlinkSync(path.join(dir, link)), entry);
    assert.equal(fs.readFileSync(path.join(dir, entry), 'utf8'), '/run/containerd/runc/k8s.io\n');
    // fresh: not written again
    const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    fs.utimesSync(path.join(dir, entry), recent, recent);
    recordRuntimeRoot('/run/containerd/runc/k8s.io', dir);
    assert.equal(fs.statSync(path.join(dir, entry)).mtimeMs, recent.getTime());
    // dropped by a reader: made again under the same name, through the symlink
    fs.rmSync(path.join(dir, entry));
    recordRuntimeRoot('/run/containerd/runc/k8s.io', dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), names);
    // stale (a reader may drop it soon): written again
    fs.utimesSync(path.join(dir, entry), new Date(0), new Date(0));
    recordRuntimeRoot('/run/containerd/runc/k8s.io', dir);
    assert.ok(fs.statSync(path.join(dir, entry)).mtimeMs > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink that does not name an entry is replaced; a path too long for a symlink\'s name gets only the entry', () => {
  const dir = tmpRegistry();
  try {
    fs.symlinkSync('../../etc/passwd', path.join(dir, '.%2Fr'));
    recordRuntimeRoot('/r', dir);
    const entry = fs.readdirSync(dir).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    assert.equal(fs.readlinkSync(path.join(dir, '.%2Fr')), entry);
    const long = '/' + 'x'.repeat(250);
    recordRuntimeRoot(long, dir);
    const entries = fs.readdirSync(dir).filter((n) => /^[0-9a-f]{32}$/.test(n));
    assert.equal(entries.length, 2);
    assert.equal(fs.readdirSync(dir).length, 3, 'no symlink for the long path');
    assert.ok(entries.some((n) => fs.readFileSync(path.join(dir, n), 'utf8') === long + '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that drops the entry of a root gone drops its symlink too', { skip: process.getuid?.() !== 0 && 'the registry is read only when root owns it' }, () => {
  const dir = tmpRegistry();
  try {
    fs.chmodSync(dir, 0o700);
    const gone = path.join(dir, 'no-such-root');
    recordRuntimeRoot(gone, dir);
    const entry = fs.readdirSync(dir).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    fs.utimesSync(path.join(dir, entry), new Date(0), new Date(0));
    assert.deepEqual(listRuntimeRoots(dir), []);
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
