// readLayeredFile: a file as the merged layers show it, without mounting and
// without ever following a layer's symlinks out to the host.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { native } from '../../helper/native';
import { readLayeredFile } from '../../helper/rootfs/lookup';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-lookup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function layer(files: Record<string, string | { symlink: string } | 'whiteout' | 'opaque-dir'>): string {
  const dir = path.join(tmp, String(n++));
  fs.mkdirSync(dir);
  for (const [rel, what] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (what === 'whiteout') native().mknod(p, 0o020000 | 0o600, 0, 0);
    else if (what === 'opaque-dir') { fs.mkdirSync(p); native().lsetxattr(p, 'trusted.overlay.opaque', Buffer.from('y')); }
    else if (typeof what === 'string') fs.writeFileSync(p, what);
    else fs.symlinkSync(what.symlink, p);
  }
  return dir;
}

test('the topmost layer that has the file wins', () => {
  const base = layer({ 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n' });
  const top = layer({ 'etc/passwd': 'root:x:0:0::/root:/bin/sh\napp:x:100:100::/:/bin/sh\n' });
  assert.match(readLayeredFile([base, top], 'etc/passwd')!, /^app:/m);
  assert.doesNotMatch(readLayeredFile([base], 'etc/passwd')!, /^app:/m);
  assert.equal(readLayeredFile([base, layer({ 'tmp/x': '' })], 'etc/passwd')?.startsWith('root'), true);
});

test('a whiteout, an opaque directory or a file in place of the directory hides it', () => {
  const base = layer({ 'etc/passwd': 'root\n' });
  assert.equal(readLayeredFile([base, layer({ 'etc/passwd': 'whiteout' })], 'etc/passwd'), null);
  assert.equal(readLayeredFile([base, layer({ etc: 'whiteout' })], 'etc/passwd'), null);
  assert.equal(readLayeredFile([base, layer({ etc: 'opaque-dir' })], 'etc/passwd'), null);
  assert.equal(readLayeredFile([base, layer({ etc: 'not a directory' })], 'etc/passwd'), null);
});

test('a symlink in a layer is never followed, not even to a host file', () => {
  const base = layer({ 'etc/passwd': 'root\n' });
  assert.equal(readLayeredFile([base, layer({ etc: { symlink: '/etc' } })], 'etc/passwd'), null);
  assert.equal(readLayeredFile([layer({ 'etc/passwd': { symlink: '/etc/passwd' } })], 'etc/passwd'), null);
  assert.equal(readLayeredFile([base], '../../../../etc/shadow'), null);
});
