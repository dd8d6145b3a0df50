// The tar reader and writer: round trips (plain and gzip), long names through
// PAX, GNU long names and base-256 numbers from GNU tar itself, and clear
// errors on corrupt or truncated input.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import * as zlib from 'node:zlib';
import { readTar, type TarEntry } from '../../helper/images/tar-reader';
import { BLOCK, checksum } from '../../helper/images/tar-header';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-images-tar-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Got = Omit<TarEntry, 'body' | 'offset'> & { data: string };

async function readAll(buf: Buffer, chunk = 997): Promise<{ entries: Got[]; digest: string }> {
  // odd chunk sizes: headers and bodies straddle chunk boundaries
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const r = readTar(Readable.from(parts), { label: 'test' });
  const entries: Got[] = [];
  for await (const e of r) {
    const { body, offset: _o, ...rest } = e;
    entries.push({ ...rest, data: (await body.readAll()).toString('utf8') });
  }
  return { entries, digest: r.digest };
}

const longDir = 'd'.repeat(60) + '/' + 'e'.repeat(60) + '/' + 'f'.repeat(60);
const veryLong = Array.from({ length: 8 }, (_, i) => `dir${i}-${'x'.repeat(40)}`).join('/') + '/file';
const ENTRIES: Array<TarWriteEntry & { data?: string }> = [
  { name: 'etc/', type: 'dir', mode: 0o755, mtime: 1700000000 },
  { name: 'etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1700000001, data: 'root:x:0:0::/root:/bin/sh\n' },
  { name: 'bin/su', type: 'file', mode: 0o4755, uid: 0, gid: 0, data: 'x'.repeat(513) },
  { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
  { name: 'hard', type: 'hardlink', linkname: 'etc/passwd' },
  { name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
  { name: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0 },
  { name: 'fifo', type: 'fifo', mode: 0o600 },
  { name: `${longDir}/g`, type: 'file', data: 'split into prefix + name' },
  { name: veryLong, type: 'file', data: 'needs a PAX path' },
  { name: 'l2', type: 'symlink', linkname: 'y'.repeat(150) },
  { name: 'büro/日本', type: 'file', data: 'utf-8 name' },
  { name: 'big-ids', type: 'file', uid: 3_000_000, gid: 70_000_000, mtime: 99_999_999_999, data: '' },
  { name: 'caps', type: 'file', mode: 0o755, xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]), 'user.note': 'hi' }, data: 'c' },
];

test('round trip: what the writer writes, the reader reads back (plain and gzip), deterministically', async () => {
  const buf = tarBuffer(ENTRIES);
  assert.equal(buf.length % BLOCK, 0);
  assert.deepEqual(tarBuffer(ENTRIES), buf, 'same entries, same bytes');
  const { entries, digest } = await readAll(buf);
  assert.equal(digest, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
  assert.equal(entries.length, ENTRIES.length);
  for (let i = 0; i < ENTRIES.length; i++) {
    const w = ENTRIES[i], g = entries[i];
    assert.equal(g.name, w.type === 'dir' ? w.name : w.name, `name ${i}`);
    assert.equal(g.type, w.type, `type of ${w.name}`);
    assert.equal(g.mode, w.mode ?? (w.type === 'dir' ? 0o755 : 0o644), `mode of ${w.name}`);
    assert.equal(g.uid, w.uid ?? 0);
    assert.equal(g.gid, w.gid ?? 0);
    assert.equal(g.mtime, w.mtime ?? 0);
    assert.equal(g.linkname, w.linkname ?? '');
    assert.equal(g.data, w.data ?? '');
    assert.equal(g.size, Buffer.byteLength(w.data ?? ''));
    assert.equal(g.devmajor, w.devmajor ?? 0);
    assert.equal(g.devminor, w.devminor ?? 0);
  }
  assert.deepEqual(entries.find((e) => e.name === 'caps')!.xattrs, {
    'security.capability': Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]), 'user.note': Buffer.from('hi'),
  });

  const gz = zlib.gzipSync(buf);
  const viaGzip = await readAll(gz, 100);
  assert.equal(viaGzip.digest, digest, 'the diff_id is the digest of the uncompressed stream');
  assert.deepEqual(viaGzip.entries, entries);
});

test('GNU tar reads what we write, and we read what GNU tar writes (gnu long names, pax, base-256)', async () => {
  const ours = path.join(tmp, 'ours.tar');
  fs.writeFileSync(ours, tarBuffer(ENTRIES.filter((e) => e.type !== 'char' && e.type !== 'block')));
  const listed = execFileSync('tar', ['-tf', ours], { encoding: 'utf8' }).split('\n');
  assert.ok(listed.includes(veryLong));
  assert.ok(listed.includes(`${longDir}/g`));

  const src = path.join(tmp, 'src');
  fs.mkdirSync(path.join(src, longDir), { recursive: true });
  fs.writeFileSync(path.join(src, longDir, 'q' + 'z'.repeat(30)), 'gnu');
  fs.symlinkSync('t'.repeat(120), path.join(src, 'longlink'));
  fs.writeFileSync(path.join(src, 'big'), 'b');
  for (const format of ['gnu', 'pax', 'ustar']) {
    const file = path.join(tmp, `${format}.tar`);
    // uid 10000000 > 07777777: base-256 in GNU format, a PAX record in pax format (no root needed to claim it)
    const args = format === 'ustar'
      ? ['-cf', file, '--format=ustar', '--exclude=./longlink', '--exclude=./big', '-C', src, '.']
      : ['-cf', file, `--format=${format}`, '--owner=big:10000000', '--group=big:10000000', '-C', src, '.'];
    execFileSync('tar', args);
    const { entries, digest } = await readAll(fs.readFileSync(file));
    assert.equal(digest, `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`);
    const f = entries.find((e) => e.name.endsWith('z'.repeat(30)));
    assert.ok(f, `${format}: long file name read`);
    assert.equal(f!.name, `./${longDir}/q${'z'.repeat(30)}`);
    assert.equal(f!.data, 'gnu');
    if (format !== 'ustar') {
      assert.equal(entries.find((e) => e.name === './longlink')!.linkname, 't'.repeat(120), `${format}: long link`);
      const big = entries.find((e) => e.name === './big')!;
      assert.equal(big.uid, 10_000_000, `${format}: big uid`);
    }
  }
});

test('PAX global headers apply to the entries that follow', async () => {
  const rec = (k: string, v: string) => { const b = ` ${k}=${v}\n`; let n = b.length + 2; while (String(n).length + b.length !== n) n++; return `${n}${b}`; };
  const g = Buffer.from(rec('uid', '4242') + rec('mtime', '12.5'));
  const h = Buffer.alloc(BLOCK);
  h.write('pax_global_header', 0);
  h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
  h.write(g.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('g', 156);
  h.write('ustar\x0000', 257);
  h.write(checksum(h).toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((BLOCK - (g.length % BLOCK)) % BLOCK);
  const rest = tarBuffer([{ name: 'a', type: 'file', data: 'A' }, { name: 'b', type: 'file', data: 'B' }]);
  const { entries } = await readAll(Buffer.concat([h, g, pad, rest]));
  assert.deepEqual(entries.map((e) => [e.name, e.uid, e.mtime]), [['a', 4242, 12.5], ['b', 4242, 12.5]]);
});

test('corrupt and truncated archives are clear errors', async () => {
  const good = tarBuffer([{ name: 'f', type: 'file', data: 'x'.repeat(2000) }, { name: 'g', type: 'file', data: 'y' }]);
  const bad = Buffer.from(good);
  bad[10] ^= 0xff; // inside the first header's name
  await assert.rejects(readAll(bad), /test: corrupt header \(checksum mismatch\) \(at byte 0\)/);

  await assert.rejects(readAll(good.subarray(0, 1024)), /entry "f": truncated body/);
  await assert.rejects(readAll(good.subarray(0, 300)), /truncated header/);
  await assert.rejects(readAll(Buffer.from('this is not a tar archive at all'.repeat(40))), /not a tar archive/);
  await assert.rejects(readAll(zlib.gzipSync(good).subarray(0, 60)), /test: gzip: /);

  const sizeBad = Buffer.from(good);
  sizeBad.write('00000x00000\0', 124, 'latin1');
  sizeBad.write(checksum(sizeBad).toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  await assert.rejects(readAll(sizeBad), /field size is not a number/);

  const sparse = Buffer.from(good);
  sparse.write('S', 156, 'latin1');
  sparse.write(checksum(sparse).toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  await assert.rejects(readAll(sparse), /unsupported entry type 'S' \(GNU sparse file\)/);

  // an archive without the end-of-archive blocks but cut at an entry boundary is accepted
  const { entries } = await readAll(good.subarray(0, good.length - 1024));
  assert.equal(entries.length, 2);
});

test('bodies not read are skipped; the digest still covers the whole stream', async () => {
  const buf = tarBuffer([{ name: 'a', type: 'file', data: 'a'.repeat(5000) }, { name: 'b', type: 'file', data: 'bb' }]);
  const r = readTar(Readable.from([buf]));
  const names: string[] = [];
  for await (const e of r) { names.push(e.name); if (e.name === 'b') assert.equal((await e.body.readAll()).toString(), 'bb'); }
  assert.deepEqual(names, ['a', 'b']);
  assert.equal(r.digest, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
  assert.equal(r.size, buf.length);
});
