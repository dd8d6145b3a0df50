// A decompression bomb on a small filesystem (as root: a tmpfs of the test's
// own): a layer whose gzip is a few hundred KiB but whose tar holds 256 MiB of
// zeros, or thousands of empty files, is refused before the filesystem is
// full (helper/images/disk-guard.ts), naming the layer; its partial
// directory is removed and the space comes back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import * as zlib from 'node:zlib';
import { unpackLayer } from '../../helper/images/unpack';

const MiB = 1024 * 1024;
let dir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-disk-guard-'));
  // 48 MiB and 20,000 inodes: the reserve is 5% of each
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,nr_inodes=20000', 'nscope-test-guard', dir]);
});
after(() => {
  try { execFileSync('umount', [dir]); } catch { /* not mounted */ }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A ustar header for a regular file `name` of `size` bytes (0644, root's). */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (off: number, len: number, v: string) => h.write(v.padEnd(len, '\0').slice(0, len), off, 'latin1');
  const octal = (off: number, len: number, n: number) => field(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644); octal(108, 8, 0); octal(116, 8, 0); octal(124, 12, size); octal(136, 12, 1700000000);
  h.write('        ', 148, 'latin1');
  field(156, 1, '0');
  field(257, 6, 'ustar\0'); field(263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The tar's blocks, gzip'd as they are made: the bomb is never whole in memory. */
async function gzipOf(blocks: () => Generator<Buffer>): Promise<Buffer> {
  const gz = zlib.createGzip();
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((res, rej) => { gz.on('end', res); gz.on('error', rej); });
  for (const b of blocks()) if (!gz.write(b)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

const free = () => { const s = fs.statfsSync(dir); return { bytes: s.bavail * s.bsize, inodes: s.ffree }; };

test('256 MiB of zeros in a 300 KiB gzip: refused before the disk is full, nothing left, the space back', async () => {
  const size = 256 * MiB;
  const gz = await gzipOf(function* () {
    yield header('zeros', size);
    const zero = Buffer.alloc(MiB);
    for (let i = 0; i < size / MiB; i++) yield zero;
    yield Buffer.alloc(1024);
  });
  assert.ok(gz.length < 2 * MiB, `the bomb is ${gz.length} bytes`);
  const before = free();
  const target = path.join(dir, 'layer');
  await assert.rejects(unpackLayer(Readable.from([gz]), target, { label: 'layer bomb' }),
    /^NscopeError: layer bomb: refused after [\d.]+ MiB unpacked: the store's filesystem is down to [\d.]+ [KM]iB free, and nscope keeps 2\.4 MiB free there \(is the layer a decompression bomb\?\)$/);
  assert.deepEqual(fs.readdirSync(dir), []);
  // the guard looked before the reserve was reached: the filesystem was never full
  assert.deepEqual(free(), before);
});

test('thousands of empty files: refused before the inodes run out', async () => {
  const gz = await gzipOf(function* () {
    for (let i = 0; i < 30000; i++) yield header(`f${i}`, 0);
    yield Buffer.alloc(1024);
  });
  const before = free();
  await assert.rejects(unpackLayer(Readable.from([gz]), path.join(dir, 'layer'), { label: 'layer of files' }),
    /layer of files: refused after [\d.]+ [KM]iB unpacked: the store's filesystem is down to \d+ inodes free, and nscope keeps 1000 inodes free there/);
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.deepEqual(free(), before);
});

test('a layer that fits is unpacked whole, the guard looking on the way', async () => {
  const gz = await gzipOf(function* () {
    yield header('eight-mib', 8 * MiB);
    yield Buffer.alloc(8 * MiB, 7);
    for (let i = 0; i < 500; i++) yield header(`small${i}`, 0);
    yield Buffer.alloc(1024);
  });
  const target = path.join(dir, 'fits');
  const r = await unpackLayer(Readable.from([gz]), target, { label: 'layer fits' });
  assert.equal(r.entries, 501);
  assert.equal(fs.statSync(path.join(target, 'eight-mib')).size, 8 * MiB);
  fs.rmSync(target, { recursive: true });
});
