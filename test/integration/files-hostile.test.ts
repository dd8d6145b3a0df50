// Hostile and mistaken input on every files path (issue 14): the file.* RPCs,
// the file-write / cp-in / cp-out streams and `nscope cp`, against a real
// container. Each must answer one line that says what was wrong, and leave
// nothing behind: no file outside the container, no temp file inside it, no
// mount of a stopped container's root. Large files: a save streams, reads are
// bounded chunks, and a cut save (fewer bytes than announced) changes nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HelperError, openStream, openStreamWithResult, type HelperClient } from '../../helper/protocol/client';
import { MAX_READ, type CopyInDone } from '../../helper/protocol/types';
import { startWithImage, type TestDaemon } from '../helpers/daemon';
import { fileWrite } from '../helpers/file-write';

describe('files: hostile input', () => {
  let d: TestDaemon;
  let c: HelperClient;
  const sh = async (script: string) => {
    const r = await d.cli(['exec', 'hx', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const write = (p: string, content: string | Buffer, id = 'hx', size?: number): Promise<CopyInDone> =>
    fileWrite(d.socket, { id, path: p, create: true, overwrite: true, ...(size !== undefined ? { size } : {}) }, content);
  /** The error a call ends with: one line, a HelperError. */
  const refusal = async (p: Promise<unknown>): Promise<string> => {
    try { await p; } catch (e) {
      assert.ok(e instanceof HelperError, `a HelperError, not ${String(e)}`);
      assert.doesNotMatch(e.message, /\n/, 'one line');
      assert.doesNotMatch(e.message, /^\s*at /m, 'no stack');
      return e.message;
    }
    throw new Error('accepted');
  };
  const oneLine = (s: string) => { assert.equal(s.trim().split('\n').length, 1, s); return s; };

  before(async () => {
    d = await startWithImage('fhostile');
    c = await d.client();
    const r = await d.cli(['run', '-d', '--name', 'hx', '--network', 'none', 'host', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    // a device node outside /dev (the container's root may mknod: CAP_MKNOD, as Docker's default)
    await sh('mknod /tmp/nul c 1 3 && ln -s /etc/hostname /tmp/to-hostname');
  });

  after(async () => {
    c?.close();
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('writes refused with why: /proc, /sys, /dev, a device node elsewhere, a directory', async () => {
    for (const p of ['/proc/sys/kernel/hostname', '/sys/kernel/x', '/dev/null', '/dev/shm/../null']) {
      const r = await write(p, 'x');
      assert.ok('error' in r, `${p} refused`);
      assert.match(r.error, /holds the kernel's files|kernel/, p);
    }
    const dev = await write('/tmp/nul', 'x');
    assert.ok('error' in dev);
    assert.match(dev.error, /\/tmp\/nul is a device node: not written/);
    assert.equal(await sh('stat -c %F /tmp/nul'), 'character special file\n');
    const dir = await write('/etc', 'x');
    assert.ok('error' in dir);
    assert.doesNotMatch(dir.error, /\n/);
    assert.doesNotMatch(await sh('ls -a /tmp /etc'), /\.nscope-\d/, 'no temp file left');
  });

  test('paths: ../ and absolute links stay in the container; a newline in a name is just a name', async () => {
    const marker = `nscope-hostile-${process.pid}`;
    assert.deepEqual(await write(`/../../../tmp/${marker}`, 'in'), { ok: true });
    assert.ok(!fs.existsSync(`/tmp/${marker}`), 'not on the host');
    assert.equal(await sh(`cat /tmp/${marker}`), 'in');
    // a link to an absolute path is the container's path
    assert.deepEqual(await write('/tmp/to-hostname', 'changed-through-link\n'), { ok: true });
    assert.equal(await sh('cat /etc/hostname'), 'changed-through-link\n');
    assert.notEqual(fs.readFileSync('/etc/hostname', 'utf8'), 'changed-through-link\n');
    assert.deepEqual(await write('/tmp/two\nlines', 'nl'), { ok: true });
    const ls = await c.request('file.list', { container: 'hx', view: 'container', path: '/tmp' });
    assert.ok(ls.entries.some((e) => e.name === 'two\nlines'));
    await c.request('file.rename', { container: 'hx', path: '/tmp/two\nlines', to: '/../tmp/renamed' });
    assert.equal(await sh('cat /tmp/renamed'), 'nl');
    await c.request('file.delete', { container: 'hx', path: '/tmp/renamed' });
    // reads too: ../ past the container's / stays at its /
    const read = await c.request('file.read', { container: 'hx', view: 'container', path: '/../../../etc/hostname' });
    assert.equal(Buffer.from(read.data, 'base64').toString(), 'changed-through-link\n');
    const out = path.join(d.dir, 'up-out');
    fs.mkdirSync(out);
    const cp = await d.cli(['cp', 'hx:/../../../etc/hostname', out]);
    assert.equal(cp.code, 0, cp.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'hostname'), 'utf8'), 'changed-through-link\n');
    // a rename can't make a name outside the container either
    await c.request('file.mkdir', { container: 'hx', path: '/../../tmp/made' });
    assert.ok(!fs.existsSync('/tmp/made') || fs.statSync('/tmp/made').mtimeMs < Date.now() - 60000, 'no directory made on the host');
    assert.equal(await sh('stat -c %F /tmp/made'), 'directory\n');
  });

  test('numbers: negative, fractional, huge offsets and lengths; wrong types', async () => {
    await sh('printf 0123456789 > /tmp/ten');
    const read = (offset: unknown, length?: unknown) => c.request('file.read', { container: 'hx', view: 'container', path: '/tmp/ten', offset: offset as number, length: length as number });
    for (const [o, l] of [[-1, undefined], [0, -5], [1e300, undefined], [Number.NaN, undefined], ['3', undefined], [0, 'x']] as const) {
      let r: Awaited<ReturnType<typeof read>> | undefined;
      let msg = '';
      try { r = await read(o, l); } catch (e) { msg = await refusal(Promise.reject(e)); }
      // either refused in a line, or read as nothing past the end: never a crash, never bytes from elsewhere
      if (r) assert.ok(Buffer.from(r.data, 'base64').length <= 10, `offset ${String(o)} length ${String(l)}`);
      else assert.ok(msg.length > 0);
    }
    for (const mode of [-1, 0o10000, 1.5, 1e300]) {
      await assert.rejects(openStreamWithResult(d.socket, { kind: 'file-write', id: 'hx', path: '/tmp/m', mode }), /mode .* is not between 0 and 07777/);
    }
    assert.match(await refusal(c.request('file.mkdir', { container: 'hx', path: 42 as unknown as string })), /path/);
    assert.match(await refusal(c.request('file.rename', { container: 'hx', path: '/tmp/ten', to: null as unknown as string })), /to/);
  });

  test('cp-in: a source named "." or ".." (or with a NUL) is refused before any byte is taken', async () => {
    // "." was taken and the copy said ok having written nothing; ".." failed only after the upload
    for (const name of ['.', '..', 'a\0b', '', 'a/b']) {
      await assert.rejects(openStreamWithResult(d.socket, { kind: 'cp-in', id: 'hx', path: '/tmp', src: { name, type: 'file' } }), /cp: src must be \{ name, type: file\|dir\|other \}/, JSON.stringify(name));
    }
    assert.doesNotMatch(await sh('ls -a /tmp'), /\.nscope-\d/, 'no temp file left');
  });

  test('large files: a 24 MiB save streams in; reads come in bounded chunks; a cut save leaves the file as it was', async () => {
    const big = Buffer.alloc(24 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    assert.deepEqual(await write('/tmp/big.bin', big, 'hx', big.length), { ok: true });
    assert.equal(await sh('stat -c %s /tmp/big.bin'), `${big.length}\n`);
    const parts: Buffer[] = [];
    for (let offset = 0; ;) {
      // a length far beyond the bound is clipped to it, not honoured
      const r = await c.request('file.read', { container: 'hx', view: 'container', path: '/tmp/big.bin', offset, length: 1e12 });
      assert.ok(r.length <= MAX_READ, `a chunk of ${r.length} bytes`);
      parts.push(Buffer.from(r.data, 'base64'));
      offset += r.length;
      if (r.eof || !r.length) break;
    }
    assert.ok(parts.length >= 3, `${parts.length} chunks`);
    assert.ok(Buffer.concat(parts).equals(big), 'read back whole');
    // a save announced as 100 bytes that ends after 50 (a client gone mid-save): the old file stays
    await sh('printf before > /tmp/kept.txt');
    const cut = await write('/tmp/kept.txt', 'x'.repeat(50), 'hx', 100);
    assert.ok('error' in cut);
    assert.match(cut.error, /the upload ended after 50 of 100 bytes; the file is left as it was/);
    const over = await write('/tmp/kept.txt', 'x'.repeat(150), 'hx', 100);
    assert.ok('error' in over);
    assert.match(over.error, /more than the 100 bytes announced/);
    assert.equal(await sh('cat /tmp/kept.txt'), 'before');
    assert.doesNotMatch(await sh('ls -a /tmp'), /\.nscope-\d/, 'no temp file left');
    for (const size of [-1, 1.5, 2 ** 60]) {
      await assert.rejects(openStreamWithResult(d.socket, { kind: 'file-write', id: 'hx', path: '/tmp/kept.txt', size }), /size .* is not a whole number of bytes/);
    }
    await sh('rm /tmp/big.bin');
  });

  test('a container that does not exist: every RPC and stream says so in one line', async () => {
    const none = { container: 'no-such-box', view: 'container' as const, path: '/etc' };
    // each asked when awaited: a rejection waiting in an array, unawaited, is an unhandled one
    for (const ask of [
      () => c.request('file.list', none), () => c.request('file.stat', none), () => c.request('file.read', { ...none, path: '/etc/hostname' }),
      () => c.request('file.mkdir', { container: 'no-such-box', path: '/x' }), () => c.request('file.delete', { container: 'no-such-box', path: '/x' }),
      () => c.request('file.rename', { container: 'no-such-box', path: '/x', to: '/y' }),
      () => openStream(d.socket, { kind: 'file-write', id: 'no-such-box', path: '/x' }),
      () => openStream(d.socket, { kind: 'cp-in', id: 'no-such-box', path: '/' }),
      () => openStream(d.socket, { kind: 'cp-out', id: 'no-such-box', path: '/etc' }),
    ]) assert.match(await refusal(ask() as Promise<unknown>), /no-such-box|No such container/i);
  });

  test('nscope cp: missing containers, missing paths, the kernel\'s trees — one line each, exit 1, nothing left', async () => {
    const out = path.join(d.dir, 'cp-out');
    fs.mkdirSync(out);
    const cases: [string[], RegExp][] = [
      [['cp', 'no-such-box:/etc/hostname', out], /no-such-box/],
      [['cp', path.join(d.dir, 'missing'), 'hx:/tmp/'], /missing/],
      [['cp', 'hx:/does/not/exist', out], /does\/not\/exist|No such file/],
      [['cp', path.join(out), 'hx:/proc/'], /kernel's files/],
      [['cp', path.join(out), 'hx:/sys/'], /kernel's files/],
    ];
    for (const [args, re] of cases) {
      const r = await d.cli(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(oneLine(r.stderr), re);
    }
    assert.deepEqual(fs.readdirSync(out), []);
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes('/copy-'), 'no copy root left mounted');
  });
});
