// Which engine owns a container nscope-runtime runs (from its --root and bundle
// path), the refusal that names the engine's command, and the engine's overlay
// read back from mountinfo text as the kernel writes it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { engineOf, refusal } from '../../helper/runtime/engine-owner';
import { mountedOverlay } from '../../helper/rootfs/mounted-overlay';

const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

test('engine from the runtime root and the bundle path', () => {
  const ctrd = engineOf('/run/containerd/runc/k8s.io', '/run/containerd/io.containerd.runtime.v2.task/k8s.io/web');
  assert.deepEqual(ctrd, { name: 'containerd', root: '/run/containerd/runc/k8s.io', namespace: 'k8s.io', command: 'ctr -n k8s.io' });
  assert.equal(engineOf('/run/docker/runtime-nscope/moby', `/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/${ID}`).name, 'docker');
  assert.equal(engineOf('/run/docker/runtime-nscope/moby', '/elsewhere/b').name, 'docker');
  assert.equal(engineOf('/run/runc', `/var/lib/containers/storage/overlay-containers/${ID}/userdata`).name, 'podman');
  assert.equal(engineOf('/tmp/r', '/tmp/bundle').name, 'nscope-runtime');
});

test('the refusal names the engine and its command', () => {
  const dk = engineOf('/run/docker/runtime-nscope/moby', '/x');
  assert.equal(refusal(dk, 'stop', ID), 'container 0123456789ab belongs to Docker: use docker stop 0123456789ab');
  assert.equal(refusal(dk, 'remove', ID), 'container 0123456789ab belongs to Docker: use docker rm 0123456789ab');
  const ctrd = engineOf('/r/ns1', '/s/io.containerd.runtime.v2.task/ns1/web');
  assert.equal(refusal(ctrd, 'stop', 'web'), 'container web belongs to containerd: use ctr -n ns1 task kill web');
  assert.equal(refusal(engineOf('/tmp/r', '/tmp/b'), 'remove', 'c1'), 'container c1 belongs to nscope-runtime: use nscope-runtime --root /tmp/r delete c1');
});

test('the overlay at a mount point: lowerdir top first in the options, bottom first in the result; octal escapes undone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-mi-'));
  const file = path.join(dir, 'mountinfo');
  fs.writeFileSync(file, [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '600 22 0:50 / /var/lib/x/merged rw,relatime - overlay overlay rw,lowerdir=/l/init:/l/with\\040space,upperdir=/u/diff,workdir=/u/work',
    '700 600 0:51 / / rw - tmpfs tmpfs rw',
  ].join('\n') + '\n');
  assert.deepEqual(mountedOverlay(file, '/var/lib/x/merged'), { lower: ['/l/with space', '/l/init'], upper: '/u/diff', work: '/u/work', mountpoint: '/var/lib/x/merged' });
  // the last mount at / is tmpfs: not an overlay
  assert.equal(mountedOverlay(file, '/'), null);
  fs.writeFileSync(file, '600 22 0:50 / / rw - overlay overlay rw,lowerdir=l/ABC:l/DEF,upperdir=abc/diff,workdir=abc/work\n');
  assert.throws(() => mountedOverlay(file, '/'), /names the layer "l\/DEF", not an absolute path/);
  fs.rmSync(dir, { recursive: true });
});
