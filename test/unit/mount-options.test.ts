// -v, --mount and --tmpfs read as Docker reads them, and refused with its messages (no root needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountFlag, parseMountRequests, parseSize, parseTmpfsFlag, parseVolumeFlag } from '../../helper/volumes/mount-options';
import { checkVolumeName, anonymousVolumeName } from '../../helper/volumes/names';

test('-v: a name is a volume, an absolute path a bind, a lone path an anonymous volume', () => {
  assert.deepEqual(parseVolumeFlag('db:/var/lib/db'), { type: 'volume', source: 'db', target: '/var/lib/db', readOnly: false, noCopy: false, flag: '-v' });
  assert.deepEqual(parseVolumeFlag('/srv/x:/x/:ro'), { type: 'bind', source: '/srv/x', target: '/x', readOnly: true, noCopy: false, flag: '-v' });
  assert.deepEqual(parseVolumeFlag('/data'), { type: 'volume', target: '/data', readOnly: false, noCopy: false, flag: '-v' });
  assert.equal(parseVolumeFlag('db:/d:nocopy,ro').noCopy, true);
  assert.equal(parseVolumeFlag('/h:/d:rslave').propagation, 'rslave');
});

test('-v: hostile and malformed specs', () => {
  assert.throws(() => parseVolumeFlag('../x:/y'), /"\.\.\/x" includes invalid characters for a local volume name.*use absolute path/);
  assert.throws(() => parseVolumeFlag('a/b:/y'), /invalid characters/);
  assert.throws(() => parseVolumeFlag('xx:/y:rx'), /invalid mode: rx/);
  assert.throws(() => parseVolumeFlag('xx:/y:ro,rw'), /invalid mode/);
  assert.throws(() => parseVolumeFlag('/y:rw'), /invalid spec: \/y:rw/);
  assert.throws(() => parseVolumeFlag('xx:y'), /mount path must be absolute/);
  assert.throws(() => parseVolumeFlag('xx:/'), /destination can't be '\/'/);
  // the container's /proc is the kernel's: nothing over it, or under it but runc's lxcfs-style files
  assert.throws(() => parseVolumeFlag('xx:/proc'), /'\/proc' is inside the container's \/proc/);
  assert.throws(() => parseVolumeFlag('/tmp:/proc/sys/../self'), /'\/proc\/self' is inside/);
  assert.throws(() => parseMountFlag('type=tmpfs,target=/proc/x'), /inside the container's \/proc/);
  assert.equal(parseVolumeFlag('/tmp/m:/proc/meminfo:ro').target, '/proc/meminfo');
  assert.throws(() => parseVolumeFlag('/h:/d:nocopy'), /nocopy is for volumes/);
  assert.throws(() => parseVolumeFlag(':/d'), /invalid spec/);
  assert.throws(() => parseVolumeFlag('a:b:c:d'), /invalid spec/);
  assert.throws(() => parseVolumeFlag(`${'a'.repeat(300)}:/d`), /too long/);
  assert.throws(() => parseVolumeFlag(42), /non-empty string/);
});

test('--mount: Docker\'s keys, their aliases and its errors', () => {
  assert.deepEqual(parseMountFlag('type=volume,src=v1,dst=/d,readonly,volume-nocopy'), { type: 'volume', source: 'v1', target: '/d', readOnly: true, noCopy: true, flag: '--mount' });
  assert.deepEqual(parseMountFlag('target=/d'), { type: 'volume', target: '/d', readOnly: false, noCopy: false, flag: '--mount' });
  assert.equal(parseMountFlag('type=bind,source=/h,target=/d,bind-propagation=rshared').propagation, 'rshared');
  assert.equal(parseMountFlag('type=bind,source=/h,target=/d,ro=false').readOnly, false);
  assert.deepEqual(parseMountFlag('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777').tmpfsOptions, ['nosuid', 'nodev', 'noexec', 'size=1048576', 'mode=1777']);
  assert.deepEqual(parseMountFlag('type=volume,source=vv,target=/d,volume-label=a=b').labels, { a: 'b' });
  assert.throws(() => parseMountFlag('type=volume,foo=bar,target=/x'), /unexpected key 'foo' in 'foo=bar'/);
  assert.throws(() => parseMountFlag('type=volume,target'), /invalid field 'target' must be a key=value pair/);
  assert.throws(() => parseMountFlag('type=nfs,target=/x'), /mount type unknown/);
  assert.throws(() => parseMountFlag('type=bind,target=/x'), /field Source must not be empty/);
  assert.throws(() => parseMountFlag('type=bind,source=rel,target=/x'), /mount path must be absolute/);
  assert.throws(() => parseMountFlag('type=tmpfs,source=x,target=/x'), /Source must not be specified/);
  assert.throws(() => parseMountFlag('type=bind,source=/h,target=/x,volume-nocopy'), /volume-nocopy is for type=volume/);
  assert.throws(() => parseMountFlag('type=volume,source=/h,target=/x'), /invalid characters/);
  assert.throws(() => parseMountFlag('type=volume,readonly=maybe,target=/x'), /invalid value for readonly/);
  assert.throws(() => parseMountFlag('type=volume,source=vv'), /field Target must not be empty/);
  assert.throws(() => parseMountFlag('type=volume,volume-driver=nfs,target=/x'), /only the local driver/);
});

test('--tmpfs: size and mode range-checked, Docker\'s defaults', () => {
  assert.deepEqual(parseTmpfsFlag('/run').tmpfsOptions, ['nosuid', 'nodev', 'noexec']);
  assert.deepEqual(parseTmpfsFlag('/run:size=64m,mode=755,exec').tmpfsOptions, ['nosuid', 'nodev', 'size=67108864', 'mode=0755', 'exec']);
  assert.equal(parseSize('x', '1.5k'), 1536);
  assert.throws(() => parseTmpfsFlag('/t:size=0'), /out of range/);
  assert.throws(() => parseTmpfsFlag('/t:size=1'), /out of range/);
  assert.throws(() => parseTmpfsFlag('/t:size=1000t'), /out of range/);
  assert.throws(() => parseTmpfsFlag('/t:size=lots'), /invalid size/);
  assert.throws(() => parseTmpfsFlag('/t:mode=8888'), /invalid mode/);
  assert.throws(() => parseTmpfsFlag('/t:mode=17777'), /invalid mode/);
  assert.throws(() => parseTmpfsFlag('/t:uid=-1'), /invalid uid/);
  assert.throws(() => parseTmpfsFlag('/t:huge=always'), /unknown tmpfs option/);
  assert.throws(() => parseTmpfsFlag('t'), /must be absolute/);
});

test('one target once across -v, --mount and --tmpfs', () => {
  assert.throws(() => parseMountRequests({ volumes: ['aa:/d'], tmpfs: ['/d/'] }), /Duplicate mount point: \/d/);
  assert.equal(parseMountRequests({ volumes: ['aa:/d'], mounts: ['target=/e'], tmpfs: ['/f'] }).length, 3);
});

test('volume names as Docker\'s local driver takes them', () => {
  assert.equal(checkVolumeName('my_vol-1.2', 'x'), 'my_vol-1.2');
  for (const bad of ['a', '.x', '-x', 'a/b', '..', 'a b', 'x\0', '']) assert.throws(() => checkVolumeName(bad, 'x'));
  assert.match(anonymousVolumeName(), /^[0-9a-f]{64}$/);
});
