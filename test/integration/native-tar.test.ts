// The native tar code of `nscope cp` (native/tar/, helper/files/native-tar.ts)
// against the JS packer and unpacker it stands in for, on real files as root:
// the same archives unpacked by both give the same trees or the same refusal,
// whatever the pieces the bytes come in; hostile names, links and devices
// reach nothing outside; a tree packed by both gives the same bytes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { nativeTreeTar } from '../../helper/images/native-tar';
import { unpackCopy, type CopyUnpackOptions } from '../../helper/files/copy-unpack';
import { treeTar } from '../../helper/files/tree-tar';
import { UMASK, unpackInto } from '../../helper/images/unpack';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';
import { native } from '../../helper/native';
import { toContainerId, toHostId, type IdMap } from '../../helper/lib/idmap';
import { invalid } from '../../helper/errors';
import { BLOCK, checksum, paxRecord, writeOctal, writeString } from '../../helper/images/tar-header';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-native-tar-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => { const d = path.join(tmp, `d${n++}`); fs.mkdirSync(d); return d; };

type E = TarWriteEntry & { data?: string };

/** Every entry below `root`: path, type, mode, owner, size, mtime ('now' for a directory made as a parent), link target, content digest. */
function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l->${fs.readlinkSync(p)}` : st.isFile() ? `f:${createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 12)}` : st.isFIFO() ? 'p' : st.isCharacterDevice() ? `c${st.rdev}` : '?';
      out.push(`${r} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() ? '' : st.size} ${st.isSymbolicLink() ? '' : Math.abs(st.mtimeMs - Date.now()) < 60_000 ? 'now' : Math.floor(st.mtimeMs / 1000)} nlink=${st.isDirectory() ? '' : st.nlink}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

/** The same rules as the JS unpacker takes them. */
function jsOptions(o: CopyUnpackOptions) {
  const p = o.placement;
  const rename = !p ? undefined : 'prepend' in p ? (parts: string[]) => [p.prepend, ...parts]
    : 'contents' in p ? (parts: string[]) => (parts[0] === p.top ? parts.slice(1) : null)
      : (parts: string[]) => (parts[0] === p.top ? [p.to, ...parts.slice(1)] : null);
  const owner = (u: number, g: number): [number, number] => {
    const [cu, cg] = o.owner === 'archive' ? [u, g] : o.owner;
    const hu = toHostId(o.map?.uid, cu);
    const hg = toHostId(o.map?.gid, cg);
    if (hu === undefined || hg === undefined) throw invalid(`owner ${cu}:${cg} is not mapped in the container's user namespace`);
    return [hu, hg];
  };
  return { owner, rename, noWhiteouts: true, noDigest: true, engine: 'js' as const };
}

async function* pieces(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Unpacks `tar` with both, in pieces of each size for the native one; both trees (or refusals) must agree. */
async function agree(tar: Buffer, o: Partial<CopyUnpackOptions> = {}, sizes = [65536, 1, 511, 513, 4096]): Promise<{ dir: string; error?: string }> {
  const opts: CopyUnpackOptions = { owner: 'archive', umask: UMASK, ...o };
  const js = fresh();
  let jsError: string | undefined;
  await unpackInto(Readable.from([tar]), js, 'copy test', jsOptions(opts)).catch((e: Error) => { jsError = e.message; });
  let first: string | undefined;
  for (const size of sizes) {
    const dir = fresh();
    let error: string | undefined;
    await unpackCopy(pieces(tar, size), dir, 'copy test', opts).catch((e: Error) => { error = e.message; });
    assert.equal(error, jsError, `in pieces of ${size}: the same refusal as the JS unpacker`);
    if (!error) assert.deepEqual(listing(dir), listing(js), `in pieces of ${size}: the same tree as the JS unpacker`);
    first ??= dir;
  }
  return { dir: first!, error: jsError };
}

const tar = (entries: E[]) => tarBuffer(entries);

test('a tree of files, directories, symlinks, hardlinks and fifos: the same as the JS unpacker, in any pieces', async () => {
  const long = 'x'.repeat(120);
  const { dir, error } = await agree(tar([
    { name: 'top/', type: 'dir', mode: 0o750, mtime: 1_500_000_000, uid: 12, gid: 34 },
    { name: 'top/a.txt', type: 'file', mode: 0o640, uid: 1234, gid: 4321, mtime: 1_600_000_000, data: 'a'.repeat(1000) },
    { name: 'top/empty', type: 'file', mode: 0o600, data: '' },
    { name: 'top/su', type: 'file', mode: 0o4755, data: '#!/bin/false\n' },
    { name: 'top/sticky/', type: 'dir', mode: 0o1777 },
    { name: 'top/ro/', type: 'dir', mode: 0o555 },
    { name: 'top/ro/inside', type: 'file', mode: 0o444, data: 'made in a directory without write permission' },
    { name: `top/${long}/${long}/${long}`, type: 'file', data: 'a long name (PAX)' },
    { name: 'top/ünïcode', type: 'file', data: 'non-ASCII (PAX)' },
    { name: 'top/link', type: 'symlink', linkname: 'a.txt', uid: 7, gid: 8 },
    { name: 'top/abs', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'top/hard', type: 'hardlink', linkname: 'top/a.txt' },
    { name: 'top/fifo', type: 'fifo', mode: 0o620 },
    { name: 'top/big-uid', type: 'file', uid: 3_000_000, gid: 3_000_001, data: 'PAX uid' },
    { name: 'implied/parents/file', type: 'file', data: 'its directories made 0755' },
  ]));
  assert.equal(error, undefined);
  assert.equal(fs.statSync(path.join(dir, 'top/hard')).ino, fs.statSync(path.join(dir, 'top/a.txt')).ino);
  assert.equal(fs.statSync(path.join(dir, 'top/ro')).mode & 0o777, 0o555, 'a directory\'s mode is set after what goes in it');
});

test('placements (a prefix, the top renamed, its contents only) and owners (fixed, mapped) as the JS unpacker places them', async () => {
  const entries: E[] = [
    { name: 'src/', type: 'dir' }, { name: 'src/f', type: 'file', uid: 5, gid: 6, data: 'f' },
    { name: 'src/h', type: 'hardlink', linkname: 'src/f' },
  ];
  await agree(tar(entries), { placement: { prepend: 'new' } });
  await agree(tar(entries), { placement: { top: 'src', to: 'renamed' } });
  await agree(tar(entries), { placement: { top: 'src', contents: true } });
  await agree(tar(entries), { owner: [1000, 1000] });
  const map = { uid: [{ containerID: 0, hostID: 100000, size: 65536 }], gid: [{ containerID: 0, hostID: 100000, size: 65536 }] };
  const { dir } = await agree(tar(entries), { map });
  assert.equal(fs.statSync(path.join(dir, 'src/f')).uid, 100005);
  const refused = await agree(tar([{ name: 'f', type: 'file', uid: 70000, data: 'x' }]), { map });
  assert.match(refused.error ?? '', /owner 70000:0 is not mapped/);
  // an entry that is not beneath the top: refused
  const other = await agree(tar([{ name: 'src/f', type: 'file', data: 'x' }, { name: 'elsewhere', type: 'file', data: 'y' }]), { placement: { top: 'src', to: 'x' } });
  assert.match(other.error ?? '', /entry "elsewhere" is not beneath the archive's first entry/);
});

test('hostile archives: refused with the entry named, as the JS unpacker refuses them, and nothing outside is touched', async () => {
  const outside = fresh();
  fs.writeFileSync(path.join(outside, 'victim'), 'original');
  const cases: [E[], RegExp][] = [
    [[{ name: '../evil', type: 'file', data: 'x' }], /entry "\.\.\/evil" escapes/],
    [[{ name: 'a/b', type: 'symlink', linkname: '../../../etc' }], /invalid symlink "a\/b" -> "\.\.\/\.\.\/\.\.\/etc"/],
    [[{ name: 'pw', type: 'hardlink', linkname: '../../etc/passwd' }], /hardlink target "\.\.\/\.\.\/etc\/passwd" is outside/],
    [[{ name: 'etcl', type: 'symlink', linkname: '/etc' }, { name: 'pw', type: 'hardlink', linkname: 'etcl/passwd' }], /hardlink target "etcl\/passwd" does not exist/],
    [[{ name: 'd/', type: 'dir' }, { name: 'h', type: 'hardlink', linkname: 'd' }], /is a directory/],
    [[{ name: 'usr/sda', type: 'block', devmajor: 8, devminor: 0 }], /device nodes \(block 8:0\) are not allowed outside \/dev/],
    [[{ name: 'mem', type: 'char', devmajor: 1, devminor: 1 }], /device nodes \(char 1:1\)/],
    [[{ name: 'etc/.wh.motd', type: 'file' }], /a name starting with \.wh\. is an image layer's whiteout/],
    [[{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: 'a' }, { name: 'a/x', type: 'file', data: 'x' }], /entry "a\/x": too many levels of symbolic links/],
    [[{ name: 'f', type: 'file', data: 'f' }, { name: 'f/x', type: 'file', data: 'x' }], /entry "f\/x": "f" is not a directory/],
  ];
  for (const [entries, re] of cases) {
    const { error } = await agree(tar(entries), {}, [65536, 7]);
    assert.match(error ?? 'no error', re);
  }
  // links to the outside are followed inside the root only; a file replaces a symlink at its name
  const { dir } = await agree(tar([
    { name: 'link', type: 'symlink', linkname: '/' },
    { name: 'link/etc/evil', type: 'file', data: 'contained' },
    { name: 'out', type: 'symlink', linkname: outside },
    { name: 'out/victim', type: 'file', data: 'contained too' },
    { name: 'sub/up', type: 'symlink', linkname: '..' },
    { name: 'sub/up/sub/up/x', type: 'file', data: 'at the root' },
    { name: 'v', type: 'symlink', linkname: path.join(outside, 'victim') },
    { name: 'v', type: 'file', data: 'replaced' },
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3 },
  ]));
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  assert.deepEqual(fs.readdirSync(outside), ['victim']);
  assert.equal(fs.readFileSync(path.join(dir, 'etc/evil'), 'utf8'), 'contained');
  assert.equal(fs.readFileSync(path.join(dir, outside.slice(1), 'victim'), 'utf8'), 'contained too');
  assert.equal(fs.readFileSync(path.join(dir, 'x'), 'utf8'), 'at the root');
  assert.ok(fs.lstatSync(path.join(dir, 'v')).isFile());
  assert.ok(!fs.existsSync(path.join(dir, 'dev/null')), 'device nodes under dev/ are left out');
});

test('image layers: whiteouts, opaque directories, /dev nodes, xattrs — the same tree and diff_id as the JS unpacker, in any pieces', async () => {
  const layer = tar([
    { name: 'etc/', type: 'dir', mode: 0o755 },
    { name: 'etc/.wh.motd', type: 'file' },
    { name: '.wh.gone-dir', type: 'file', data: 'a whiteout with a body' },
    { name: 'var/lib/', type: 'dir' },
    { name: 'var/lib/.wh..wh..opq', type: 'file' },
    { name: 'var/lib/new', type: 'file', data: 'kept' },
    { name: 'var/.wh..wh.plnk', type: 'dir' },
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3 },
    { name: 'etc/gone', type: 'char', devmajor: 0, devminor: 0 },
    { name: 'caps', type: 'file', mode: 0o755, data: 'c', xattrs: { 'user.note': 'hello', 'trusted.overlay.redirect': '/etc' } },
    { name: 'bin/su', type: 'file', mode: 0o4755, data: 'x' },
  ]);
  const js = fresh();
  const a = await unpackInto(Readable.from([layer]), js, 'layer', { engine: 'js' });
  for (const size of [65536, 1, 513]) {
    const dir = fresh();
    const b = await unpackInto(Readable.from(pieces(layer, size)), dir, 'layer');
    assert.deepEqual(listing(dir), listing(js), `in pieces of ${size}`);
    assert.deepEqual(b, a, 'the same diff_id, size and entries');
    assert.equal(native().lgetxattr(path.join(dir, 'var/lib'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(native().lgetxattr(path.join(dir, 'caps'), 'user.note')?.toString(), 'hello');
    assert.equal(native().lgetxattr(path.join(dir, 'caps'), 'trusted.overlay.redirect'), null, 'a layer cannot steer the overlay');
  }
  const bad = tar([{ name: 'x/.wh..', type: 'file' }]);
  await assert.rejects(unpackInto(Readable.from([bad]), fresh(), 'layer'), /entry "x\/\.wh\.\.": invalid whiteout/);
  await assert.rejects(unpackInto(Readable.from([bad]), fresh(), 'layer', { engine: 'js' }), /entry "x\/\.wh\.\.": invalid whiteout/);
});

test('broken archives: truncated, corrupt, a lone extended header — refused at the byte where it broke', async () => {
  const good = tar([{ name: 'a', type: 'file', data: 'A'.repeat(2000) }, { name: 'b', type: 'file', data: 'B' }]);
  const bad = Buffer.from(good);
  bad[600] ^= 0xff; // inside a's body: not a header, still fine
  await agree(bad);
  const corrupt = Buffer.from(good);
  corrupt[0] ^= 0x01; // a's name: the checksum no longer matches
  assert.match((await agree(corrupt)).error ?? '', /corrupt header \(checksum mismatch\) \(at byte 0\)/);
  assert.match((await agree(good.subarray(0, 1000))).error ?? '', /entry "a": truncated body/);
  assert.match((await agree(good.subarray(0, 300))).error ?? '', /truncated header/);
  const paxOnly = tar([{ name: 'x'.repeat(300), type: 'file', data: 'x' }]).subarray(0, 1024);
  assert.match((await agree(paxOnly)).error ?? '', /archive ends after an extended header|truncated extended header/);
  assert.match((await agree(Buffer.from('not a tar at all'.repeat(40)))).error ?? '', /corrupt header/);
  // no end marker after a whole entry: accepted, as Go and GNU tar accept it
  assert.equal((await agree(good.subarray(0, 512 * 7))).error, undefined);
});

/** An extended header ('x' for the next entry, 'g' for all that follow) holding `recs`, as its own tar blocks. */
function extHeader(flag: 'x' | 'g', recs: Array<[string, string]>): Buffer {
  const body = Buffer.concat(recs.map(([k, v]) => paxRecord(k, v)));
  const h = Buffer.alloc(BLOCK);
  writeString(h, 'name', 'PaxHeaders/x');
  writeOctal(h, 'mode', 0o644); writeOctal(h, 'uid', 0); writeOctal(h, 'gid', 0); writeOctal(h, 'mtime', 0);
  writeOctal(h, 'size', body.length);
  h.write(flag, 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  writeOctal(h, 'chksum', checksum(h));
  return Buffer.concat([h, body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK)]);
}

test('extended headers: many records cost little and stay bounded; more than 1024 kept for one entry refused, as the JS unpacker refuses them', async () => {
  const file = tar([{ name: 'f', type: 'file', data: 'hello' }]);
  const many = (n: number, key: (i: number) => string, v = 'v') => Array.from({ length: n }, (_, i): [string, string] => [key(i), v]);
  const sizes = [65536, 511];
  // 70,000 records of keys nothing reads (one 800 KB header): merged by hash, not pairwise (that took ~20 s, the daemon's loop blocked)
  let t = Date.now();
  const unused = await agree(Buffer.concat([extHeader('x', [...many(70_000, (i) => `k${i}`), ['path', 'renamed']]), file]), {}, sizes);
  assert.equal(unused.error, undefined);
  assert.ok(fs.existsSync(path.join(unused.dir, 'renamed')), 'the path record still applies');
  assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
  t = Date.now();
  assert.equal((await agree(Buffer.concat([extHeader('g', many(70_000, (i) => `g${i}`)), tar(Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, type: 'file' as const, data: 'x' })))]), {}, sizes)).error, undefined);
  assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
  // one key given 20,000 times is one record
  assert.equal((await agree(Buffer.concat([extHeader('x', many(20_000, () => 'mtime', '1600000000')), file]), {}, sizes)).error, undefined);
  // records kept (xattrs): at most 1024 for one entry, counted over extended headers in a row, and globally
  assert.match((await agree(Buffer.concat([extHeader('x', many(1025, (i) => `SCHILY.xattr.user.a${i}`)), file]), {}, sizes)).error ?? '',
    /^copy test: PAX headers for one entry hold more than 1024 records \(at byte 0\)$/);
  const twoInARow = Buffer.concat([extHeader('x', many(600, (i) => `SCHILY.xattr.user.a${i}`)), extHeader('x', many(600, (i) => `SCHILY.xattr.user.b${i}`)), file]);
  assert.match((await agree(twoInARow, {}, sizes)).error ?? '', /PAX headers for one entry hold more than 1024 records \(at byte 0\)/);
  assert.match((await agree(Buffer.concat([extHeader('g', many(1025, (i) => `SCHILY.xattr.user.a${i}`)), file]), {}, sizes)).error ?? '',
    /global PAX headers hold more than 1024 records/);
  // and at most 1 MiB of them: two headers of 700 KB each for one entry
  const big = Buffer.concat([extHeader('x', [['SCHILY.xattr.user.a', 'a'.repeat(700_000)]]), extHeader('x', [['SCHILY.xattr.user.b', 'b'.repeat(700_000)]]), file]);
  assert.match((await agree(big, {}, sizes)).error ?? '', /PAX headers for one entry hold more than 1048576 bytes of records/);
});

test('packing: the native packer writes the JS packer\'s bytes for the same tree, host ids mapped to the container\'s', async () => {
  const src = fresh();
  const t = path.join(src, 'tree');
  fs.mkdirSync(path.join(t, 'd/e'), { recursive: true });
  fs.writeFileSync(path.join(t, 'd/file'), Buffer.alloc(70000, 1));
  fs.writeFileSync(path.join(t, 'empty'), '');
  fs.writeFileSync(path.join(t, `${'n'.repeat(150)}`), 'long name');
  fs.writeFileSync(path.join(t, 'ünï'), 'non-ASCII');
  fs.symlinkSync('x'.repeat(200), path.join(t, 'longlink'));
  fs.symlinkSync('d/file', path.join(t, 'rel'));
  fs.linkSync(path.join(t, 'd/file'), path.join(t, 'd/e/hard'));
  native().mknod(path.join(t, 'fifo'), 0o010644, 0, 0);
  native().mknod(path.join(t, 'null'), 0o020666, 1, 3);
  fs.chownSync(path.join(t, 'empty'), 100005, 3_000_000);
  fs.chmodSync(path.join(t, 'd'), 0o2750);
  fs.utimesSync(path.join(t, 'd/file'), 1_234_567_890, 1_234_567_890);
  const js = (o: { ids?: IdMap }) => Buffer.concat([...treeTar(t, 'tree', o.ids ? { owner: (u, g) => [toContainerId(o.ids!.uid, u), toContainerId(o.ids!.gid, g)] } : {})]);
  const nat = (o: Parameters<typeof nativeTreeTar>[2]) => Buffer.concat([...nativeTreeTar(t, 'tree', o)]);
  assert.ok(nat({}).equals(js({})), 'the same bytes');
  const ids = { uid: [{ containerID: 0, hostID: 100000, size: 65536 }], gid: [{ containerID: 0, hostID: 100000, size: 65536 }] };
  assert.ok(nat({ ids }).equals(js({ ids })), 'the same bytes with ids mapped');
  // a single file, and a symlink at the top followed with -L
  fs.symlinkSync('tree/d/file', path.join(src, 'top-link'));
  const top = (follow: boolean) => Buffer.concat([...nativeTreeTar(path.join(src, 'top-link'), 'top-link', { follow })]);
  assert.ok(top(false).equals(Buffer.concat([...treeTar(path.join(src, 'top-link'), 'top-link')])), 'a symlink at the top, as it is');
  // followed (-L): the file it points at, under the link's name (the JS packer opened it O_NOFOLLOW and failed)
  const followed = fresh();
  await unpackCopy(pieces(top(true), 4096), followed, 'followed', { owner: 'archive', umask: UMASK });
  assert.ok(fs.lstatSync(path.join(followed, 'top-link')).isFile());
  assert.equal(fs.readFileSync(path.join(followed, 'top-link')).length, 70000);
  // what the native packer writes, the native unpacker takes back whole (device nodes aside: refused outside /dev)
  fs.rmSync(path.join(t, 'null'));
  const back = fresh();
  await unpackCopy(pieces(nat({}), 1000), back, 'back', { owner: 'archive', umask: UMASK });
  assert.deepEqual(listing(path.join(back, 'tree')), listing(t));
  assert.throws(() => [...nativeTreeTar(path.join(src, 'missing'), 'missing')], /lstat: No such file or directory/);
});
